"""IdentityMiddleware: after authentication (and django-otp's middleware), for a user signed in by session:

1. the session's clocks (sessions.py): past the idle or absolute limit the session ends here, server-side,
   and the request goes on anonymous (a page sends it to sign in, the API answers 401);
2. a second factor (policy.otp_required): until the session is verified, only the verification or enrolment
   page and sign-out answer; everything else is sent there (the API: 403 with a message);
3. a new password (policy.must_change_password): until it is changed, only the change page and sign-out.

API callers with a bearer token are not signed in by session and pass untouched (api/auth.py checks tokens).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from jingkai.accounts import policy, sessions
from jingkai.core import audit


def _paths(*names: str) -> set[str]:
    return {reverse(name) for name in names}


class IdentityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        ended = sessions.expired(request)
        if ended is not None:
            audit.record(
                audit.Kind.LOGOUT, request=request, user=user, target=user, summary=f"session ended: {ended}"
            )
            request.session.flush()
            request.user = AnonymousUser()
            messages.info(
                request,
                _("Your session ended after %(minutes)d minutes without activity. Please sign in again.")
                % {"minutes": _idle_minutes()}
                if ended == "idle"
                else _("Your session ended after %(hours)d hours. Please sign in again.")
                % {"hours": _absolute_hours()},
            )
            return None
        path = request.path_info
        always = _paths("logout", "healthz")
        if path in always:
            return None
        if policy.otp_required(user) and not user.is_verified():
            from jingkai.accounts.services import has_otp_device

            target = "accounts:otp_verify" if has_otp_device(user) else "accounts:otp_enrol"
            if path in _paths("accounts:otp_verify", "accounts:otp_enrol"):
                return None
            return self._refuse(
                request,
                target,
                _("A second factor is required: verify your one-time code first (%(url)s).")
                % {"url": reverse(target)},
            )
        reason = policy.must_change_password(user)
        if reason is not None:
            if path in _paths("accounts:password_change"):
                return None
            return self._refuse(
                request,
                "accounts:password_change",
                _("Your password has expired: change it first (%(url)s).")
                % {"url": reverse("accounts:password_change")}
                if reason == "expired"
                else _("You must choose a new password first (%(url)s).")
                % {"url": reverse("accounts:password_change")},
            )
        return None

    def _refuse(self, request, target: str, message: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        if request.headers.get("HX-Request"):
            # A fragment the page asks for (the navigation's notification badge on the code page itself): a
            # redirect would swap the whole code page into the badge and make the fragment the page to return
            # to after the code. htmx swaps nothing on a 403.
            return HttpResponseForbidden(message)
        url = reverse(target)
        if request.method == "GET" and request.path_info != reverse("home"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


def _idle_minutes() -> int:
    return settings.JINGKAI_SESSION_IDLE_MINUTES


def _absolute_hours() -> int:
    return settings.JINGKAI_SESSION_ABSOLUTE_HOURS
