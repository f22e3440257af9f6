"""The audit log is append-only at the database (core migration 0008), on SQLite and PostgreSQL alike: an
UPDATE, a DELETE (a plain queryset delete too) and on PostgreSQL a TRUNCATE fail; the purge's gate is the one
sanctioned deletion, and `flush` (emptying every table) opens it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jingkai.core import audit
from jingkai.core.audit import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit.record(audit.Kind.LOGIN, user=UserFactory(username="carol"), summary="x")


def _refused(action):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        action()


def test_an_update_is_refused_by_the_database(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten"))
    event.summary = "rewritten"
    _refused(event.save)
    with connection.cursor() as cursor:
        _refused(
            lambda: cursor.execute("UPDATE core_auditevent SET summary = 'raw' WHERE id = %s", [event.pk])
        )
    assert AuditEvent.objects.get(pk=event.pk).summary == "x"


def test_a_delete_is_refused_by_the_database(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(event.delete)
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute("DELETE FROM core_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncate_is_refused_on_postgresql(event):
    with connection.cursor() as cursor:
        _refused(lambda: cursor.execute("TRUNCATE core_auditevent"))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_purge_gate_is_the_only_way_to_delete_and_closes_again(event):
    with transaction.atomic():
        audit.set_purge_gate(True)
        AuditEvent.objects.filter(pk=event.pk).delete()
        audit.set_purge_gate(False)
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    # Closed again: the next delete fails; the gate never allows an UPDATE.
    other = audit.record(audit.Kind.LOGOUT, username="carol")
    _refused(lambda: AuditEvent.objects.filter(pk=other.pk).delete())
    with transaction.atomic():
        audit.set_purge_gate(True)
        _refused(lambda: AuditEvent.objects.filter(pk=other.pk).update(summary="y"))
        audit.set_purge_gate(False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's setting is transaction-local")
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_gate_ends_with_its_transaction():
    event = audit.record(audit.Kind.LOGIN, username="carol")
    with transaction.atomic():
        audit.set_purge_gate(True)  # a purge that raises before closing it
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_log_and_leaves_it_protected():
    audit.record(audit.Kind.LOGIN, username="dave")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    kept = audit.record(audit.Kind.LOGIN, username="dave")
    _refused(lambda: AuditEvent.objects.filter(pk=kept.pk).delete())
    _refused(lambda: AuditEvent.objects.filter(pk=kept.pk).update(summary="z"))
