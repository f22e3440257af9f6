"""The statistics upload form: the workbook, the column mapping it follows, and its period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from jingkai.core.forms import BootstrapFormMixin, WorkbookUploadForm
from jingkai.stats.models import StatsTemplate


class StatsImportForm(BootstrapFormMixin, WorkbookUploadForm):
    """The upload of the monthly workbook: the file, and how to read it when the file does not say."""

    template = forms.ModelChoiceField(
        queryset=StatsTemplate.objects.all(),
        required=False,
        to_field_name="name",
        label=gettext_lazy("Column mapping template"),
        empty_label=gettext_lazy("Standard headers"),
    )
    period = forms.DateField(
        required=False,
        input_formats=["%Y-%m"],
        label=gettext_lazy("Period (if the title does not state it)"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class ScaleRollYearForm(BootstrapFormMixin, forms.Form):
    """The year of the 规上 roll derived from the December reports (stats/scale-roll/)."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
