"""The one upload → preview → commit page pair of every importer, and its blank-template download.

Each app routes them with its importer class (core.importing.Importer) as the view's `importer` argument:

    path("import/", import_views.upload, {"importer": EnterpriseImporter}, name="import"),
    path("import/<int:batch_id>/", import_views.preview, {"importer": EnterpriseImporter}, name="import_preview"),

Thin: the permission, the reading, the checks and the writes are the importer's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jingkai.core import importing
from jingkai.core.forms import WorkbookUploadForm
from jingkai.core.models import ImportBatch, ImportResultChunk
from jingkai.core.xlsx import xlsx_response

RECENT_UPLOADS = 10


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, importer: type[importing.Importer]):
    importer = importer()
    importer.check_permission(request.user)
    form = (importer.form_class or WorkbookUploadForm)(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = importer.record_upload(
                form.cleaned_data["file"].name, form.content, request.user, importer.upload_options(form)
            )
        except ValidationError as exc:  # an option that no longer resolves (e.g. a template just deleted)
            form.add_error(None, exc)
        else:
            return redirect(f"{importer.namespace}:import_preview", batch_id=batch.pk)
    recent = ImportBatch.objects.filter(kind=importer.kind, uploaded_by=request.user).defer("content")
    return render(
        request,
        "imports/upload.html",
        {
            "importer": importer,
            "form": form,
            "recent": recent[:RECENT_UPLOADS],
            "preview": f"{importer.namespace}:import_preview",
            "instructions": importer.instructions(),
            "headers": importer.headers(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def preview(request, batch_id: int, importer: type[importing.Importer]):
    """GET: what the file would do, a page at a time from the stored results. POST: do it, all or nothing, once.

    The file is validated once (the first GET, through importing.run_import_step); later GETs read the stored
    results only. The commit validates again inside its lock and refuses a plan that differs from the preview.
    """
    importer = importer()
    importer.check_permission(request.user)
    # Only the uploader sees a batch: another user's upload is a 404, like any row out of scope.
    batches = ImportBatch.objects.defer("content")
    batch = get_object_or_404(batches, pk=batch_id, kind=importer.kind, uploaded_by=request.user)
    status, state = 200, ""
    if request.method == "POST":
        result = importing.run_import_step("commit", batch, request.user)
        state = result["state"]
        if state == "missing":
            raise Http404
        if state == "committed":
            messages.success(request, result["message"])
            return redirect(f"{importer.namespace}:import_preview", batch_id=batch.pk)
        status = 409 if state == "already" else 200
        batch.refresh_from_db(fields=["status", "summary", "committed_at"])
    elif not importing.results_current(batch):
        if importing.run_import_step("preview", batch, request.user)["state"] == "missing":
            raise Http404
        batch.refresh_from_db(fields=["status", "summary", "committed_at"])
    summary = batch.summary or {}
    counts = summary.get("counts", {})
    page = importing.results_page(batch, request.GET.get("page"))
    committed = batch.status == ImportBatch.Status.COMMITTED
    return render(
        request,
        "imports/preview.html",
        {
            "importer": importer,
            "batch": batch,
            "summary": summary,
            "counts": counts,
            "count_cards": [
                (key, label, counts.get(key, 0))
                for key, label in [*importer.count_labels.items(), *importer.extra_counts]
            ],
            "lead": importer.preview_lead(summary),
            "page": page,
            "errors": [item for part, item in page.object_list if part == ImportResultChunk.Part.ERROR],
            "rows": [item for part, item in page.object_list if part == ImportResultChunk.Part.ROW],
            "changed": summary.get("changed", []) if state == "changed" else [],
            "committed": committed,
            "already": state == "already",
            "refused": state in ("refused", "changed"),
            "can_commit": not committed and not counts.get("errors") and not summary.get("errors"),
        },
        status=status,
    )


@login_required
@require_GET
def template(request, importer: type[importing.Importer]):
    """The importer's blank template (only routed for importers that offer one)."""
    importer = importer()
    importer.check_permission(request.user)
    return xlsx_response(importer.template_workbook(request.user), f"{importer.template_file_name}.xlsx")
