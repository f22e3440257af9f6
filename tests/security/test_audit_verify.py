"""`jingkai audit verify` walks the hash chain in id order and names the first broken link; the retention purge
runs from the sweep, is itself audited, and leaves a chain that verifies (anchored on the purge's last hash)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from jingkai.core import audit
from jingkai.core.audit import GENESIS, AuditEvent
from jingkai.settings import env_int_floor
from jingkai.shell.sweeps import run_all

pytestmark = pytest.mark.django_db


def _events(n: int) -> list[AuditEvent]:
    return [audit.record(audit.Kind.LOGIN, username=f"u{i}", summary=f"event {i}") for i in range(n)]


def _verify() -> str:
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _broken() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify", stdout=io.StringIO())
    return str(caught.value)


def _tamper(sql: str, params) -> None:
    """Change a row as someone with the database's rights would: the trigger off, the statement, the trigger on
    (DDL inside the test's transaction, rolled back with it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            cursor.execute(sql, params)


def test_an_intact_chain_is_reported_with_its_length():
    _events(4)
    assert _verify().strip() == "4 events, chain intact"


def test_an_empty_log_is_intact():
    assert _verify().strip() == "0 events, chain intact"


def test_a_changed_row_is_the_first_broken_link():
    events = _events(5)
    _tamper("UPDATE core_auditevent SET summary = %s WHERE id = %s", ["forged", events[2].pk])
    message = _broken()
    assert f"chain broken at event {events[2].pk}" in message
    assert "no longer matches its hash" in message


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link():
    events = _events(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.summary = "forged"
    _tamper("UPDATE core_auditevent SET summary = %s, hash = %s WHERE id = %s",
            ["forged", forged.compute_hash(), events[1].pk])  # fmt: skip
    message = _broken()
    assert f"chain broken at event {events[2].pk}" in message
    assert f"(id {events[1].pk})" in message


def test_a_removed_row_breaks_the_link_of_the_row_after_it():
    events = _events(5)
    with transaction.atomic():
        audit.set_purge_gate(True)
        AuditEvent.objects.filter(pk=events[2].pk).delete()
        audit.set_purge_gate(False)
    count, broken = audit.verify()
    assert broken is not None and broken.id == events[3].pk
    assert events[1].hash in broken.problem and "removed" in broken.problem
    assert f"chain broken at event {events[3].pk}" in _broken()


def test_removing_the_first_rows_is_seen_too():
    events = _events(3)
    with transaction.atomic():
        audit.set_purge_gate(True)
        AuditEvent.objects.filter(pk=events[0].pk).delete()
        audit.set_purge_gate(False)
    count, broken = audit.verify()
    assert broken.id == events[1].pk and GENESIS in broken.problem


def _old_chain(n_old: int, n_new: int, days: int = 400) -> list[AuditEvent]:
    """n_old events dated `days` ago, then n_new recent ones, as one valid chain."""
    events = []
    start = timezone.now() - dt.timedelta(days=days)
    for i in range(n_old + n_new):
        event = audit.record(audit.Kind.EXPORT, username="eve", summary=f"e{i}", rows=i)
        if i < n_old:  # dated back: time and hash rewritten; the next record() follows the new hash
            at = start + dt.timedelta(minutes=i)
            event.at = at
            event.hash = event.compute_hash()
            _tamper("UPDATE core_auditevent SET at = %s, hash = %s WHERE id = %s", [at, event.hash, event.pk])
        events.append(event)
    assert audit.verify()[1] is None
    return events


@override_settings(JINGKAI_AUDIT_RETENTION_DAYS=200)
def test_the_sweep_purges_past_the_retention_and_audits_it():
    events = _old_chain(3, 2)
    results = run_all(timezone.now())
    assert results["audit"] == {"purged": 3}
    kept = list(AuditEvent.objects.order_by("id"))
    assert [e.pk for e in kept[:2]] == [events[3].pk, events[4].pk]
    purge_event = kept[-1]
    assert purge_event.kind == audit.Kind.AUDIT_PURGED
    assert purge_event.details["purged"] == 3
    assert purge_event.details["last_id"] == events[2].pk
    assert purge_event.details["last_hash"] == events[2].hash == kept[0].prev_hash
    assert purge_event.details["retention_days"] == 200
    # The chain verifies from the first kept row, anchored on the purge's last hash.
    assert _verify().strip() == "3 events, chain intact"
    # Idempotent: nothing more is old enough, and nothing is recorded.
    assert run_all(timezone.now())["audit"] == {}
    assert AuditEvent.objects.count() == 3


@override_settings(JINGKAI_AUDIT_RETENTION_DAYS=200)
def test_nothing_within_the_retention_is_purged():
    _old_chain(0, 3)
    assert audit.purge(timezone.now()) == {}
    assert AuditEvent.objects.count() == 3


@override_settings(JINGKAI_AUDIT_RETENTION_DAYS=200)
def test_a_second_purge_anchors_on_the_latest():
    _old_chain(2, 1, days=500)
    audit.purge(timezone.now())
    # A year on, everything written so far is past the retention: the new purge keeps only what follows it.
    later = timezone.now() + dt.timedelta(days=400)
    assert audit.purge(later) == {"purged": 2}
    assert audit.verify() == (1, None)
    assert AuditEvent.objects.get().kind == audit.Kind.AUDIT_PURGED


def test_removing_rows_after_a_purge_is_still_seen():
    with override_settings(JINGKAI_AUDIT_RETENTION_DAYS=200):
        events = _old_chain(2, 3)
        audit.purge(timezone.now())
    with transaction.atomic():
        audit.set_purge_gate(True)
        AuditEvent.objects.filter(pk=events[2].pk).delete()  # the first kept row
        audit.set_purge_gate(False)
    assert audit.verify()[1].id == events[3].pk


def test_the_retention_refuses_less_than_184_days(monkeypatch):
    monkeypatch.setenv("JINGKAI_AUDIT_RETENTION_DAYS", "183")
    with pytest.raises(ImproperlyConfigured, match="floor 184"):
        env_int_floor("JINGKAI_AUDIT_RETENTION_DAYS", 190, floor=184)
    monkeypatch.setenv("JINGKAI_AUDIT_RETENTION_DAYS", "184")
    assert env_int_floor("JINGKAI_AUDIT_RETENTION_DAYS", 190, floor=184) == 184
