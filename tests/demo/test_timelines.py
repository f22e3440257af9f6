"""Every demo timeline is ordered, checked over all demo rows (issue 11 §1): no step before its demand was filed,
no step after now, a demand's steps in the order they were taken; no arrival before signing, no stage event before
the first contact; no visit in the future; no campaign answer outside its campaign."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.utils import timezone

from jingkai.campaigns.models import CampaignResponse
from jingkai.demands.models import Demand, DemandEvent
from jingkai.investment.models import Arrival, Project, StageEvent
from jingkai.visits.models import Visit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _zone(demo_zone, db):
    return demo_zone


def test_every_demand_step_is_after_its_filing_in_order_and_not_in_the_future():
    now = timezone.now()
    events = list(DemandEvent.objects.order_by("demand_id", "id").values_list("demand_id", "at", "action"))
    filed = dict(Demand.objects.values_list("pk", "submitted_at"))
    assert len(events) > 5000  # the whole demo, not a sample
    before = [(d, a) for d, at, a in events if at < filed[d]]
    assert before == []
    assert [(d, a) for d, at, a in events if at > now] == []
    backwards = [
        (d, a) for (d, at, a), (d0, at0, _a0) in zip(events[1:], events, strict=False) if d == d0 and at < at0
    ]
    assert backwards == []
    for field in ("replied_at", "closed_at", "rated_at"):
        assert not Demand.objects.filter(**{f"{field}__lt": F("submitted_at")}).exists(), field
    # A rating follows a reply: the first reply (its event) comes before the first rating.
    first_reply, first_rating = {}, {}
    for demand_id, at, action in events:
        if action == "reply":
            first_reply.setdefault(demand_id, at)
        if action == "rate":
            first_rating.setdefault(demand_id, at)
    assert [d for d, at in first_rating.items() if d not in first_reply or at < first_reply[d]] == []


def test_every_merge_points_at_an_older_demand():
    merged = Demand.objects.filter(merged_into__isnull=False)
    assert merged.exists()
    assert not merged.filter(merged_into__submitted_at__gt=F("submitted_at")).exists()


def test_investment_timelines_are_ordered():
    today = timezone.localdate()
    projects = Project.objects.all()
    assert projects.count() > 50
    for earlier, later in (
        ("first_contact_on", "contract_on"),
        ("contract_on", "approval_on"),
        ("contract_on", "started_on"),
        ("started_on", "production_on"),
        ("production_on", "full_production_on"),
    ):
        assert not projects.filter(**{f"{later}__lt": F(earlier)}).exists(), (earlier, later)
    arrivals = Arrival.objects.all()
    assert arrivals.count() > 50
    assert not arrivals.filter(on__lt=F("project__contract_on")).exists()
    assert not arrivals.filter(on__gt=today).exists()
    assert not StageEvent.objects.filter(on__lt=F("project__first_contact_on")).exists()
    assert not StageEvent.objects.filter(on__gt=today).exists()


def test_no_visit_in_the_future_and_every_answer_within_its_campaign():
    assert Visit.objects.count() > 1000
    assert not Visit.objects.filter(visited_on__gt=timezone.localdate()).exists()
    answers = CampaignResponse.objects.select_related("target__campaign")
    assert answers.count() > 100
    for answer in answers:
        campaign = answer.target.campaign
        assert campaign.opens_on <= timezone.localdate(answer.answered_at) <= campaign.closes_on
