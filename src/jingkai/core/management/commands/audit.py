"""jingkai audit verify | purge: the audit log's hash chain and its retention (docs/security.md §3).

jingkai audit verify   walks the chain in id order; "N events, chain intact", or the first broken link
                       (row id and what differs) and exit status 1
jingkai audit purge    deletes the events older than JINGKAI_AUDIT_RETENTION_DAYS (the sweep runs it too)
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy

from jingkai.core import audit
from jingkai.core.commands import JingkaiCommand


class Command(JingkaiCommand):
    help = gettext_lazy("Verify the audit log's hash chain, or purge the events past their retention.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "purge"])

    def handle(self, *args, action, **options):
        if action == "purge":
            counts = audit.purge()
            self.stdout.write(f"{counts.get('purged', 0)} events purged")
            return
        count, broken = audit.verify()
        if broken is None:
            self.stdout.write(f"{count} events, chain intact")
            return
        raise CommandError(f"chain broken at event {broken.id} (event {count} in id order): {broken.problem}")
