"""One FilterSet for the demand pool, /api/demands and the export (they cannot drift).

Every row carries `deadline_status` (red, amber, green or ''), which the deadline filter reads and the
pages show. Unknown categories, grids, communities, departments and channels match nothing.
"""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingkai.core import bounds
from jingkai.core.filtersets import id_or_code
from jingkai.demands.models import ESCALATING_STATES, Demand, DemandCategory, DemandState
from jingkai.demands.queries import DEADLINE_CHOICES, category_and_descendants, with_deadline_status
from jingkai.enterprises.queries import pinyin_q

ESCALATION_CHOICES = [
    ("1", _("Escalated to the grid leader")),
    ("2", _("Escalated to the zone administrators")),
]
STATE_CHOICES = [("open", _("Not yet closed")), *DemandState.choices]
DATE_FORMATS = ["%Y-%m-%d"]


class DemandFilterSet(df.FilterSet):
    state = df.ChoiceFilter(
        choices=STATE_CHOICES,
        method="filter_state",
        error_messages={"invalid_choice": _("Unknown state.")},
    )
    category = df.CharFilter(method="filter_category")
    grid = df.CharFilter(method="filter_grid")
    community = df.CharFilter(method="filter_community")
    department = df.CharFilter(method="filter_department")
    deadline = df.ChoiceFilter(
        choices=[(value, value) for value in DEADLINE_CHOICES],
        field_name="deadline_status",
        error_messages={"invalid_choice": _("Use red, amber or green.")},
    )
    # Open demands escalated at least this far (1: the grid leader, 2: the zone administrators; demands/sweep.py).
    escalation = df.ChoiceFilter(
        choices=ESCALATION_CHOICES,
        method="filter_escalation",
        error_messages={"invalid_choice": _("Use 1 or 2.")},
    )
    channel = df.CharFilter(field_name="channel")
    enterprise = df.CharFilter(
        field_name="enterprise_id", validators=[RegexValidator(r"^\d+$", _("Not an id."))]
    )
    q = df.CharFilter(method="filter_q")
    submitted_from = df.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Not a date (YYYY-MM-DD).")},
    )
    submitted_to = df.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Not a date (YYYY-MM-DD).")},
    )
    # The handling deadline (due_on of a demand being handled; a replied one's is its rating window, not matched).
    due_from = df.DateFilter(
        method="filter_due",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Not a date (YYYY-MM-DD).")},
    )
    due_to = df.DateFilter(
        method="filter_due",
        input_formats=DATE_FORMATS,
        error_messages={"invalid": _("Not a date (YYYY-MM-DD).")},
    )

    class Meta:
        model = Demand
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, today: dt.date, **kwargs):
        # Annotated before filtering, so that `deadline` filters on it and every row shows it.
        queryset = Demand.objects.all() if queryset is None else queryset
        super().__init__(data, with_deadline_status(queryset, today), **kwargs)

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(state__in=[*ESCALATING_STATES, DemandState.REPLIED])
        return queryset.filter(state=value)

    def filter_due(self, queryset, name, value):
        lookup = "due_on__gte" if name == "due_from" else "due_on__lte"
        return queryset.filter(state__in=ESCALATING_STATES, **{lookup: value})

    def filter_escalation(self, queryset, name, value):
        return queryset.filter(state__in=ESCALATING_STATES, escalation_level__gte=int(value))

    def filter_category(self, queryset, name, value):
        if (pk := bounds.as_id(value)) is not None:
            return queryset.filter(category_id__in=category_and_descendants(pk))
        category = DemandCategory.objects.filter(code=value).first()
        return queryset.filter(category_id__in=category_and_descendants(category.pk) if category else [])

    def filter_grid(self, queryset, name, value):
        return queryset.filter(**id_or_code(value, "enterprise__grid_id", "enterprise__grid__code"))

    def filter_community(self, queryset, name, value):
        return queryset.filter(**id_or_code(value, "enterprise__community_id", "enterprise__community__code"))

    def filter_department(self, queryset, name, value):
        return queryset.filter(**id_or_code(value, "department_id", "department__code"))

    def filter_q(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(enterprise__name__icontains=text)
            | pinyin_q(text, prefix="enterprise__")  # the enterprise by pinyin: "jsjm" or "jinshang"
        )
