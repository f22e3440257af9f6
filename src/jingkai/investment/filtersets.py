"""The ledger's FilterSets, shared by the list page, its export and /api/projects (and /api/arrivals)."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingkai.core.filtersets import IntegerFilter
from jingkai.investment.models import RAG, Arrival, Project, Stage, Status
from jingkai.investment.queries import with_rag

NOT_A_YEAR = _("Not a year.")


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

    class Meta:
        model = Project
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, on: dt.date | None = None, **kwargs):
        queryset = Project.objects.all() if queryset is None else queryset
        super().__init__(data, with_rag(queryset, on), **kwargs)

    @property
    def qs(self):
        return super().qs.select_related("owner", "chain", "enterprise").order_by("-id")

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
