"""Forms of the visit pages: the list filter (shared with the export and the API) and the visit form."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jingkai.core.forms import BootstrapFormMixin
from jingkai.core.models import User, staff_users
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import Grid
from jingkai.visits.models import VisitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitFilterForm(BootstrapFormMixin, forms.Form):
    grid = forms.ModelChoiceField(
        label=_("Grid"), queryset=Grid.objects.none(), required=False, to_field_name="code"
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *VisitKind.choices], required=False)
    enterprise = forms.IntegerField(label=_("Enterprise"), required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Enterprise name"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.visible_to(user)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def filter_visits(visits: QuerySet, data: dict) -> QuerySet:
    """Apply cleaned filter values (the page's, the export's and the API's) to scoped visits."""
    if data.get("grid"):
        visits = visits.filter(grid=data["grid"])
    if data.get("kind"):
        visits = visits.filter(kind=data["kind"])
    if data.get("enterprise"):
        visits = visits.filter(enterprise_id=data["enterprise"])
    if data.get("q"):
        visits = visits.filter(enterprise__name__icontains=data["q"])
    if data.get("date_from"):
        visits = visits.filter(visited_on__gte=data["date_from"])
    if data.get("date_to"):
        visits = visits.filter(visited_on__lte=data["date_to"])
    return visits


class VisitForm(BootstrapFormMixin, forms.Form):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=Enterprise.objects.none())
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE_INPUT)
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    visitors = forms.ModelMultipleChoiceField(
        label=_("Other visitors"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("You are recorded as a visitor yourself."),
    )
    policies = forms.CharField(
        label=_("Policies publicised"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    policy_tags = forms.CharField(
        label=_("Policy tags"),
        required=False,
        help_text=_("Separated by commas, e.g. 稳岗补贴, 研发费用加计扣除"),
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, user=None, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = (
            enterprises if enterprises is not None else Enterprise.objects.none()
        )
        self.fields["visitors"].queryset = staff_users().exclude(pk=user.pk) if user else staff_users()
        if not self.is_bound:
            self.initial.setdefault("visited_on", dt.date.today())


class DemandRaisedForm(BootstrapFormMixin, forms.Form):
    """One demand raised during the visit, filed through the demands service (channel "visit")."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    description = forms.CharField(label=_("Demand"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        from jingkai.demands.models import DemandCategory

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = DemandCategory.objects.all()

    def clean(self):
        data = super().clean()
        if data.get("description") and not data.get("category"):
            self.add_error("category", _("Choose a category."))
        if data.get("category") and not data.get("description"):
            self.add_error("description", _("Describe the demand."))
        return data


DemandFormSet = forms.formset_factory(DemandRaisedForm, extra=3, max_num=10)
