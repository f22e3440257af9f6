"""jingkai.core.dates: month arithmetic, checked over generated dates against the calendar itself."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingkai.core import dates

days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))
shifts = st.integers(min_value=-600, max_value=600)


@given(days, shifts)
def test_add_months_counts_calendar_months(day, months):
    moved = dates.add_months(day, months)
    assert moved.day == 1
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert dates.add_months(moved, -months) == dates.month_start(day)


@given(days)
def test_month_end_is_the_last_day(day):
    end = dates.month_end(day)
    assert (end.year, end.month) == (day.year, day.month)
    assert end.day == calendar.monthrange(day.year, day.month)[1]
    assert end + dt.timedelta(days=1) == dates.add_months(day, 1)


@given(days, st.integers(min_value=1, max_value=60))
def test_months_back_ends_with_the_month_oldest_first(day, count):
    months = dates.months_back(day, count)
    assert len(months) == count and months[-1] == dates.month_start(day)
    assert all(dates.add_months(a, 1) == b for a, b in zip(months, months[1:], strict=False))


@given(days)
def test_parse_month_reads_what_month_key_writes(day):
    if day.year > 2100:  # beyond the input bounds (core.bounds.YEAR_MAX): refused, never misread
        with pytest.raises(ValueError):
            dates.parse_month(dates.month_key(day))
        return
    assert dates.parse_month(dates.month_key(day)) == dates.month_start(day)
    assert dates.parse_month(day.isoformat()) == dates.month_start(day)


@pytest.mark.parametrize(
    "text", ["", "2022", "2022-13", "2022-00", "2022-02-30", "2022/12", "十二月", "2022-1x"]
)
def test_parse_month_refuses_what_is_not_a_month(text):
    with pytest.raises(ValueError):
        dates.parse_month(text)
