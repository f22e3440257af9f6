"""E-mail that fails safe (docs/security.md §7): EMAIL_TIMEOUT is bounded, no SMTP call runs inside a
transaction, and a failure half-way through a digest run never sends the delivered part again."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from jingkai.notifications import sweep
from jingkai.notifications.models import Notification
from jingkai.notifications.services import DeliveryFailed, NotificationSpec, notify, send_pending_emails
from tests import factories as f

BACKEND = f"{__name__}.RecordingBackend"


class RecordingBackend(BaseEmailBackend):
    """Records each message and whether a transaction was open; fails on the message number `fail_on`."""

    sent: list[str] = []
    in_transaction: list[bool] = []
    fail_on: int | None = None
    attempts = 0

    def send_messages(self, messages):
        for message in messages:
            type(self).attempts += 1
            type(self).in_transaction.append(connection.in_atomic_block)
            if type(self).attempts == type(self).fail_on:
                raise OSError("connection reset by the mail server")
            type(self).sent.append(message.to[0])
        return len(messages)


@pytest.fixture
def backend(settings):
    settings.EMAIL_BACKEND = BACKEND
    RecordingBackend.sent, RecordingBackend.in_transaction = [], []
    RecordingBackend.fail_on, RecordingBackend.attempts = None, 0
    return RecordingBackend


def _recipients(n):
    users = [f.UserFactory(username=f"r{i}", email=f"r{i}@example.cn") for i in range(n)]
    notify(
        NotificationSpec(recipient_id=u.pk, kind="test", key=f"{u.pk}-{k}", title=f"第{k}条")
        for u in users
        for k in range(2)
    )
    return users


def test_no_smtp_call_inside_a_transaction(transactional_db, backend):
    _recipients(3)
    assert sweep.run(None) == {"sent": 3}
    assert backend.in_transaction == [False, False, False]


def test_a_failure_half_way_never_sends_the_delivered_part_again(db, backend):
    users = _recipients(5)
    backend.fail_on = 3
    with pytest.raises(DeliveryFailed) as failed:
        send_pending_emails()
    assert (failed.value.sent, failed.value.waiting) == (2, 6)  # 3 recipients × 2 notifications wait
    first = list(backend.sent)
    assert first == ["r0@example.cn", "r1@example.cn"]
    delivered = set(Notification.objects.filter(emailed_at__isnull=False).values_list("recipient", flat=True))
    assert delivered == {users[0].pk, users[1].pk}

    backend.fail_on = None
    assert send_pending_emails() == 3
    again = backend.sent[len(first) :]
    assert again == ["r2@example.cn", "r3@example.cn", "r4@example.cn"]
    assert len(backend.sent) == len(set(backend.sent)) == 5  # nobody got a digest twice
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_the_sweep_counts_a_failure_and_goes_on(db, backend, caplog):
    _recipients(4)
    backend.fail_on = 2
    assert sweep.run(None) == {"sent": 1, "undelivered": 6}
    assert any("e-mail delivery failed after 1 digest" in r.getMessage() for r in caplog.records)
    assert sweep.run(None) == {"sent": 3}


def test_email_timeout_is_set():
    assert 1 <= settings.EMAIL_TIMEOUT <= 60


@pytest.mark.parametrize("value", ["0", "61"])
def test_email_timeout_outside_its_bounds_is_refused(value, tmp_path):
    env = {**os.environ, "JINGKAI_EMAIL_TIMEOUT": value, "JINGKAI_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", "import jingkai.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "JINGKAI_EMAIL_TIMEOUT" in done.stderr
