"""The saved column mappings (templates) of the statistics import. The import's own pages are the kernel's
(core/import_views.py, routed with importers.StatsImporter in urls.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingkai.core.contributions import render_in
from jingkai.core.permissions import require
from jingkai.enterprises.roll import default_year
from jingkai.stats import roll
from jingkai.stats.forms import ScaleRollYearForm
from jingkai.stats.importers import StatsImporter
from jingkai.stats.measures import VALUE_FIELDS
from jingkai.stats.models import StatsTemplate


class TemplateForm(forms.ModelForm):
    mapping_text = forms.CharField(
        label=gettext_lazy("Column mapping"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One line per column: the header as written (top|sub for a two-row header) = the field, "
            "e.g. 产值|本月 = output_month"
        ),
    )

    class Meta:
        model = StatsTemplate
        fields = ["name", "unit_scale"]
        widgets = {"unit_scale": forms.Select(choices=[(0, "—"), (1, "元"), (1000, "千元"), (10000, "万元")])}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_scale"].label = _("Unit of the amounts (— = read the units row)")
        if self.instance.pk and not self.is_bound:
            self.initial["mapping_text"] = "\n".join(f"{k} = {v}" for k, v in self.instance.mapping.items())

    def clean_mapping_text(self):
        mapping, allowed = {}, {*VALUE_FIELDS, "uscc", "name", "yoy", ""}
        for number, line in enumerate(self.cleaned_data["mapping_text"].splitlines(), start=1):
            if not line.strip():
                continue
            header, sep, target = line.partition("=")
            target = target.strip()
            if not sep or not header.strip() or target not in allowed:
                raise forms.ValidationError(
                    _("Line %(line)d: write “header = field”, the field one of: %(fields)s")
                    % {"line": number, "fields": ", ".join(sorted(allowed - {""}))}
                )
            mapping[header.strip()] = target
        return mapping

    def save(self, commit=True):
        self.instance.mapping = self.cleaned_data["mapping_text"]
        return super().save(commit)


@login_required
@require_http_methods(["GET", "POST"])
def templates(request, pk: int | None = None):
    StatsImporter.check_permission(request.user)  # who imports edits the mappings
    instance = get_object_or_404(StatsTemplate, pk=pk) if pk else None
    form = TemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The column mapping is saved."))
        return redirect("stats:templates")
    return render(
        request,
        "stats/templates.html",
        {"form": form, "templates": StatsTemplate.objects.all(), "editing": instance, "fields": VALUE_FIELDS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scale_roll(request):
    """The year's 规上 roll derived from the December reports: GET ?year= previews, POST commits (issue 11 §6)."""
    require(
        "enterprises.can_run_scale_roll",
        request.user,
        _("Only a zone administrator may update the 规上 roll."),
    )
    form = ScaleRollYearForm(request.POST or request.GET or None, initial={"year": default_year()})
    plan = undecided = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        if request.method == "POST":
            plan = roll.commit_from_reports(year, request.user)
            counts = plan.counts
            messages.success(
                request,
                _("Roll committed: %(entering)d entering, %(leaving)d leaving, %(unchanged)d unchanged.")
                % counts,
            )
            return redirect(f"{request.path}?year={year}")
        plan, undecided = roll.plan_from_reports(year)
    return render(
        request,
        "stats/scale_roll.html",
        {"form": form, "plan": plan, "undecided": undecided},
    )


def scale_roll_panel(context, year) -> str:
    """The derivation's card on the roll page (slot "scale_roll.sources" of enterprises/scale_roll.html)."""
    return render_in(context, "stats/_scale_roll_panel.html", {"roll_year": year})
