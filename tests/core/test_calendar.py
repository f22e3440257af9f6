"""Official Chinese working days (ADR 0004): override table, then chinesecalendar, then weekends with a warning."""

import datetime as dt

import pytest

from jingkai.core import calendar
from jingkai.core.calendar import WorkingCalendar, add_working_days, is_working_day, working_days_between
from jingkai.core.models import HolidayOverride

D = dt.date.fromisoformat
# The first year chinesecalendar does not know (2027 with the release pinned today); computed so the tests
# keep meaning "a year with no official data" after an upgrade.
UNKNOWN_YEAR = calendar.OFFICIAL_LAST_YEAR + 1

pytestmark = pytest.mark.django_db


def test_national_day_holiday_is_skipped():
    # 2025-10-01..08 is the National Day and Mid-Autumn holiday.
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-09")


def test_an_adjusted_weekend_working_day_counts():
    assert D("2025-09-28").weekday() == 6  # a Sunday, worked before the National Day holiday
    assert is_working_day(D("2025-09-28"))
    assert add_working_days(D("2025-09-26"), 1) == D("2025-09-28")
    assert add_working_days(D("2025-10-10"), 1) == D("2025-10-11")  # a Saturday worked after it


def test_spring_festival_is_skipped():
    # 2025-01-28..02-04 off; Sunday 01-26 and Saturday 02-08 worked.
    assert add_working_days(D("2025-01-27"), 1) == D("2025-02-05")
    assert add_working_days(D("2025-01-24"), 1) == D("2025-01-26")
    # (01-27, 02-10]: 02-05, 02-06, 02-07, the worked Saturday 02-08, and 02-10.
    assert working_days_between(D("2025-01-27"), D("2025-02-10")) == 5


def test_zero_days_is_the_start_itself_even_on_a_holiday():
    assert add_working_days(D("2025-10-03"), 0) == D("2025-10-03")


def test_negative_days_count_backwards():
    assert add_working_days(D("2025-10-09"), -1) == D("2025-09-30")
    assert add_working_days(D("2025-02-05"), -2) == D("2025-01-26")


def test_working_days_between_is_signed_and_excludes_the_start():
    assert working_days_between(D("2025-09-30"), D("2025-10-09")) == 1
    assert working_days_between(D("2025-10-09"), D("2025-09-30")) == -1
    assert working_days_between(D("2025-10-09"), D("2025-10-09")) == 0
    # An ordinary week: Monday to the next Monday holds five working days.
    assert working_days_between(D("2025-06-09"), D("2025-06-16")) == 5


def test_add_and_between_agree():
    start = D("2025-09-15")
    for n in range(0, 40, 7):
        assert working_days_between(start, add_working_days(start, n)) == n


def test_an_override_takes_precedence_over_chinesecalendar():
    # The table says 2025-10-09 is a holiday and 2025-10-04 (a holiday for chinesecalendar) a working day.
    HolidayOverride.objects.create(date=D("2025-10-09"), is_working_day=False, name="国庆节", source="test")
    HolidayOverride.objects.create(date=D("2025-10-04"), is_working_day=True, name="国庆节", source="test")
    cal = WorkingCalendar()
    assert not cal.is_working_day(D("2025-10-09"))
    assert cal.is_working_day(D("2025-10-04"))
    assert cal.add_working_days(D("2025-10-03"), 1) == D("2025-10-04")
    assert cal.add_working_days(D("2025-10-04"), 1) == D("2025-10-10")
    assert cal.warnings == []
    assert calendar.coverage(2025) == "notice"


def test_a_year_without_official_data_falls_back_to_weekdays_with_a_warning():
    cal = WorkingCalendar()
    first = dt.date(UNKNOWN_YEAR, 1, 1)
    result = cal.add_working_days(first, 5)
    expected, day = 0, first
    while expected < 5:  # the same count done by hand: Monday to Friday only
        day += dt.timedelta(days=1)
        expected += day.weekday() < 5
    assert result == day
    assert len(cal.warnings) == 1  # once per year, however many days were asked
    assert str(UNKNOWN_YEAR) in cal.warnings[0]
    assert calendar.coverage(UNKNOWN_YEAR) == "weekends"
    assert calendar.uncovered_years([2025, UNKNOWN_YEAR]) == [UNKNOWN_YEAR]


def test_a_year_with_entered_notice_has_no_warning():
    monday = dt.date(UNKNOWN_YEAR, 1, 4)
    while monday.weekday() != 0:
        monday += dt.timedelta(days=1)
    HolidayOverride.objects.create(date=monday, is_working_day=False, name="元旦", source="test")
    cal = WorkingCalendar()
    assert not cal.is_working_day(monday)
    assert cal.is_working_day(monday + dt.timedelta(days=1))  # not in the notice: an ordinary weekday
    assert cal.warnings == []
    assert calendar.uncovered_years([UNKNOWN_YEAR]) == []


def test_one_query_per_year(django_assert_max_num_queries):
    cal = WorkingCalendar()
    with django_assert_max_num_queries(2):
        cal.working_days_between(D("2025-12-01"), D("2026-01-31"))
