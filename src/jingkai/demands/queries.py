"""Read-side helpers shared by the pages, the API and the export: the deadline colour and category trees.

The list filters themselves are demands/filtersets.py."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, Q, Value, When

from jingkai.core.calendar import WorkingCalendar
from jingkai.demands.models import ESCALATING_STATES, DemandCategory
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
