"""jingkai investment-summary --year 2022 [--from DATE --to DATE] [--by country|chain|owner] [--json]"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.commands import JingkaiCommand
from jingkai.investment import services
from jingkai.investment.api import _jsonable, period


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": text}) from None


class Command(JingkaiCommand):
    help = gettext_lazy("Print the six official investment figures of a year or any period.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help=gettext_lazy("calendar year, e.g. 2022"))
        parser.add_argument(
            "--from", dest="date_from", help=gettext_lazy("first day of the period (YYYY-MM-DD)")
        )
        parser.add_argument("--to", dest="date_to", help=gettext_lazy("last day of the period (YYYY-MM-DD)"))
        parser.add_argument(
            "--by", choices=sorted(services.GROUPINGS), help=gettext_lazy("also break the figures down")
        )
        parser.add_argument("--json", action="store_true", help=gettext_lazy("print JSON instead of a table"))

    def handle(self, *args, year=None, date_from=None, date_to=None, by=None, json=False, **options):
        start, end = period(
            year, _date(date_from) if date_from else None, _date(date_to) if date_to else None
        )
        if end < start:
            raise CommandError(_("The end of the period is before its start."))
        result = services.summary(None, start, end, by=by)
        if json:
            self.stdout.write(_dump(_jsonable(result)))
            return
        self.stdout.write(_("Investment figures %(from)s – %(to)s") % {"from": start, "to": end})
        self._figures(result["figures"], "  ")
        for group in result["groups"]:
            self.stdout.write(f"{group['label']}:")
            self._figures(group["figures"], "    ")
        for note in result["notes"]:
            self.stdout.write(_("Note: %(note)s") % {"note": note})

    def _figures(self, figures: dict, indent: str) -> None:
        for figure in figures.values():
            self.stdout.write(f"{indent}{figure['label']}: {figure['display']}")


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
