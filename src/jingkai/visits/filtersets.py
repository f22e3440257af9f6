"""One FilterSet for the visit log page, /api/visits and the export (they cannot drift).

The page and the export name the dates `date_from` and `date_to`; the API names them `from` and `to`
(visits/api.py renames them, and its errors, at the door).
"""

from __future__ import annotations

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from jingkai.core.filtersets import IntegerFilter
from jingkai.core.forms import BootstrapFormMixin
from jingkai.grids.models import Grid
from jingkai.visits.models import Visit, VisitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitFilterForm(BootstrapFormMixin, forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class VisitFilterSet(df.FilterSet):
    grid = df.ModelChoiceFilter(
        label=_("Grid"), queryset=Grid.objects.none(), to_field_name="code", field_name="grid"
    )
    kind = df.ChoiceFilter(label=_("Kind"), choices=VisitKind.choices, empty_label="—")
    enterprise = IntegerFilter(label=_("Enterprise"), field_name="enterprise_id", widget=forms.HiddenInput)
    q = df.CharFilter(
        label=_("Enterprise name"), field_name="enterprise__name", lookup_expr="icontains", max_length=100
    )
    date_from = df.DateFilter(label=_("From"), field_name="visited_on", lookup_expr="gte", widget=DATE_INPUT)
    date_to = df.DateFilter(label=_("To"), field_name="visited_on", lookup_expr="lte", widget=DATE_INPUT)

    class Meta:
        model = Visit
        fields: list[str] = []
        form = VisitFilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # A grid is chosen among those the user sees: another grid's code is an invalid choice.
        self.filters["grid"].queryset = Grid.objects.visible_to(user)
