"""Read-side helpers shared by the pages, the API and the export: filtering and the deadline colour."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Q, Value, When

from jingkai.core.calendar import WorkingCalendar
from jingkai.demands.models import ESCALATING_STATES, DemandCategory, DemandState
from jingkai.demands.services import amber_until, policy

DEADLINE_CHOICES = ("red", "amber", "green")
LIST_RELATED = ["enterprise", "category__parent", "department", "enterprise__grid", "enterprise__community"]


def with_deadline_status(queryset, today: dt.date, amber: dt.date | None = None):
    """Annotate `deadline_status`: red (overdue), amber (due by the amber date), green, '' (no deadline).

    The deadline colour's one home: pages, the API, the export and the profile panel all read this annotation.

    A replied demand's deadline is its rating window: it is never red, only closed by the sweep.
    """
    amber = amber or amber_until(today, WorkingCalendar(), policy())
    return queryset.annotate(
        deadline_status=Case(
            When(Q(state__in=ESCALATING_STATES, due_on__lt=today), then=Value("red")),
            When(Q(state__in=ESCALATING_STATES, due_on__lte=amber), then=Value("amber")),
            When(Q(state__in=ESCALATING_STATES, due_on__isnull=False), then=Value("green")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def category_and_descendants(category_id) -> list[int]:
    ids = {int(category_id)}
    children = list(DemandCategory.objects.values_list("pk", "parent_id"))
    grew = True
    while grew:
        grew = False
        for pk, parent in children:
            if parent in ids and pk not in ids:
                ids.add(pk)
                grew = True
    return sorted(ids)


def apply_filters(queryset, params, today: dt.date):
    """Filter scoped demands by the list page's / API's / export's parameters (unknown values: no match).

    Parameters: state, category (with its sub-categories), grid (code or id), community, department
    (code or id), deadline (red/amber/green), channel, enterprise (id), q (text), submitted_from/_to.
    """
    errors: dict[str, list[str]] = {}
    get = params.get
    if state := get("state"):
        if state == "open":
            queryset = queryset.filter(state__in=[*ESCALATING_STATES, DemandState.REPLIED])
        elif state in DemandState.values:
            queryset = queryset.filter(state=state)
        else:
            errors["state"] = ["unknown state"]
    if category := get("category"):
        if str(category).isdigit():
            queryset = queryset.filter(category_id__in=category_and_descendants(category))
        else:
            cat = DemandCategory.objects.filter(code=category).first()
            queryset = queryset.filter(category_id__in=category_and_descendants(cat.pk) if cat else [])
    if grid := get("grid"):
        queryset = queryset.filter(
            Q(enterprise__grid_id=grid) if str(grid).isdigit() else Q(enterprise__grid__code=grid)
        )
    if community := get("community"):
        queryset = queryset.filter(
            Q(enterprise__community_id=community)
            if str(community).isdigit()
            else Q(enterprise__community__code=community)
        )
    if department := get("department"):
        queryset = queryset.filter(
            Q(department_id=department) if str(department).isdigit() else Q(department__code=department)
        )
    if channel := get("channel"):
        queryset = queryset.filter(channel=channel)
    if enterprise := get("enterprise"):
        if str(enterprise).isdigit():
            queryset = queryset.filter(enterprise_id=enterprise)
        else:
            errors["enterprise"] = ["not an id"]
    if text := (get("q") or "").strip():
        queryset = queryset.filter(
            Q(title__icontains=text) | Q(description__icontains=text) | Q(enterprise__name__icontains=text)
        )
    for key, lookup in (
        ("submitted_from", "submitted_at__date__gte"),
        ("submitted_to", "submitted_at__date__lte"),
    ):
        if value := get(key):
            try:
                queryset = queryset.filter(**{lookup: dt.date.fromisoformat(str(value))})
            except ValueError:
                errors[key] = ["not a date (YYYY-MM-DD)"]
    queryset = with_deadline_status(queryset, today)
    if deadline := get("deadline"):
        if deadline in DEADLINE_CHOICES:
            queryset = queryset.filter(deadline_status=deadline)
        else:
            errors["deadline"] = ["red, amber or green"]
    return queryset, errors
