"""jingkai holidays: the working-day calendar's override table (ADR 0004).

    jingkai holidays load FILE            load a CSV transcribed from the State Council's yearly notice
    jingkai holidays status [--from Y --to Y]   how each year is covered: notice / chinesecalendar / weekends

The CSV has the columns date, kind, name, source (docs/holidays-example.csv). kind is `holiday` (a day
off) or `workday` (an adjusted weekend working day, 调休上班). Every row is checked before anything is
written, and each error names its line. A file is the whole notice for each year it contains: loading it
replaces that year's rows, so loading the same file twice changes nothing and a corrected notice
removes dates the earlier one had.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import calendar
from jingkai.core.commands import JingkaiCommand
from jingkai.core.models import HolidayOverride

COLUMNS = ["date", "kind", "name", "source"]
KINDS = {"holiday": False, "workday": True}  # kind -> HolidayOverride.is_working_day


@dataclass(frozen=True)
class HolidayRow:
    line: int
    date: dt.date
    is_working_day: bool
    name: str
    source: str


def decode(data: bytes) -> str:
    # Excel on a Chinese Windows saves CSV as GB18030 (GBK); elsewhere it is UTF-8, often with a BOM.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.strip().replace("/", "-"))


def parse(text: str) -> tuple[list[HolidayRow], list[str]]:
    """All rows, or every error found (each naming its line); never half of either."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [_("The file is empty.")]
    header = [column.strip().lower() for column in header]
    if header[: len(COLUMNS)] != COLUMNS:
        return [], [
            _("Line 1: the columns must be %(expected)s, not %(found)s.")
            % {"expected": ",".join(COLUMNS), "found": ",".join(header)}
        ]
    rows: list[HolidayRow] = []
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) < len(COLUMNS):
            errors.append(
                _("Line %(line)d: expected %(expected)d columns, found %(found)d.")
                % {"line": line, "expected": len(COLUMNS), "found": len(values)}
            )
            continue
        raw_date, kind, name, source = (value.strip() for value in values[: len(COLUMNS)])
        problems = []
        try:
            date = parse_date(raw_date)
        except ValueError:
            date = None
            problems.append(_("“%(value)s” is not a date (YYYY-MM-DD)") % {"value": raw_date})
        if kind.lower() not in KINDS:
            problems.append(_("kind “%(value)s” must be holiday or workday") % {"value": kind})
        elif date is not None and KINDS[kind.lower()] and date.weekday() < 5:
            # The notice only ever moves work onto a weekend; a weekday "workday" is a transcription slip.
            problems.append(
                _("%(date)s is a weekday, so it cannot be an adjusted working day") % {"date": date}
            )
        if not name:
            problems.append(_("the name is empty (the festival, e.g. Spring Festival)"))
        if not source:
            problems.append(_("the source is empty (name the State Council notice)"))
        if date is not None and date in seen:
            problems.append(_("%(date)s is already on line %(line)d") % {"date": date, "line": seen[date]})
        if problems:
            errors.append(_("Line %(line)d: %(problems)s.") % {"line": line, "problems": "; ".join(problems)})
            continue
        seen[date] = line
        rows.append(HolidayRow(line, date, KINDS[kind.lower()], name, source))
    if not rows and not errors:
        errors.append(_("The file has a header but no dates."))
    return rows, errors


@transaction.atomic
def load(rows: list[HolidayRow]) -> dict[str, int]:
    """Make the table hold exactly these rows for every year they cover; returns counts of changes."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    years = {row.date.year for row in rows}
    dates = {row.date for row in rows}
    existing = {o.date: o for o in HolidayOverride.objects.filter(date__year__in=years)}
    for old in existing.values():
        if old.date not in dates:
            old.delete()  # simple-history keeps the deleted row
            counts["removed"] += 1
    for row in rows:
        current = existing.get(row.date)
        if current is None:
            HolidayOverride.objects.create(
                date=row.date, is_working_day=row.is_working_day, name=row.name, source=row.source
            )
            counts["created"] += 1
        elif (current.is_working_day, current.name, current.source) != (
            row.is_working_day,
            row.name,
            row.source,
        ):
            current.is_working_day, current.name, current.source = row.is_working_day, row.name, row.source
            current.save()
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


class Command(JingkaiCommand):
    help = gettext_lazy("Load the State Council's holiday notice from a CSV file, or show calendar coverage.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load_parser = actions.add_parser("load", help=gettext_lazy("load a CSV: date,kind,name,source"))
        load_parser.add_argument("file", help=gettext_lazy("the CSV file (UTF-8 or GB18030)"))
        status_parser = actions.add_parser("status", help=gettext_lazy("show how each year is covered"))
        status_parser.add_argument(
            "--from", dest="first", type=int, help=gettext_lazy("first year (default: this year)")
        )
        status_parser.add_argument(
            "--to", dest="last", type=int, help=gettext_lazy("last year (default: next year)")
        )

    def handle(self, *args, action, **options):
        if action == "load":
            self.load(options["file"])
        else:
            self.status(options.get("first"), options.get("last"))

    def load(self, file: str):
        path = Path(file)
        try:
            text = decode(path.read_bytes())
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        rows, errors = parse(text)
        if errors:
            for error in errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(
                _("Errors in %(file)s: %(count)d; nothing was loaded.") % {"count": len(errors), "file": file}
            )
        counts = load(rows)
        years = ", ".join(str(year) for year in sorted({row.date.year for row in rows}))
        self.stdout.write(
            _(
                "Dates loaded for %(years)s: %(rows)d (new %(created)d, changed %(updated)d, unchanged %(unchanged)d, removed %(removed)d)."
            )
            % {"rows": len(rows), "years": years, **counts}
        )

    def status(self, first: int | None, last: int | None):
        this_year = timezone.localdate().year
        first = first if first is not None else this_year
        last = last if last is not None else max(first, this_year + 1)
        if last < first:
            raise CommandError(_("--to must not be before --from."))
        per_year: dict[int, int] = {}
        for date in HolidayOverride.objects.filter(date__year__gte=first, date__year__lte=last).values_list(
            "date", flat=True
        ):
            per_year[date.year] = per_year.get(date.year, 0) + 1
        labels = {
            "notice": _("State Council notice (dates in the table: %(count)d)"),
            "official": _("chinesecalendar"),
            "weekends": _("weekends only: enter the State Council notice (jingkai holidays load)"),
        }
        for year in range(first, last + 1):
            kind = calendar.coverage(year, set(per_year))
            self.stdout.write(f"{year}\t{kind}\t{labels[kind] % {'count': per_year.get(year, 0)}}")
