"""Month arithmetic, in one place (statistics periods, dashboards, reports and ledgers all count months).

A month is represented by its first day (`dt.date(2023, 6, 1)`), as the statistics periods are stored.
Working days and official holidays are another matter: `jingkai.core.calendar`.
"""

from __future__ import annotations

import datetime as dt

from jingkai.core.bounds import YEAR_MAX, YEAR_MIN


def month_start(day: dt.date) -> dt.date:
    """The first day of day's month."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` after day's month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    """The last day of day's month."""
    return add_months(day, 1) - dt.timedelta(days=1)


def months_back(day: dt.date, count: int) -> list[dt.date]:
    """The first days of the `count` months ending with day's month, oldest first."""
    return [add_months(day, -back) for back in range(count - 1, -1, -1)]


def parse_month(text: str) -> dt.date:
    """ "2022-12" (or "2022-12-01", "2022-6") -> 2022-12-01; ValueError for anything else.

    The year is between 1900 and 2100 (core.bounds): "0001-01" is a typo, and a month before year 1 or after
    9999 would break the year-on-year arithmetic of every page that reads it.
    """
    parts = str(text).strip().split("-")
    if len(parts) not in (2, 3) or not all(part.isdigit() and part.isascii() for part in parts):
        raise ValueError(f"not a month: {text!r}")
    if len(parts[0]) != 4 or not YEAR_MIN <= int(parts[0]) <= YEAR_MAX or len(parts[1]) > 2:
        raise ValueError(f"not a month between {YEAR_MIN} and {YEAR_MAX}: {text!r}")
    year, month = int(parts[0]), int(parts[1])
    if len(parts) == 3:
        dt.date(year, month, int(parts[2]))  # a day that does not exist is refused, not dropped
    return dt.date(year, month, 1)


def month_key(day: dt.date) -> str:
    """ "2022-12": how pages, exports and the API name a month."""
    return f"{day:%Y-%m}"
