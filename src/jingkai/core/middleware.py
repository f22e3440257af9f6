"""Response headers every page of the application carries (docs/security.md §5), and the request id.

Static files never reach this middleware: whitenoise (before it in settings.MIDDLEWARE) answers them with their
long cache headers.
"""

from __future__ import annotations

import re
import uuid

from django.conf import settings

from jingkai.core import routers
from jingkai.core.logging import request_id


class NoStoreMiddleware:
    """`Cache-Control: no-store` and `Pragma: no-cache` on every response the application itself produces.

    Every such response is either a signed-in user's (a page, an API answer, an export or a download) or one of the
    few anonymous ones (the login page with its CSRF token, an error page): no browser, proxy or shared machine
    should keep any of them. A view's own cache headers are replaced, not merged, so nothing can relax this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
            response.headers.pop("Expires", None)
        return response


# A request id a load balancer or a calling service may pass in: a short token, nothing a log line could be
# forged with.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Gives every request an id (docs/operations.md, Province deployment): the incoming `X-Request-ID` when it
    is a sane token (at most 64 of A-Z a-z 0-9 . _ -), else a fresh uuid4 hex. The id is `request.request_id`,
    the `X-Request-ID` response header and, while the request is served, on every log line
    (core.logging.RequestIdFilter). First in settings.MIDDLEWARE, so static files and redirects carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response.headers[REQUEST_ID_HEADER] = rid
        return response


class ReplicaReadsMiddleware:
    """With a read replica configured (settings, JINGKAI_REPLICA_DATABASE_URL): a GET or HEAD request's view may
    read the dashboards' models from the replica (core.routers); any other request reads only the primary."""

    SAFE = frozenset({"GET", "HEAD"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.SAFE:
            return self.get_response(request)
        with routers.replica_reads():
            return self.get_response(request)
