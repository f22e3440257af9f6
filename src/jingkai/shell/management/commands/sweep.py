"""jingkai sweep: mark overdue work, escalate, remind, and e-mail the notifications that produced.

    jingkai sweep [--at "2026-11-23 09:00"]

Run it from cron (e.g. every 15 minutes on working hours) or from the worker; it is idempotent. Two runs never
overlap (core.locks: an advisory lock on PostgreSQL, a file lock on SQLite): a run that finds another one
running says so and exits with status 0 at once, so an overlapping cron run is not an error.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import locks
from jingkai.core.commands import JingkaiCommand
from jingkai.shell.sweeps import run_all


class Command(JingkaiCommand):
    help = gettext_lazy("Mark overdue demands, escalate them, send reminders and e-mail notifications.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            help=gettext_lazy(
                "run as if it were this moment (YYYY-MM-DD or YYYY-MM-DD HH:MM), for catching up"
            ),
        )

    def handle(self, *args, at=None, **options):
        now = timezone.now()
        if at:
            try:
                parsed = dt.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(_("--at must look like 2026-11-23 or 2026-11-23 09:00.")) from None
            now = timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
        with locks.exclusive("sweep") as held:
            if not held:
                self.stdout.write(_("Another sweep is running: this one did nothing."))
                return
            results = run_all(now, stdout=self.stdout)
        for part, counts in results.items():
            if counts:
                figures = ", ".join(f"{k}={v}" for k, v in counts.items())
                self.stdout.write(f"{part}: {figures}")
