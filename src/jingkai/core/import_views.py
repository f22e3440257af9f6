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
from jingkai.core.models import ImportBatch, ImportResultChunk, Job
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
        # The commit is a job (a worker writes the rows); its page shows the progress and leads back here.
        job = importing.start_import_step("commit", batch, request.user)
        if job.is_active:
            return redirect(job)
        if job.state == Job.State.FAILED:
            messages.error(request, job.error)
            return redirect(f"{importer.namespace}:import_preview", batch_id=batch.pk)
        result = job.result
        state = result["state"]
        if state == "committed":
            messages.success(request, result["message"])
            return redirect(f"{importer.namespace}:import_preview", batch_id=batch.pk)
        status = 409 if state == "already" else 200
        batch.refresh_from_db(fields=["status", "summary", "committed_at"])
    elif not importing.results_current(batch):
        # Validated once, by a job; until it has stored the results its page stands in for this one.
        job = importing.start_import_step("preview", batch, request.user)
        if job.is_active:
            return redirect(job)
        if job.state == Job.State.FAILED:
            if not ImportBatch.objects.filter(pk=batch.pk).exists():
                raise Http404
            return _failed(request, job)
        batch.refresh_from_db(fields=["status", "summary", "committed_at"])
    elif request.GET.get("outcome") in importing.OUTCOMES:
        # Back from the commit's job page: what the commit found (already, refused, changed) is shown as when
        # the commit answered the request itself.
        state = request.GET["outcome"]
        if state == "committed":
            state = ""
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


def _failed(request, job):
    """A preview job that failed for a reason of its own (its message, in Chinese): the job's page says it."""
    messages.error(request, job.error)
    return redirect(job)


@login_required
@require_GET
def template(request, importer: type[importing.Importer]):
    """The importer's blank template (only routed for importers that offer one)."""
    importer = importer()
    importer.check_permission(request.user)
    return xlsx_response(importer.template_workbook(request.user), f"{importer.template_file_name}.xlsx")
