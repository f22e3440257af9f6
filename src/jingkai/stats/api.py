"""/api/stats/imports…: upload, preview and commit of the monthly statistics workbook (zone admins only).

POST /api/stats/imports                      upload (multipart `file`, optional `template`, `period` YYYY-MM)
GET  /api/stats/imports/{batch_id}           the preview (stored once): counts, every located error, notices
POST /api/stats/imports/{batch_id}/commit    apply all-or-nothing (409 if already committed, 422 with errors or
                                             with `changed`: where the data changed since the preview)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from jingkai.core import importing
from jingkai.core.bounds import text_problem
from jingkai.core.dates import parse_month
from jingkai.core.models import ImportBatch
from jingkai.stats import importers
from jingkai.stats.importers import StatsImporter
from jingkai.stats.schemas import ImportOut

# /api/stats/imports…: upload, preview and commit of the monthly workbook.
router = Router(tags=["stats"])


def _out(batch: ImportBatch, summary: dict) -> dict:
    return {
        "batch_id": batch.pk,
        "file_name": batch.file_name,
        "status": batch.status,
        "period": summary.get("period"),
        "counts": summary.get("counts", {}),
        # Every error: the stored results hold them all (the summary keeps the first ones only).
        "errors": importing.stored_errors(batch) if "results" in summary else summary.get("errors", []),
        "changed": summary.get("changed", []),
        "notices": summary.get("notices", []),
    }


def parse_period(value: str | None) -> dt.date | None:
    """'2023-06' (or 2023-06-01) -> 2023-06-01; a ValidationError names the field otherwise."""
    if not value:
        return None
    try:
        return parse_month(value)
    except ValueError:
        raise ValidationError({"period": [_("Write the period as YYYY-MM, e.g. 2023-06")]}) from None


def _batch(request, batch_id: int) -> ImportBatch:
    StatsImporter.check_permission(request.user)
    return get_object_or_404(ImportBatch, pk=batch_id, kind=StatsImporter.kind, uploaded_by=request.user)


@router.post("/imports", response={201: ImportOut}, summary="Upload a monthly statistics workbook (preview)")
def upload(request, file: File[UploadedFile], template: Form[str] = "", period: Form[str] = ""):
    StatsImporter.check_permission(request.user)
    for name, value in (("template", template), ("period", period)):
        if len(value) > 200 or (problem := text_problem(value)):
            raise ValidationError({name: [problem or _("At most 200 characters.")]})
    if file.size > settings.JINGKAI_IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large")]})
    content = file.read()
    problems = importing.check_file(content, file.name or "")
    if problems:
        raise ValidationError({"file": [p.reason for p in problems]})
    if template and importers.template_named(template) is None:
        raise ValidationError({"template": [_("No template named “%(name)s”") % {"name": template}]})
    batch = importers.record_upload(file.name or "upload.xlsx", content, request.user, template=template,
                                    period=parse_period(period))  # fmt: skip
    importing.run_import_step("preview", batch, request.user)
    batch.refresh_from_db()
    return Status(201, _out(batch, batch.summary))


@router.get("/imports/{batch_id}", response=ImportOut, summary="Preview of an uploaded statistics workbook")
def preview(request, batch_id: int):
    batch = _batch(request, batch_id)
    if not importing.results_current(batch):  # validated once; later calls read the stored results
        importing.run_import_step("preview", batch, request.user)
        batch.refresh_from_db()
    return _out(batch, batch.summary)


@router.post(
    "/imports/{batch_id}/commit",
    response={200: ImportOut, 409: ImportOut, 422: ImportOut},
    summary="Commit an uploaded statistics workbook, all or nothing",
)
def commit(request, batch_id: int):
    batch = _batch(request, batch_id)
    try:
        batch, report = StatsImporter().commit_batch(batch.pk, request.user)
    except importing.BatchAlreadyCommitted:
        batch.refresh_from_db()
        return Status(409, _out(batch, batch.summary))
    return Status(200 if report.ok else 422, _out(batch, batch.summary))
