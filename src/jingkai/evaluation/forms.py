"""The evaluation's forms: the input import's upload, setting up a year, publishing, an objection, the method's JSON,
the policy table."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingkai.core.forms import BootstrapFormMixin, WorkbookUploadForm
from jingkai.evaluation.models import LAND_FIELDS, NUMBER_FIELDS, EvaluationInput, PolicyItem
from jingkai.evaluation.services import DEFAULT_OBJECTION_DAYS

ACTIONS = ("setup", "assemble", "run", "publish", "finalise")
MIN_YEAR, MAX_YEAR = 2000, 2100


def default_year() -> int:
    """The year evaluated by default: last year (the evaluation of year N runs in year N + 1)."""
    return timezone.localdate().year - 1


class EvaluationImportForm(WorkbookUploadForm):
    """The annual input import's upload: the file and the year it is for (importers.EvaluationInputImporter)."""

    year = forms.IntegerField(
        label=_("Evaluation year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        initial=default_year,
        help_text=_("Blank: last year."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class YearActionForm(BootstrapFormMixin, forms.Form):
    """One of a year's steps (index page): set up the method, assemble the inputs, run, publish, finalise."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=_("Working days for objections"),
        min_value=1,
        max_value=60,
        initial=DEFAULT_OBJECTION_DAYS,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "publish" and not data.get("days"):
            self.add_error("days", _("Say how many working days objections stay open."))
        return data


class NewYearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ObjectionForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("What is wrong, and why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


CORRECTABLE = (*NUMBER_FIELDS, *LAND_FIELDS, "land_override_mu")


def _input_label(name: str) -> str:
    return EvaluationInput._meta.get_field(name).verbose_name


class InputCorrectionForm(BootstrapFormMixin, forms.Form):
    """A zone administrator's correction of one input figure (after an objection, say), with its reason."""

    field = forms.ChoiceField(label=_("Figure"), choices=())
    value = forms.DecimalField(
        label=_("Corrected value"), max_digits=18, decimal_places=4, required=False,
        help_text=_("Blank: not given."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason for the correction"), max_length=300)
    land_override_reason = forms.CharField(
        label=_("Reason for the land override"), max_length=300, required=False,
        help_text=_("Needed when the land used is overridden."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(name, _input_label(name)) for name in CORRECTABLE]


class MethodForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Method (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "font-monospace small"}),
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=200, required=False)


def cell_name(item: str, grade: str) -> str:
    return f"cell-{item}-{grade}"


class PolicyForm(BootstrapFormMixin, forms.Form):
    """The year's differentiated-policy table: one text per item and class (empty clears the cell)."""

    def __init__(self, *args, grades: list[str], measures: dict[tuple[str, str], str], **kwargs):
        super().__init__(*args, **kwargs)
        self.grades = grades
        for item, label in PolicyItem.choices:
            for grade in grades:
                self.fields[cell_name(item, grade)] = forms.CharField(
                    label=f"{label} {grade}",
                    max_length=300,
                    required=False,
                    initial=measures.get((item, grade), ""),
                )
        for field in self.fields.values():  # added after the mixin styled the (then empty) form
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def rows(self):
        """[(item label, [(grade, bound field)])] for the table."""
        return [
            (label, [(grade, self[cell_name(item, grade)]) for grade in self.grades])
            for item, label in PolicyItem.choices
        ]

    def changed_cells(self, measures: dict[tuple[str, str], str]):
        for item, _label in PolicyItem.choices:
            for grade in self.grades:
                value = self.cleaned_data.get(cell_name(item, grade), "").strip()
                if value != measures.get((item, grade), ""):
                    yield item, grade, value
