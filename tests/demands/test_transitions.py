"""Every transition, allowed and refused, by role and by state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jingkai.core.models import Department
from jingkai.demands import services
from jingkai.demands.models import Demand, DemandEvent, DemandState, ExtensionStatus
from tests.conftest import PERSONAS
from tests.demands.conftest import PATH_TO, step

S = DemandState

# A valid set of parameters for each step (the role/state matrix must not fail on a missing reason).
PARAMS = {
    "accept": {},
    "reject": {"note": "不属于受理范围"},
    "merge": {},  # original added in the test
    "assign": {"department": "econ"},
    "reassign": {"department": "other", "note": "职责调整"},
    "take": {},
    "return": {"note": "不属于本部门职责"},
    "request_extension": {"note": "需要协调省级部门", "until": "later"},
    "approve_extension": {"note": "同意"},
    "refuse_extension": {"note": "不同意"},
    "reply": {"note": "已答复企业"},
    "rate": {"rating": 4},
    "reopen": {"note": "问题没有解决"},
    "supervise": {"note": "请尽快办理"},
}

# Who may take each step on a demand of above1 routed to 经济发展局 (persona names of tests/conftest.py).
ALLOWED = {
    "accept": {"zone_admin"},
    "reject": {"zone_admin"},
    "merge": {"zone_admin"},
    "assign": {"zone_admin"},
    "reassign": {"zone_admin"},
    "take": {"department"},
    "return": {"department"},
    "request_extension": {"department"},
    "approve_extension": {"zone_admin"},
    "refuse_extension": {"zone_admin"},
    "reply": {"department"},
    "rate": {"zone_admin", "enterprise"},
    "reopen": {"zone_admin", "enterprise"},
    "supervise": {"zone_admin", "grid_leader"},
}


def _params(zone, name, demand, file_demand):
    params = dict(PARAMS[name])
    if "department" in params:
        code = params["department"]
        params["department"] = Department.objects.get_or_create(code=code, defaults={"name": f"{code}局"})[0]
    if params.get("until") == "later":
        params["until"] = services.WorkingCalendar().add_working_days(demand.due_on, 3)
    if name == "merge":
        params["original"] = file_demand(enterprise=zone.above2)
    return params


def _ready(zone, demand_in, name):
    """A demand in the first state the step accepts (with an extension pending when needed)."""
    source = services.TRANSITIONS[name].sources[0]
    demand = demand_in(source)
    if name in ("approve_extension", "refuse_extension"):
        until = services.WorkingCalendar().add_working_days(demand.due_on, 2)
        demand = step(demand, "request_extension", zone["department"], until=until, note="材料待补")
    return demand


@pytest.mark.parametrize("name", list(services.TRANSITIONS))
def test_role_matrix(zone, demand_in, file_demand, name):
    """Each persona tries the step: the allowed ones succeed (on a fresh demand each), the others get 403."""
    refused_demand = _ready(zone, demand_in, name)
    for persona in PERSONAS:
        demand = _ready(zone, demand_in, name) if persona in ALLOWED[name] else refused_demand
        params = _params(zone, name, demand, file_demand)
        events_before = DemandEvent.objects.filter(demand=demand).count()
        if persona in ALLOWED[name]:
            after = step(demand, name, zone[persona], **params)
            assert after.version == demand.version + 1, persona
            event = DemandEvent.objects.filter(demand=demand).order_by("-id").first()
            assert (event.action, event.actor, event.from_state) == (name, zone[persona], demand.state)
        else:
            with pytest.raises(services.TransitionForbidden):
                step(demand, name, zone[persona], **params)
            fresh = Demand.objects.get(pk=demand.pk)
            assert (fresh.state, fresh.version) == (demand.state, demand.version), persona
            assert DemandEvent.objects.filter(demand=demand).count() == events_before, persona


STATES = ["submitted", "accepted", "assigned", "in_progress", "replied", "closed", "rejected"]


@pytest.mark.parametrize("state", STATES)
def test_state_matrix(zone, demand_in, file_demand, state):
    """From a state the table does not list, a step is refused with the current state; nothing changes."""
    demand = demand_in(state)
    refused = [name for name, t in services.TRANSITIONS.items() if state not in t.sources]
    assert refused
    for name in refused:
        actor = zone["department"] if "department" in ALLOWED[name] else zone["zone_admin"]
        params = (
            _params(zone, name, demand, file_demand)
            if name != "request_extension"
            else {"note": "x", "until": dt.date(2100, 1, 1)}
        )
        with pytest.raises(services.TransitionConflict) as conflict:
            step(demand, name, actor, **params)
        assert conflict.value.state == state, name
        assert Demand.objects.get(pk=demand.pk).version == demand.version


def test_the_whole_loop_writes_one_event_per_step(zone, demand_in):
    demand = demand_in("closed")
    actions = list(DemandEvent.objects.filter(demand=demand).values_list("action", "from_state", "to_state"))
    assert actions == [
        ("submit", "", "submitted"),
        ("accept", "submitted", "accepted"),
        ("assign", "accepted", "assigned"),
        ("take", "assigned", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("rate", "replied", "closed"),
    ]
    assert demand.closed_at is not None and demand.rating == 5
    assert demand.history.count() == len(actions)  # simple-history: every change recorded


@pytest.mark.parametrize(
    ("name", "state", "field"),
    [
        ("reject", "submitted", "note"),
        ("reassign", "assigned", "note"),
        ("return", "in_progress", "note"),
        ("reply", "in_progress", "note"),
        ("reopen", "closed", "note"),
        ("supervise", "accepted", "note"),
        ("assign", "accepted", "department"),
    ],
)
def test_steps_needing_a_reason_refuse_without_one(zone, demand_in, name, state, field):
    demand = demand_in(state)
    actor = zone["department"] if "department" in ALLOWED[name] else zone["zone_admin"]
    params = {"department": Department.objects.create(code="x", name="某局")} if name == "reassign" else {}
    with pytest.raises(ValidationError) as refused:
        step(demand, name, actor, **params)
    assert field in refused.value.message_dict
    assert Demand.objects.get(pk=demand.pk).state == state


@pytest.mark.parametrize("rating", [1, 2])
def test_a_bad_rating_reopens_with_a_mandatory_reason(zone, demand_in, rating):
    demand = demand_in("replied")
    with pytest.raises(ValidationError):
        step(demand, "rate", zone["enterprise"], rating=rating)
    demand = step(demand, "rate", zone["enterprise"], rating=rating, note="厂区道路仍未修好")
    assert demand.state == S.IN_PROGRESS
    assert demand.reopen_count == 1 and demand.rating == rating
    assert demand.due_on is not None


@pytest.mark.parametrize("rating", [3, 4, 5])
def test_basically_satisfied_or_better_closes(zone, demand_in, rating):
    demand = step(demand_in("replied"), "rate", zone["enterprise"], rating=rating)
    assert demand.state == S.CLOSED


def test_a_rating_off_the_scale_is_refused(zone, demand_in):
    demand = demand_in("replied")
    for bad in (0, 6, None, "good"):
        with pytest.raises(ValidationError):
            step(demand, "rate", zone["enterprise"], rating=bad)


def test_return_goes_back_to_the_zone_admin_and_the_department_still_sees_it(zone, demand_in):
    demand = step(demand_in("assigned"), "return", zone["department"], note="不属于本部门")
    assert demand.state == S.ACCEPTED and demand.department_id is None
    assert Demand.objects.visible_to(zone["department"]).filter(pk=demand.pk).exists()


def test_extension_must_be_asked_before_the_deadline(zone, demand_in):
    demand = demand_in("in_progress")
    late = demand.due_on + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.transition(
            demand,
            "request_extension",
            actor=zone["department"],
            note="x",
            until=late + dt.timedelta(days=5),
            now=services.timezone.make_aware(dt.datetime.combine(late, dt.time(10))),
        )
    assert "until" in refused.value.message_dict


def test_extension_too_long_is_refused_and_an_approved_one_moves_the_deadline(zone, demand_in):
    demand = demand_in("in_progress")
    calendar = services.WorkingCalendar()
    with pytest.raises(ValidationError):
        step(
            demand,
            "request_extension",
            zone["department"],
            note="x",
            until=calendar.add_working_days(demand.due_on, 21),
        )
    until = calendar.add_working_days(demand.due_on, 5)
    demand = step(demand, "request_extension", zone["department"], note="需省厅批复", until=until)
    assert demand.extension_status == ExtensionStatus.PENDING and demand.due_on != until
    demand = step(demand, "approve_extension", zone["zone_admin"])
    assert demand.due_on == until and demand.extension_status == ExtensionStatus.APPROVED


def test_merge_links_the_duplicate_and_both_enterprises_follow_the_original(zone, file_demand):
    from jingkai.enterprises.models import Contact
    from tests import factories as f

    other_contact = f.UserFactory(username="contact2", role="enterprise")
    Contact.objects.create(enterprise=zone.above2, name="乙联系人", user=other_contact)
    original = file_demand(enterprise=zone.above1, description="园区东门道路破损，货车通行困难")
    duplicate = file_demand(enterprise=zone.above2, description="东门道路破损影响货车进出")
    duplicate = step(duplicate, "merge", zone["zone_admin"], original=original)
    assert duplicate.state == S.MERGED and duplicate.merged_into_id == original.pk
    assert Demand.objects.visible_to(other_contact).filter(pk=original.pk).exists()
    assert not Demand.objects.visible_to(zone["enterprise"]).filter(pk=duplicate.pk).exists()
    # An update of the original reaches both enterprises.
    for name, persona, params in PATH_TO["replied"]:
        if "department" in params:
            params = {**params, "department": Department.objects.get(code="econ")}
        original = step(original, name, zone[persona], **params)
    recipients = set(
        zone["enterprise"].notifications.filter(kind="demand.reply").values_list("recipient_id", flat=True)
    ) | set(other_contact.notifications.filter(kind="demand.reply").values_list("recipient_id", flat=True))
    assert recipients == {zone["enterprise"].pk, other_contact.pk}


def test_a_stale_version_is_refused_with_the_current_state(zone, demand_in):
    demand = demand_in("submitted")
    stale = Demand.objects.get(pk=demand.pk)
    step(demand, "accept", zone["zone_admin"])
    with pytest.raises(services.TransitionConflict) as refused:
        step(stale, "reject", zone["zone_admin"], note="重复")
    assert refused.value.state == S.ACCEPTED


def test_filing_is_scoped(zone, category):
    from jingkai.demands.models import Channel

    with pytest.raises(services.TransitionForbidden):
        services.submit_demand(
            actor=zone["enterprise"],
            enterprise=zone.above2,
            category=category,
            description="借用别人名义",
            channel=Channel.PORTAL,
        )
    with pytest.raises(services.TransitionForbidden):
        services.submit_demand(
            actor=zone["outsider"],
            enterprise=zone.above1,
            category=category,
            description="越权",
            channel=Channel.VISIT,
        )
    with pytest.raises(ValidationError):
        services.submit_demand(
            actor=zone["enterprise"],
            enterprise=zone.above1,
            category=category,
            description="自己",
            channel=Channel.HOTLINE,
        )
    demand = services.submit_demand(
        actor=zone["grid_officer"],
        enterprise=zone.above1,
        category=category,
        description="走访中企业反映招工难",
        channel=Channel.VISIT,
    )
    assert demand.state == S.SUBMITTED and demand.filed_by == zone["grid_officer"]


def test_a_pending_extension_lapses_when_the_demand_enters_another_state(zone, demand_in):
    """Asked against the take-up deadline, it must not later replace the reply deadline."""
    demand = demand_in("assigned")
    until = services.WorkingCalendar().add_working_days(demand.due_on, 2)
    demand = step(demand, "request_extension", zone["department"], until=until, note="材料待补")
    assert demand.extension_status == ExtensionStatus.PENDING
    demand = step(demand, "take", zone["department"])
    assert (demand.extension_status, demand.extension_until) == (ExtensionStatus.NONE, None)
    with pytest.raises(services.TransitionConflict):
        step(demand, "approve_extension", zone["zone_admin"])
