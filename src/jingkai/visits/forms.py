"""Forms of the visit pages: the visit form and the demands raised during it (the list filter: filtersets.py)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingkai.core.forms import BootstrapFormMixin
from jingkai.core.models import Role, User, staff_users
from jingkai.enterprises.models import Enterprise
from jingkai.visits.models import VisitKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The kind a new visit starts with, by the role of whoever logs it (they may still choose another).
KIND_BY_ROLE = {
    Role.GRID_OFFICER: VisitKind.OFFICER,
    Role.GRID_LEADER: VisitKind.LEADER,
}


def default_kind(user) -> str | None:
    """网格员走访 for a grid officer, 领导走访 for a grid leader, no default for anyone else."""
    return KIND_BY_ROLE.get(getattr(user, "role", None))


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
            # The zone's calendar day (TIME_ZONE, Asia/Shanghai), not the server's UTC date.
            self.initial.setdefault("visited_on", timezone.localdate())
            if kind := default_kind(user):
                self.initial.setdefault("kind", kind)


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
