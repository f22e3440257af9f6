"""The ledger's FilterSets, shared by the list page, its export and /api/projects (and /api/arrivals)."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.db.models import DateField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingkai.core.filtersets import IntegerFilter
from jingkai.investment.models import RAG, Arrival, FollowUp, Milestone, Project, Stage, Status
from jingkai.investment.queries import with_rag

NOT_A_YEAR = _("Not a year.")
NOT_DAYS = _("A number of days (0 to 3660).")


def open_projects(queryset):
    """Projects still followed: neither terminated nor in full production (the reminder sweep's set)."""
    return queryset.exclude(status=Status.TERMINATED).exclude(stage=Stage.FULL)


def without_contact(queryset, today: dt.date, days: int):
    """Open projects whose last contact (the latest follow-up, else the first contact, else the day the
    project was entered) is `days` days ago or more, as investment/sweep.py reminds their owners."""
    latest = (
        FollowUp.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(last=Max("on"))
        .values("last")
    )
    last = Coalesce(Subquery(latest), "first_contact_on", Cast("created_at", DateField()))
    return (
        open_projects(queryset)
        .alias(last_contact=last)
        .filter(last_contact__lte=today - dt.timedelta(days=days))
    )


def with_milestone_due(queryset, today: dt.date, days: int):
    """Open projects with a milestone not yet reached that is planned within `days` days or overdue."""
    due = Milestone.objects.filter(actual_on__isnull=True, planned_on__lte=today + dt.timedelta(days=days))
    return open_projects(queryset).filter(pk__in=due.values("project_id"))


class ProjectFilterSet(df.FilterSet):
    """Every row carries `rag` (red / amber / green on the day `on`, default today), which `rag` filters."""

    q = df.CharFilter(method="filter_q")
    stage = df.ChoiceFilter(choices=Stage.choices, error_messages={"invalid_choice": _("Unknown stage.")})
    status = df.ChoiceFilter(choices=Status.choices, error_messages={"invalid_choice": _("Unknown status.")})
    country = df.CharFilter(method="filter_country")
    chain = df.CharFilter(field_name="chain__code")
    owner = df.CharFilter(field_name="owner__username")
    rag = df.ChoiceFilter(
        choices=RAG.choices, error_messages={"invalid_choice": _("Use red, amber or green.")}
    )
    # Projects with any dated fact in that year (signed, approved, started, in production, recognised).
    year = IntegerFilter(
        method="filter_year",
        min_value=1990,
        max_value=2100,
        error_messages={"invalid": NOT_A_YEAR, "min_value": NOT_A_YEAR, "max_value": NOT_A_YEAR},
    )

    # Open projects without contact for this many days (the home page's to-do: 30).
    quiet = IntegerFilter(
        method="filter_quiet",
        min_value=0,
        max_value=3660,
        error_messages={"invalid": NOT_DAYS, "min_value": NOT_DAYS, "max_value": NOT_DAYS},
    )
    # Open projects with a milestone due within this many days, or overdue.
    milestone_due = IntegerFilter(
        method="filter_milestone_due",
        min_value=0,
        max_value=3660,
        error_messages={"invalid": NOT_DAYS, "min_value": NOT_DAYS, "max_value": NOT_DAYS},
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, on: dt.date | None = None, **kwargs):
        queryset = Project.objects.all() if queryset is None else queryset
        self.on = on or timezone.localdate()
        super().__init__(data, with_rag(queryset, on), **kwargs)

    @property
    def qs(self):
        return super().qs.select_related("owner", "chain", "enterprise").order_by("-id")

    def filter_quiet(self, queryset, name, value):
        return without_contact(queryset, self.on, value)

    def filter_milestone_due(self, queryset, name, value):
        return with_milestone_due(queryset, self.on, value)

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__icontains=value) | Q(investor__icontains=value)
        )

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    def filter_year(self, queryset, name, value):
        return queryset.filter(
            Q(contract_on__year=value)
            | Q(approval_on__year=value)
            | Q(started_on__year=value)
            | Q(production_on__year=value)
            | Q(key_project_on__year=value)
        )


class ArrivalFilterSet(df.FilterSet):
    """Capital arrivals of a period (/api/arrivals names the dates `from` and `to`)."""

    date_from = df.DateFilter(field_name="on", lookup_expr="gte")
    date_to = df.DateFilter(field_name="on", lookup_expr="lte")
    kind = df.CharFilter(field_name="kind")

    class Meta:
        model = Arrival
        fields: list[str] = []
