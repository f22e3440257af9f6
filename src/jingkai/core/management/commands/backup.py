"""jingkai backup [--to DIR]: the database, the media folder and a manifest, in a new folder under DIR.

PostgreSQL through `pg_dump --format=custom`, SQLite through its online backup API; the manifest holds every
table's row count and checksum (jingkai.core.backup). Audited (BACKUP). Two backups never overlap.
Exit status 0 when the backup is whole, 1 otherwise. Schedule it (docs/operations.md, "Backups").
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import audit, backup, locks
from jingkai.core.commands import JingkaiCommand


class Command(JingkaiCommand):
    help = gettext_lazy("Back up the database and the media folder, with a manifest of every table.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            help=gettext_lazy("folder to write the backup under (default JINGKAI_BACKUP_DIR, var/backups)"),
        )

    def handle(self, *args, to=None, **options):
        with locks.exclusive("backup") as held:
            if not held:
                raise CommandError(_("Another backup is running: this one did nothing."))
            try:
                made = backup.make_backup(to)
            except Exception as exc:  # a refusal, pg_dump's failure, a full disk: audited all the same
                audit.record(
                    audit.Kind.BACKUP, summary=f"backup failed: {exc}"[:500], ok=False, error=str(exc)
                )
                if isinstance(exc, backup.BackupError):
                    raise CommandError(_("The backup failed: %(reason)s") % {"reason": exc}) from None
                raise
        tables = made.manifest["tables"]
        rows = sum(t["rows"] for t in tables.values())
        audit.record(
            audit.Kind.BACKUP,
            target=str(made.path),
            summary=f"{made.path.name}: {len(tables)} tables, {rows} rows",
            ok=True,
            path=str(made.path),
            tables=len(tables),
            rows=rows,
            media_files=made.manifest["media"]["files"],
            manifest_sha256=backup.sha256_of(made.path / backup.MANIFEST),
            seconds=round(made.seconds, 1),
        )
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)d tables, %(rows)d rows, %(files)d media files, in %(seconds).1f s."
            )
            % {
                "path": made.path,
                "tables": len(tables),
                "rows": rows,
                "files": made.manifest["media"]["files"],
                "seconds": made.seconds,
            }
        )
