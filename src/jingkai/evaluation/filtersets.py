"""One FilterSet for a run's results list, its export (and the API list): population, class (``class``), grid,
chain, park and the enterprise's name (``q``)."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from jingkai.chains.models import Chain
from jingkai.core.forms import BootstrapFormMixin
from jingkai.evaluation.models import EvaluationResult, Population, ResultStatus
from jingkai.evaluation.queries import NO_CLASS, class_codes
from jingkai.grids.models import Grid
from jingkai.parks.models import Park


class ResultFilterForm(BootstrapFormMixin, forms.Form):
    pass


class ResultFilterSet(df.FilterSet):
    population = df.ChoiceFilter(label=_("Population"), choices=Population.choices, empty_label="—")
    grade = df.ChoiceFilter(label=_("Class"), choices=(), empty_label="—", method="filter_grade")
    status = df.ChoiceFilter(label=_("Status"), choices=ResultStatus.choices, empty_label="—")
    grid = df.ModelChoiceFilter(
        label=_("Grid"), queryset=Grid.objects.none(), to_field_name="code", field_name="enterprise__grid"
    )
    chain = df.ModelChoiceFilter(
        label=_("Industry chain"),
        queryset=Chain.objects.none(),
        to_field_name="code",
        field_name="enterprise__chain_memberships__chain",
    )
    park = df.ModelChoiceFilter(
        label=_("Park"), queryset=Park.objects.none(), to_field_name="code", field_name="enterprise__park"
    )
    q = df.CharFilter(
        label=_("Enterprise name"), field_name="enterprise__name", lookup_expr="icontains", max_length=100
    )

    class Meta:
        model = EvaluationResult
        fields: list[str] = []
        form = ResultFilterForm

    def __init__(self, data=None, queryset=None, *, user, run, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # The query parameter is `class` (a Python keyword: renamed here, after the declaration).
        self.filters = {("class" if name == "grade" else name): f for name, f in self.filters.items()}
        self.filters["class"].extra["choices"] = [
            *((c, c) for c in class_codes(run.method_definition)),
            (NO_CLASS, _("No class")),
        ]
        self.filters["grid"].queryset = Grid.objects.visible_to(user)
        self.filters["chain"].queryset = Chain.objects.visible_to(user)
        self.filters["park"].queryset = Park.objects.visible_to(user)

    def filter_grade(self, queryset, name, value):
        return queryset.filter(grade="" if value == NO_CLASS else value)
