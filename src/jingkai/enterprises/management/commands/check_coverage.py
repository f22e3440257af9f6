"""jingkai check-coverage: the grid coverage invariant as an exit status (for cron and CI).

Every 规上 enterprise in one grid, every 规下 one in one community, every grid led and every community
staffed (see jingkai.enterprises.coverage). Prints each gap on one line, then a summary; exit status 1 when
there is any gap, 0 otherwise.
"""

from __future__ import annotations

import sys

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.commands import JingkaiCommand
from jingkai.enterprises.coverage import default_year, find_gaps


class Command(JingkaiCommand):
    help = gettext_lazy("List coverage gaps (enterprises outside any grid or community, unstaffed grids).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            help=gettext_lazy("the year whose above-size status counts (default: the latest)"),
        )

    def handle(self, *args, year=None, **options):
        year = year if year is not None else default_year()
        gaps = find_gaps(year=year)
        enterprise_gaps = 0
        for gap in gaps:
            if gap.enterprise_id is not None:
                enterprise_gaps += 1
                subject = f"{gap.enterprise_name} ({gap.uscc})"
            else:
                subject = gap.subject
            self.stdout.write(f"{gap.kind}\t{subject}\t{gap.reason}")
        year_text = str(year) if year is not None else "—"
        if gaps:
            self.stdout.write(
                _(
                    "Gaps for %(year)s: %(count)d (enterprises: %(enterprises)d, grids or communities: %(units)d)."
                )
                % {
                    "count": len(gaps),
                    "year": year_text,
                    "enterprises": enterprise_gaps,
                    "units": len(gaps) - enterprise_gaps,
                }
            )
            self.stdout.flush()
            sys.exit(1)
        self.stdout.write(
            _("No gaps for %(year)s: every enterprise is in a grid or community and every one is staffed.")
            % {"year": year_text}
        )
