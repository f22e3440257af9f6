"""三员分立 (docs/security.md §3): the system, security and audit administrators keep to their own pages.

They administer the system and work on none of the zone's data, so they are refused every page and API
operation of the zone apps here, once, before any view runs, instead of by each view's own checks (which
would mostly show them empty lists). What they may reach:

- the kernel's own pages (`jingkai.core`: sign-in and sign-out, the health check, the password and
  second-factor pages, the security administrator's roles page, the audit administrator's log);
- Django's own account views (`django.contrib.auth`) and the admin site, where core/admin.py keeps the system
  administrator to the user pages and refuses the other two;
- the home page, which sends each of them to their own landing page (LANDING).

API calls authenticated with a bearer token are refused by the API's token check (jingkai.api.auth), since
the token is read after this middleware.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect

from jingkai.core.models import SYSTEM_ROLES, Role

# Where the security and the audit administrator land after signing in (the home page redirects there). The
# system administrator's home page is the home page itself, which shows it the last good backup (RPO).
LANDING = {
    Role.SECURITY_ADMIN: "security:roles",
    Role.AUDIT_ADMIN: "audit:log",
}
# The modules of the views they may reach (prefixes of the view function's module).
# A later app whose pages serve them (the security administrator's anonymisation of a contact, the account
# pages) adds its view module to settings.JINGKAI_SYSTEM_ROLE_VIEW_MODULES: the kernel names no later app.
KERNEL_VIEW_MODULES = ("jingkai.core.", "django.contrib.auth.", "django.contrib.admin.", "django.views.")


def allowed_view_modules() -> tuple[str, ...]:
    return KERNEL_VIEW_MODULES + tuple(getattr(settings, "JINGKAI_SYSTEM_ROLE_VIEW_MODULES", ()))


def is_system_role(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.role in SYSTEM_ROLES)


def may_reach(view_func) -> bool:
    module = getattr(view_func, "__module__", "") or ""
    return module.startswith(allowed_view_modules())


class SystemRoleConfinement:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not is_system_role(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name == "home":
            return redirect(LANDING[user.role]) if user.role in LANDING else None
        if may_reach(view_func):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "Permission denied"}, status=403)
        raise PermissionDenied("三员: not for the system, security and audit administrators")
