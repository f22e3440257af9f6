"""The audit log for the audit administrator (三员: reads the log, nothing else): a filtered, paginated list
and its export as .xlsx or .csv, itself audited. Everyone else gets 403."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.core.audit import AuditEvent
from jingkai.core.filtersets import AuditEventFilterSet, refuse_invalid
from jingkai.core.permissions import require
from jingkai.core.xlsx import XlsxColumn, audited_download, export_response

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # rows in one export; narrow the filters for more


def _filterset(request) -> AuditEventFilterSet:
    require("core.is_audit_admin", request.user, _("The audit log is for the audit administrator."))
    return AuditEventFilterSet(request.GET or None, AuditEvent.objects.order_by("-id"))


@login_required
@require_GET
def log(request):
    filterset = _filterset(request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else AuditEvent.objects.order_by("-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"form": filterset.form, "page": page})


def _columns() -> list[XlsxColumn]:
    return [
        XlsxColumn(_("Id"), "integer", 10, value=lambda e: e.pk),
        XlsxColumn(
            _("Time"), "text", 20, value=lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")
        ),
        XlsxColumn(_("Event"), "text", 18, value=lambda e: str(e.get_kind_display())),
        XlsxColumn(_("User name"), "text", 16, value=lambda e: e.actor_username),
        XlsxColumn(_("Address"), "text", 16, value=lambda e: e.ip or ""),
        XlsxColumn(_("Object"), "text", 24, value=lambda e: e.target),
        XlsxColumn(_("Summary"), "text", 40, value=lambda e: e.summary),
        XlsxColumn(_("Details"), "text", 40, value=lambda e: _details(e)),
        XlsxColumn(_("Hash"), "text", 20, value=lambda e: e.hash),
    ]


def _details(event) -> str:
    import json

    return json.dumps(event.details, ensure_ascii=False, sort_keys=True)


def _export_rows(request):
    filterset = _filterset(request)
    if refused := refuse_invalid(filterset):
        return None, refused
    return list(filterset.qs[:EXPORT_LIMIT]), None


@login_required
@require_GET
def export_xlsx(request):
    rows, refused = _export_rows(request)
    if refused:
        return refused
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = export_response(
        rows, _columns(), sheet=_("Audit log"), file_name=f"{_('Audit log')}-{stamp}.xlsx"
    )
    return audited_download(request, response)


@login_required
@require_GET
def export_csv(request):
    rows, refused = _export_rows(request)
    if refused:
        return refused
    columns = _columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    for event in rows:
        # A cell that a spreadsheet would take for a formula is written as text.
        writer.writerow([_csv_safe(c.value(event)) for c in columns])
    content = ("\ufeff" + buffer.getvalue()).encode()  # the BOM: Excel reads the file as UTF-8
    stamp = timezone.localdate().strftime("%Y%m%d")
    return audited_download(
        request,
        content,
        f"{_('Audit log')}-{stamp}.csv",
        rows=len(rows),
        content_type="text/csv; charset=utf-8",
    )


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
