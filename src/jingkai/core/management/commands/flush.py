"""Django's `flush` (empty every table), which also empties the append-only audit log.

The audit log's triggers refuse DELETE and TRUNCATE (core migration 0008); emptying the whole database is the
one other sanctioned deletion besides the purge, so this opens the database's purge gate for the flush and
closes it again. The test runner flushes between transactional tests through this command.
"""

from __future__ import annotations

from contextlib import suppress

from django.core.management.commands import flush
from django.db import DatabaseError

from jingkai.core import audit


class Command(flush.Command):
    def handle(self, **options):
        using = options["database"]
        with suppress(DatabaseError):  # not migrated yet: no gate, no triggers
            audit.set_purge_gate(True, local=False, using=using)
        try:
            return super().handle(**options)
        finally:
            with suppress(DatabaseError):
                audit.set_purge_gate(False, local=False, using=using)
