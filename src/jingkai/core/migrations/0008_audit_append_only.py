"""The audit log is append-only at the database (docs/security.md §3).

PostgreSQL: a trigger refuses UPDATE, DELETE and TRUNCATE on core_auditevent unless the transaction-local
setting `jingkai.audit_purge` is 'on' (set only by `jingkai.core.audit.purge`, and by `flush`, which empties
every table); UPDATE is refused always. SQLite: triggers raise on UPDATE, and on DELETE unless the one row of
`jingkai_audit_gate` (a table outside Django's models, so `flush` never empties it) says purge = 1.

SQLite rebuilds a table to alter it, which drops its triggers: a later migration that alters AuditEvent must
run SQLITE_FORWARD again (tests/security/test_audit_append_only.py fails otherwise).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION jingkai_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') AND current_setting('jingkai.audit_purge', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log (core_auditevent) is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION jingkai_audit_append_only();
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION jingkai_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS jingkai_audit_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS jingkai_audit_gate "
    "(id INTEGER PRIMARY KEY CHECK (id = 1), purge INTEGER NOT NULL DEFAULT 0)",
    "INSERT OR IGNORE INTO jingkai_audit_gate (id, purge) VALUES (1, 0)",
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log (core_auditevent) is append-only: UPDATE refused'); END",
    "CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent "
    "WHEN NOT EXISTS (SELECT 1 FROM jingkai_audit_gate WHERE id = 1 AND purge = 1) "
    "BEGIN SELECT RAISE(ABORT, 'the audit log (core_auditevent) is append-only: DELETE refused'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TABLE IF EXISTS jingkai_audit_gate",
]


def _run(statements, schema_editor):
    if isinstance(statements, str):
        statements = [statements]
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(PG_FORWARD, schema_editor)
    elif vendor == "sqlite":
        _run(SQLITE_FORWARD, schema_editor)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(PG_BACKWARD, schema_editor)
    elif vendor == "sqlite":
        _run(SQLITE_BACKWARD, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_superuser_is_system_admin")]

    operations = [migrations.RunPython(forward, backward)]
