"""The audit log's append and its hash chain (jingkai.core.audit)."""

from __future__ import annotations

import pytest

from jingkai.core import audit
from jingkai.core.audit import GENESIS, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_event_follows_the_one_before():
    user = UserFactory(username="alice")
    first = audit.record(audit.Kind.LOGIN, user=user, summary="签到")
    second = audit.record(audit.Kind.EXPORT, user=user, target=user, rows=3, sha256="ab")
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    stored = AuditEvent.objects.get(pk=second.pk)
    # The hash recomputed from the stored row equals the one written: the details survive the round trip.
    assert stored.compute_hash() == stored.hash
    assert stored.actor_username == "alice"
    assert stored.target == f"core.user:{user.pk}"
    assert stored.details == {"rows": 3, "sha256": "ab"}


def test_a_changed_row_no_longer_matches_its_hash():
    event = audit.record(audit.Kind.LOGIN_FAILED, username="nobody", summary="x")
    event.summary = "y"
    assert event.compute_hash() != event.hash
