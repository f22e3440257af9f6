"""The forms of the investment pages: a project's arrivals, follow-ups, status, milestones and stage move."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.forms import BootstrapFormMixin
from jingkai.core.models import Role, User
from jingkai.core.money import SUFFIX, WAN, Currency
from jingkai.investment import gates
from jingkai.investment.models import STAGE_ORDER, ArrivalKind, FollowUp, Project, Stage, Status


class ArrivalForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ArrivalKind.choices)
    amount_wan = forms.DecimalField(
        label=gettext_lazy("Amount (10,000 in the kind's currency)"), min_value=0, decimal_places=2
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


class FollowUpForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FollowUp.Kind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)
    on = forms.DateField(
        label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MilestoneForm(BootstrapFormMixin, forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices)
    planned_on = forms.DateField(
        label=gettext_lazy("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )


def stage_fields(project: Project, stage: str) -> list[str]:
    """Fields the move form asks for (from the stage gates): the target's own, and those required up to it that
    the project does not hold yet."""
    values = {"origin": project.origin, "kind": project.kind}
    return gates.fields_asked_on_move(
        values, stage, held=lambda name: getattr(project, name) not in (None, "")
    )


class StageForm(BootstrapFormMixin, forms.Form):
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for overriding (administrators)"), required=False, max_length=300
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, project: Project, stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.money_fields = set()
        for name in stage_fields(project, stage) if STAGE_ORDER.index(stage) > project.stage_index else []:
            model_field = Project._meta.get_field(name)
            label = model_field.verbose_name
            if name == "owner":
                field = forms.ModelChoiceField(
                    label=label,
                    queryset=User.objects.filter(is_active=True).exclude(role=Role.ENTERPRISE),
                    initial=project.owner_id,
                )
            elif name.endswith("_on"):
                field = forms.DateField(
                    label=label,
                    initial=getattr(project, name),
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif name in ("total_investment", "contract_foreign_capital"):
                currency = (
                    Currency.USD if name == "contract_foreign_capital" else project.total_investment_currency
                )
                # The label reads 投资总额（万元）/（万美元）: the currency's Chinese suffix, not its ISO code.
                suffix = SUFFIX.get(currency, currency)
                field = forms.DecimalField(
                    label=_("%(label)s (10,000 %(currency)s)") % {"label": label, "currency": suffix},
                    decimal_places=2,
                    min_value=0,
                )
                self.money_fields.add(name)
            else:
                field = forms.CharField(label=label, max_length=100, initial=getattr(project, name))
            self.fields[name] = field
        self.order_fields([*[f for f in self.fields if f not in ("override_reason", "note")]])

    def values(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            if name in ("override_reason", "note"):
                continue
            out[name] = value * WAN if name in self.money_fields and value is not None else value
        return out
