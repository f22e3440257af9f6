"""The Content-Security-Policy report endpoint (settings.CONTENT_SECURITY_POLICY `report-uri`).

Browsers POST a violation report here when a page breaks the policy; each becomes one warning line of the
logger "jingkai.csp" (what was blocked, by which directive, on which page), so a template that slips an inline
script or style in shows up in the server log. Nothing is stored; reports are anonymous and capped in size.
"""

from __future__ import annotations

import json
import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("jingkai.csp")

MAX_BYTES = 16 * 1024
FIELDS = (
    "document-uri",
    "violated-directive",
    "effective-directive",
    "blocked-uri",
    "source-file",
    "line-number",
)


def _reports(payload) -> list[dict]:
    # report-uri sends {"csp-report": {...}}; the Reporting API (report-to) a list of {"type", "body": {...}}.
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            {
                "document-uri": r["body"].get("documentURL"),
                "effective-directive": r["body"].get("effectiveDirective"),
                "blocked-uri": r["body"].get("blockedURL"),
                "source-file": r["body"].get("sourceFile"),
                "line-number": r["body"].get("lineNumber"),
            }
            for r in payload
            if isinstance(r, dict) and r.get("type") == "csp-violation" and isinstance(r.get("body"), dict)
        ]
    return []


@csrf_exempt  # a browser sends reports without the page's CSRF token
@require_POST
def report(request):
    if len(request.body) > MAX_BYTES:
        return HttpResponseBadRequest("report too large", content_type="text/plain")
    try:
        reports = _reports(json.loads(request.body))
    except (ValueError, UnicodeDecodeError):
        reports = []
    if not reports:
        return HttpResponseBadRequest("not a CSP violation report", content_type="text/plain")
    for item in reports:
        logger.warning(
            "CSP violation: %s",
            " ".join(
                f"{key}={str(item.get(key))[:200]!r}" for key in FIELDS if item.get(key) not in (None, "")
            ),
        )
    return HttpResponse(status=204)
