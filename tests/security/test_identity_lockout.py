"""Lock-out (docs/security.md §2): 5 failures of one user name within 15 minutes lock it for 30 minutes, from
any address; the client address is read through ipware with the trusted proxy count; all of it audited."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client, RequestFactory
from django.urls import reverse

from jingkai.accounts import lockout
from jingkai.core.audit import AuditEvent, Kind
from jingkai.core.clientip import client_ip
from jingkai.core.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


def sign_in(username, password, address="198.51.100.1", client=None):
    client = client or Client(REMOTE_ADDR=address)
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def fail(username, times, address="198.51.100.1"):
    for _ in range(times):
        response = sign_in(username, "wrong-password", address)
        assert not signed_in(response)


def age(minutes: float) -> None:
    """Move every recorded attempt `minutes` into the past (as if that much time went by)."""
    delta = dt.timedelta(minutes=minutes)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.all():
            model.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - delta)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def test_four_failures_do_not_lock_the_fifth_does(alice):
    fail("alice", 4)
    assert lockout.locked_until("alice") is None
    assert signed_in(sign_in("alice", PASSWORD))
    fail("alice", 5)
    assert lockout.locked_until("alice") is not None
    # Locked: even the right password is refused, with the lock-out page.
    refused = sign_in("alice", PASSWORD)
    assert refused.status_code == 429 and not signed_in(refused)


def test_every_failure_and_the_lock_are_audited_once(alice):
    fail("alice", 6)  # five to lock, one refused during the lock
    failures = AuditEvent.objects.filter(kind=Kind.LOGIN_FAILED, target=f"core.user:{alice.pk}")
    assert failures.count() == 6
    assert failures.filter(details__locked=True).count() == 1
    locks = AuditEvent.objects.filter(kind=Kind.LOCKED, target=f"core.user:{alice.pk}")
    assert locks.count() == 1
    assert failures.first().ip == "198.51.100.1"


def test_the_lock_is_keyed_on_the_user_name_not_the_address(alice):
    UserFactory(username="bob")
    for n in range(5):  # five addresses, one name
        fail("alice", 1, address=f"203.0.113.{n + 1}")
    assert lockout.locked_until("alice") is not None
    assert not signed_in(sign_in("alice", PASSWORD, address="192.0.2.99"))
    # Another name from the same addresses is not locked.
    assert signed_in(sign_in("bob", PASSWORD, address="203.0.113.1"))


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(alice):
    fail("alice", 2)
    age(8)
    fail("alice", 2)
    age(8)  # the first two are now 16 minutes old
    fail("alice", 1)
    assert lockout.locked_until("alice") is None
    assert (
        lockout.failures_in_window("alice", AccessFailureLog.objects.latest("attempt_time").attempt_time) == 3
    )
    fail("alice", 2)  # five within the last fifteen minutes
    assert lockout.locked_until("alice") is not None


def test_a_success_starts_the_count_again(alice):
    fail("alice", 4)
    assert signed_in(sign_in("alice", PASSWORD))
    fail("alice", 4)
    assert lockout.locked_until("alice") is None


def test_the_lock_lasts_thirty_minutes(alice):
    fail("alice", 5)
    age(29)
    assert not signed_in(sign_in("alice", PASSWORD))
    age(2)  # 31 minutes after the lock
    assert signed_in(sign_in("alice", PASSWORD))


def test_attempts_during_the_lock_do_not_extend_it(alice):
    fail("alice", 5)
    age(20)
    fail("alice", 3)  # refused, not counted
    age(11)
    assert signed_in(sign_in("alice", PASSWORD))


def test_after_a_lock_the_count_starts_from_zero(alice):
    fail("alice", 5)
    age(31)
    fail("alice", 1)
    assert lockout.locked_until("alice") is None
    fail("alice", 3)
    assert lockout.locked_until("alice") is None


def test_the_security_administrator_unlocks_audited(alice):
    security = UserFactory(username="sec", role=Role.SECURITY_ADMIN)
    fail("alice", 5)
    staff = Client()
    staff.force_login(UserFactory(role=Role.ZONE_ADMIN))
    assert staff.get(reverse("accounts:sign_in_admin")).status_code == 403
    assert staff.post(reverse("accounts:unlock"), {"username": "alice"}).status_code == 403
    assert lockout.locked_until("alice") is not None
    client = Client()
    client.force_login(security)
    page = client.get(reverse("accounts:sign_in_admin"))
    assert page.status_code == 200 and b'id="jk-locks"' in page.content and b"alice" in page.content
    assert client.post(reverse("accounts:unlock"), {"username": "alice"}).status_code == 302
    assert lockout.locked_until("alice") is None
    event = AuditEvent.objects.get(kind=Kind.UNLOCKED)
    assert event.actor_id == security.pk and event.target == f"core.user:{alice.pk}"
    assert signed_in(sign_in("alice", PASSWORD))
    # Nothing to unlock: no event.
    client.post(reverse("accounts:unlock"), {"username": "alice"})
    assert AuditEvent.objects.filter(kind=Kind.UNLOCKED).count() == 1


def test_a_lock_removed_in_the_admin_site_is_audited(alice):
    fail("alice", 5)
    AccessAttempt.objects.filter(username="alice").delete()
    assert AuditEvent.objects.filter(kind=Kind.UNLOCKED, target=f"core.user:{alice.pk}").count() == 1


# --- the client address ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.5", "10.0.0.9"),  # nobody is trusted to forward: the header is the client's own word
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # what the client wrote on the left is ignored
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.3", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.9"),  # did not come through both proxies
    ],
)
def test_the_client_address_counts_the_trusted_proxies(settings, proxies, forwarded, expected):
    settings.JINGKAI_TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "10.0.0.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected


def test_axes_and_the_audit_log_see_the_same_forwarded_address(settings, alice):
    settings.JINGKAI_TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.9")
    client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong"},
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5",
    )
    assert AccessAttempt.objects.get(username="alice").ip_address == "203.0.113.5"
    assert AuditEvent.objects.get(kind=Kind.LOGIN_FAILED).ip == "203.0.113.5"
