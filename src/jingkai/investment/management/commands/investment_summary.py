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
        parser.add_argument("--year", type=int)
        parser.add_argument("--from", dest="date_from")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--by", choices=sorted(services.GROUPINGS))
        parser.add_argument("--json", action="store_true")

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
