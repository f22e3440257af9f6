"""The demo lives up to the day it is loaded (issue 11 §1): this quarter's visits so far, a campaign running now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignStatus, CampaignTarget
from jingkai.visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _zone(demo_zone, db):
    return demo_zone


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def test_this_quarter_has_the_visits_of_the_days_gone_by_and_no_more():
    today = timezone.localdate()
    start = quarter_start(today)
    this_quarter = Visit.objects.filter(visited_on__gte=start)
    previous = Visit.objects.filter(
        visited_on__gte=quarter_start(start - dt.timedelta(days=1)), visited_on__lt=start
    )
    assert previous.count() > 200  # the quarter before is a full one
    if (today - start).days >= 7:
        assert 0 < this_quarter.count() < previous.count()
    assert not this_quarter.filter(visited_on__gte=today).exists()
    # Every quarter between the documents' last one (2023 Q2) and today has its visits.
    day = dt.date(2023, 7, 1)
    while day < start:
        assert Visit.objects.filter(
            visited_on__gte=day, visited_on__lt=quarter_start(day + dt.timedelta(days=95))
        ).exists(), day
        day = quarter_start(day + dt.timedelta(days=95))


def test_a_campaign_runs_today_half_answered():
    today = timezone.localdate()
    running = Campaign.objects.get(status=CampaignStatus.OPEN)
    assert running.opens_on <= today <= running.closes_on
    targets = CampaignTarget.objects.filter(campaign=running)
    answered = CampaignResponse.objects.filter(target__campaign=running)
    assert targets.count() > 200
    assert 0.3 < answered.count() / targets.count() < 0.7
    assert not answered.filter(answered_at__gt=timezone.now()).exists()


def test_certificates_are_renewed_so_valid_counts_stay_plausible_after_the_documents_years():
    from jingkai.enterprises.models import Honour

    def valid_on(day: dt.date) -> int:
        held = Honour.objects.filter(kind="high_tech", certified_on__lte=day, expires_on__gte=day)
        return held.values("enterprise").distinct().count()

    at_end_2022 = valid_on(dt.date(2022, 12, 31))
    assert at_end_2022 == 158  # the documents' figure, unchanged by the renewals
    for day in (dt.date(2023, 12, 31), dt.date(2024, 12, 31), timezone.localdate()):
        assert 0.75 * at_end_2022 <= valid_on(day) <= 1.1 * at_end_2022, day
    assert not Honour.objects.filter(certified_on__gt=timezone.localdate()).exists()
