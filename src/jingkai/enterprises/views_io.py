"""Excel export, blank template, upload → preview → commit of the enterprise directory.

Thin views: the format, the checks and the writes live in importers.py (and core/importing.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jingkai.core import importing
from jingkai.core.forms import WorkbookUploadForm
from jingkai.core.models import ImportBatch
from jingkai.core.xlsx import xlsx_response
from jingkai.enterprises import importers
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.models import Enterprise


def _require_importer(user) -> None:
    if not user.is_zone_admin:
        raise PermissionDenied(_("Only a zone administrator may import enterprises."))


@login_required
@require_GET
def export_xlsx(request):
    """The enterprises of the list page, with the same filters, in the import format."""
    filterset = EnterpriseFilterSet(request.GET, queryset=Enterprise.objects.visible_to(request.user))
    if not filterset.is_valid():
        # An ignored filter would export more than the page shows: refuse instead.
        problems = "; ".join(f"{key}: {' '.join(errors)}" for key, errors in filterset.errors.items())
        return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})
    content = importers.export_workbook(filterset.qs, request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    name = _("Enterprise directory")
    return xlsx_response(content, f"{name}-{stamp}.xlsx")


@login_required
@require_GET
def import_template(request):
    _require_importer(request.user)
    name = _("Enterprise import template")
    return xlsx_response(importers.template_workbook(request.user), f"{name}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _require_importer(request.user)
    if request.method == "POST":
        form = WorkbookUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            batch = importing.record_upload(importers.KIND, upload.name, form.content, request.user)
            return redirect("enterprises:import_preview", batch_id=batch.pk)
    else:
        form = WorkbookUploadForm()
    recent = ImportBatch.objects.filter(kind=importers.KIND, uploaded_by=request.user).defer("content")[:10]
    return render(
        request,
        "enterprises/import_upload.html",
        {
            "form": form,
            "recent": recent,
            "headers": importers.report_columns(),
            "instructions": importers.instructions(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, batch_id: int):
    """GET: what the file would do. POST: do it, all or nothing, once."""
    _require_importer(request.user)
    # Only the uploader sees a batch: another administrator's upload is a 404, like any row out of scope.
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
                counts = report.counts
                messages.success(
                    request,
                    _("Imported: %(create)d added, %(update)d updated, %(unchanged)d unchanged.") % counts,
                )
                return redirect("enterprises:import_preview", batch_id=batch.pk)
            summary = report.to_summary()
    elif batch.status == ImportBatch.Status.COMMITTED:
        summary = batch.summary  # what was applied; re-checking now would show it all as unchanged
    else:
        summary = importers.preview_batch(batch, request.user).to_summary()
    return render(
        request,
        "enterprises/import_preview.html",
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
