"""jingkai restore DIR: restore a backup folder into an EMPTY database and MEDIA_ROOT, then verify it.

Refuses a database that holds any table, or a non-empty MEDIA_ROOT, and a backup whose files do not match
their SHA-256 in the manifest, before touching anything. After restoring it compares every table's row count
and checksum with the manifest and reports; exit status 1 on any difference. Audited (RESTORE).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import audit, backup
from jingkai.core.commands import JingkaiCommand


class Command(JingkaiCommand):
    help = gettext_lazy(
        "Restore a backup into an empty database and verify every table against its manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", help=gettext_lazy("the backup's folder (the one holding manifest.json)")
        )

    def handle(self, *args, folder, **options):
        started = time.perf_counter()
        path = Path(folder).expanduser().resolve()
        try:
            result = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(_("Nothing was restored: %(reason)s") % {"reason": exc}) from None
        seconds = time.perf_counter() - started
        for problem in result.problems:
            self.stdout.write(_("MISMATCH %(problem)s") % {"problem": problem})
        for note in result.notes:
            self.stdout.write(note)
        audit.record(
            audit.Kind.RESTORE,
            target=str(path),
            summary=f"{path.name}: {result.tables} tables verified, {len(result.problems)} mismatches",
            ok=result.ok,
            path=str(path),
            tables=result.tables,
            rows=result.rows,
            problems=result.problems[:50],
            seconds=round(seconds, 1),
        )
        if not result.ok:
            raise CommandError(
                _("Restored, but %(count)d tables differ from the manifest (listed above).")
                % {"count": len(result.problems)}
            )
        self.stdout.write(
            _("Restored and verified %(tables)d tables, %(rows)d rows, in %(seconds).1f s.")
            % {"tables": result.tables, "rows": result.rows, "seconds": seconds}
        )
