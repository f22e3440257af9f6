"""The official Chinese working-day calendar.

Precedence for each date (RULES.md §7, issue 2 §5):
1. an admin-entered HolidayOverride row (from the State Council's yearly notice, 国务院办公厅关于
   部分节假日安排的通知) — it may declare a holiday or an adjusted weekend working day (调休上班);
2. chinesecalendar, for the years it knows (2004-2026 in the pinned release);
3. plain weekends, with a visible warning (never an exception): see uncovered_years().
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import chinese_calendar
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

_KNOWN_YEARS = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
OFFICIAL_FIRST_YEAR = min(_KNOWN_YEARS)
OFFICIAL_LAST_YEAR = max(_KNOWN_YEARS)


def _override_years(years: Iterable[int] | None = None) -> set[int]:
    """Years with an entered notice (among `years`, when given): one small query."""
    from jingkai.core.models import HolidayOverride

    if years is not None:
        return {year for year, rows in _overrides_of(years).items() if rows}
    return {day.year for day in HolidayOverride.objects.all().dates("date", "year")}


def _overrides_of(years: Iterable[int]) -> dict[int, dict[dt.date, bool]]:
    """The entered days of each year ({date: is working day}): one query for the years not read yet on this page
    (core.memo.page_memo: the calendar warning of the page and the deadlines of its panels read the same rows)."""
    from jingkai.core.memo import remember, remembered
    from jingkai.core.models import HolidayOverride

    found: dict[int, dict[dt.date, bool]] = {}
    missing = []
    for year in set(years):
        rows = remembered(("core.holiday_overrides", year))
        if rows is None:
            missing.append(year)
        else:
            found[year] = rows
    if missing:
        fetched: dict[int, dict[dt.date, bool]] = {year: {} for year in missing}
        for day, working in HolidayOverride.objects.filter(date__year__in=missing).values_list(
            "date", "is_working_day"
        ):
            fetched[day.year][day] = working
        for year, rows in fetched.items():
            remember(("core.holiday_overrides", year), rows)
        found.update(fetched)
    return found


def coverage(year: int, override_years: set[int] | None = None) -> str:
    """'notice' (override table), 'official' (chinesecalendar) or 'weekends' (fallback)."""
    years = _override_years() if override_years is None else override_years
    if year in years:
        return "notice"
    if OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR:
        return "official"
    return "weekends"


def uncovered_years(years: Iterable[int]) -> list[int]:
    years = set(years)
    known = _override_years(years)
    return sorted({y for y in years if coverage(y, known) == "weekends"})


class WorkingCalendar:
    """Answers is_working_day() with one query per calendar year it touches."""

    def __init__(self):
        self._overrides: dict[int, dict[dt.date, bool]] = {}
        self.warnings: list[str] = []

    def _year(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides:
            self._overrides[year] = dict(_overrides_of([year])[year])
            if not self._overrides[year] and not OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR:
                message = _(
                    "The official holidays of %(year)s have not been entered: working days in %(year)s are "
                    "counted as Monday to Friday until an administrator enters the State Council notice."
                ) % {"year": year}
                self.warnings.append(message)
                logger.warning("%s", message)  # in the UI language, as the page banner says it
        return self._overrides[year]

    def is_working_day(self, day: dt.date) -> bool:
        override = self._year(day.year).get(day)
        if override is not None:
            return override
        if OFFICIAL_FIRST_YEAR <= day.year <= OFFICIAL_LAST_YEAR:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after start (start itself not counted); n=0 gives start unchanged.

        A negative n counts backwards.
        """
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        day = start
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def is_working_day(day: dt.date) -> bool:
    return WorkingCalendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return WorkingCalendar().add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return WorkingCalendar().working_days_between(start, end)
