"""What the demands app adds elsewhere: its menu entry, the profile's demands panel, the escalation sweep, the
enterprises a department may open, the home page's to-do lines, and its demo chapter (which links demands to
the demo's visits)."""

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jingkai.core.calendar import WorkingCalendar
from jingkai.core.contributions import (
    DemoChapter,
    EnterpriseReach,
    Listener,
    NavEntry,
    Panel,
    Sweeper,
    TodoItem,
)
from jingkai.core.memo import per_request
from jingkai.core.models import Role
from jingkai.demands import demo, sweep, views
from jingkai.demands.choices import ESCALATING_STATES, DemandState
from jingkai.demands.models import Demand
from jingkai.demands.queries import with_deadline_status
from jingkai.demands.services import amber_until, policy


def _routed_enterprises(scope) -> Q:
    """Enterprises a department handler may open: those of demands ever routed to their department."""
    from jingkai.demands.models import Demand

    if not scope.department_id:
        return Q(pk__in=[])
    return Q(pk__in=Demand.objects.visible_to(scope.user).values("enterprise_id"))


# --- the home page's to-do lines ---------------------------------------------------------------------------

AREA = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER)
URGENT_SHOWN = 5  # the department's most urgent demands listed under its lines


def _list_url(**params) -> str:
    return reverse("demands:list") + "?" + urlencode(params)


DUE_SOON_DAYS = 2  # the home's "due soon": a handling deadline within two working days (issue 11 §2)


def _deadlines(request) -> dict:
    """Counts of the user's demands by deadline colour, the due-soon date and who they are for: two queries
    (the policy, the calendar's year) and one count, shared by the lines of one request."""

    def compute():
        today = timezone.localdate()
        pol = policy()
        calendar = WorkingCalendar()
        amber = amber_until(today, calendar, pol)
        soon = calendar.add_working_days(today, max(DUE_SOON_DAYS, pol.amber_days))
        user = request.user
        rows = with_deadline_status(Demand.objects.visible_to(user), today, amber)
        department = user.department_id if user.role == Role.DEPARTMENT else None
        mine = Q(department_id=department)
        counts = rows.aggregate(
            red=Count("pk", filter=Q(deadline_status="red")),
            soon=Count("pk", filter=Q(state__in=ESCALATING_STATES, due_on__gte=today, due_on__lte=soon)),
            escalated=Count("pk", filter=Q(state__in=ESCALATING_STATES, escalation_level__gte=2)),
            to_take=Count("pk", filter=mine & Q(state=DemandState.ASSIGNED)),
            to_reply=Count("pk", filter=mine & Q(state=DemandState.IN_PROGRESS)),
            open=Count("pk", filter=Q(state__in=[*ESCALATING_STATES, DemandState.REPLIED])),
        )
        return {
            **counts,
            "amber_until": amber,
            "soon_until": soon,
            "soon_days": max(DUE_SOON_DAYS, pol.amber_days),
            "today": today,
            "department": department,
        }

    return per_request(request, "demands.todo", compute)


def _urgent_rows(request, state) -> list[dict]:
    """The department's demands in a state, the earliest deadline first (one query, a fixed number of rows)."""
    figures = _deadlines(request)
    rows = (
        with_deadline_status(
            Demand.objects.visible_to(request.user), figures["today"], figures["amber_until"]
        )
        .filter(department_id=figures["department"], state=state)
        .select_related("enterprise")
        .order_by(F("due_on").asc(nulls_last=True), "submitted_at", "pk")[:URGENT_SHOWN]
    )
    return [
        {
            "label": f"{demand.title} · {demand.enterprise.name}",
            "url": reverse("demands:detail", args=[demand.pk]),
            "hint": (
                gettext("due %(date)s") % {"date": demand.due_on.isoformat()}
                if demand.due_on
                else gettext("no deadline")
            ),
            "status": demand.deadline_status,
        }
        for demand in rows
    ]


def _department_url(request, state) -> str:
    return _list_url(state=state, department=_deadlines(request)["department"])


def _due_soon_note(request) -> str:
    return gettext("Deadline on or before %(date)s (within %(days)s working days)") % {
        "date": _deadlines(request)["soon_until"].isoformat(),
        "days": _deadlines(request)["soon_days"],
    }


TODO = [
    TodoItem(
        "demands_overdue",
        _("Demands overdue"),
        lambda request: _deadlines(request)["red"],
        lambda request: _list_url(deadline="red"),
        roles=AREA,
        order=20,
    ),
    TodoItem(
        "demands_due_soon",
        _("Demands due soon"),
        lambda request: _deadlines(request)["soon"],
        lambda request: _list_url(
            due_from=_deadlines(request)["today"].isoformat(),
            due_to=_deadlines(request)["soon_until"].isoformat(),
        ),
        roles=AREA,
        order=21,
        note=_due_soon_note,
    ),
    TodoItem(
        "demands_escalated",
        _("Demands escalated to the zone administrators"),
        lambda request: _deadlines(request)["escalated"],
        lambda request: _list_url(escalation="2"),
        roles=(Role.ZONE_ADMIN,),
        order=10,
    ),
    TodoItem(
        "demands_to_take",
        _("Demands awaiting sign-off (take up)"),
        lambda request: _deadlines(request)["to_take"] if _deadlines(request)["department"] else None,
        lambda request: _department_url(request, DemandState.ASSIGNED),
        roles=(Role.DEPARTMENT,),
        order=10,
        rows=lambda request: _urgent_rows(request, DemandState.ASSIGNED),
    ),
    TodoItem(
        "demands_to_reply",
        _("Demands awaiting your reply"),
        lambda request: _deadlines(request)["to_reply"] if _deadlines(request)["department"] else None,
        lambda request: _department_url(request, DemandState.IN_PROGRESS),
        roles=(Role.DEPARTMENT,),
        order=11,
        rows=lambda request: _urgent_rows(request, DemandState.IN_PROGRESS),
    ),
    TodoItem(
        "demands_open",
        _("Your open demands"),
        lambda request: _deadlines(request)["open"],
        lambda request: _list_url(state="open"),
        roles=(Role.ENTERPRISE,),
        order=10,
    ),
]


def _anonymise_demand_contacts(enterprise_id: int, name: str, phone_index: str, counts: dict) -> None:
    """docs/security.md §4: a departed contact's name and phone leave the enterprise's demands (and their
    history) with them."""
    from jingkai.demands.models import Demand
    from jingkai.enterprises.anonymise import ANONYMOUS_NAME

    same = Q(contact_name=name) if name else Q(pk__in=[])
    if phone_index:
        same |= Q(contact_phone_index=phone_index)
    ids = list(Demand.objects.filter(same, enterprise_id=enterprise_id).values_list("pk", flat=True))
    fields = {"contact_name": ANONYMOUS_NAME, "contact_phone": "", "contact_phone_index": ""}
    Demand.objects.filter(pk__in=ids).update(**fields)
    counts["demand_history"] = Demand.history.filter(id__in=ids).update(**fields)
    counts["demands"] = len(ids)


CONTRIBUTIONS = [
    Listener("enterprises.contact_anonymised", _anonymise_demand_contacts),
    NavEntry("demands:list", _("Demands"), order=70, group="service"),
    Panel("enterprise.aside", "demands", order=20, render=views.profile_panel),
    Sweeper(sweep.run, order=10),
    EnterpriseReach(_routed_enterprises),
    DemoChapter(demo.load, after=("visits",)),
    *TODO,
]
