"""Excel: export any filtered list of demands; import a hotline batch (upload → preview → commit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jingkai.core import importing
from jingkai.core.filtersets import refuse_invalid
from jingkai.core.forms import WorkbookUploadForm
from jingkai.core.models import ImportBatch
from jingkai.core.xlsx import xlsx_response
from jingkai.demands import importers
from jingkai.demands.filtersets import DemandFilterSet
from jingkai.demands.models import Demand


@login_required
@require_GET
def export_xlsx(request):
    """The demands of the pool with the same filters, scoped to the user."""
    filterset = DemandFilterSet(
        request.GET, Demand.objects.visible_to(request.user), today=timezone.localdate()
    )
    if refused := refuse_invalid(filterset):
        return refused
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(importers.export_workbook(filterset.qs), f"{_('Demands')}-{stamp}.xlsx")


def _require_importer(user) -> None:
    if not user.is_zone_admin:
        raise PermissionDenied(_("Only a zone administrator may import demands."))


@login_required
@require_GET
def import_template(request):
    _require_importer(request.user)
    return xlsx_response(importers.template_workbook(), f"{_('Demand import template')}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_importer(request.user)
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = importing.record_upload(importers.KIND, upload.name, form.content, request.user)
        return redirect("demands:import_preview", batch_id=batch.pk)
    return render(
        request, "demands/import_upload.html", {"form": form, "headers": importers.report_columns()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, batch_id: int):
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=batch_id, kind=importers.KIND, uploaded_by=request.user)
    status, already = 200, False
    if request.method == "POST":
        try:
            batch, report = importers.commit_batch(batch.pk, request.user)
        except importing.BatchAlreadyCommitted:
            batch.refresh_from_db()
            summary, status, already = batch.summary, 409, True
        else:
            if report.ok:
                messages.success(request, _("Imported %(n)d demands.") % {"n": report.counts["create"]})
                return redirect("demands:import_preview", batch_id=batch.pk)
            summary = report.to_summary()
    elif batch.status == ImportBatch.Status.COMMITTED:
        summary = batch.summary
    else:
        summary = importers.preview_batch(batch, request.user).to_summary()
    return render(
        request,
        "demands/import_preview.html",
        {
            "batch": batch,
            "summary": summary,
            "counts": summary.get("counts", {}),
            "committed": batch.status == ImportBatch.Status.COMMITTED,
            "already": already,
            "refused": request.method == "POST" and bool(summary.get("errors")),
            "can_commit": batch.status != ImportBatch.Status.COMMITTED and not summary.get("errors"),
        },
        status=status,
    )
