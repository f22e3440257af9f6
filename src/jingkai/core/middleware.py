"""Response headers every page of the application carries (docs/security.md §5).

Static files never reach this middleware: whitenoise (before it in settings.MIDDLEWARE) answers them with their
long cache headers.
"""

from __future__ import annotations

from django.conf import settings


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
