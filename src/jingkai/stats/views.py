"""Upload → preview → commit of the monthly statistics workbook, and the saved column mappings (templates).

Thin views: reading, checking and writing live in reader.py and services.py (on core.importing).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from jingkai.core import importing
from jingkai.core.models import ImportBatch
from jingkai.stats import services
from jingkai.stats.forms import StatsImportForm
from jingkai.stats.measures import MEASURE_LIST, VALUE_FIELDS
from jingkai.stats.models import StatsTemplate


def _require_importer(user) -> None:
    if not user.is_zone_admin:
        raise PermissionDenied(_("Only a zone administrator may import statistics."))


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_importer(request.user)
    if request.method == "POST":
        form = StatsImportForm(request.POST, request.FILES)
        if form.is_valid():
            template = form.cleaned_data["template"]
            period = form.cleaned_data["period"]
            batch = services.record_upload(
                form.cleaned_data["file"].name,
                form.content,
                request.user,
                template=template.name if template else "",
                period=period.replace(day=1) if isinstance(period, dt.date) else None,
            )
            return redirect("stats:import_preview", batch_id=batch.pk)
    else:
        form = StatsImportForm()
    recent = ImportBatch.objects.filter(kind=services.KIND, uploaded_by=request.user).defer("content")[:10]
    return render(
        request,
        "stats/import_upload.html",
        {"form": form, "recent": recent, "measures": MEASURE_LIST, "templates": StatsTemplate.objects.all()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, batch_id: int):
    """GET: what the file would do. POST: do it, all or nothing, once."""
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=batch_id, kind=services.KIND, uploaded_by=request.user)
    status, already = 200, False
    if request.method == "POST":
        try:
            batch, report = services.commit_batch(batch.pk, request.user)
        except importing.BatchAlreadyCommitted:
            batch.refresh_from_db()
            summary, status, already = batch.summary, 409, True
        else:
            if report.ok:
                messages.success(
                    request,
                    _(
                        "Imported %(period)s: %(create)d rows added, %(update)d replaced (the replaced figures are kept as history)."
                    )
                    % {"period": services.period_label(report.period), **report.counts},
                )
                return redirect("stats:import_preview", batch_id=batch.pk)
            summary = batch.summary
    elif batch.status == ImportBatch.Status.COMMITTED:
        summary = batch.summary
    else:
        services.preview_batch(batch, request.user)
        batch.refresh_from_db()
        summary = batch.summary
    period = summary.get("period")
    return render(
        request,
        "stats/import_preview.html",
        {
            "batch": batch,
            "summary": summary,
            "counts": summary.get("counts", {}),
            "period_label": services.period_label(dt.date.fromisoformat(period)) if period else "",
            "committed": batch.status == ImportBatch.Status.COMMITTED,
            "already": already,
            "refused": request.method == "POST" and bool(summary.get("errors")),
            "can_commit": batch.status != ImportBatch.Status.COMMITTED and not summary.get("errors"),
        },
        status=status,
    )


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
    _require_importer(request.user)
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
