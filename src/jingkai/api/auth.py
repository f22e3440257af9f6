"""How API callers prove who they are: a bearer token, or the browser's Django session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer, SessionAuth

from jingkai.core.models import ApiToken
from jingkai.core.separation import is_system_role


class TokenAuth(HttpBearer):
    """`Authorization: Bearer jk_…`, a token issued with `jingkai token USERNAME`."""

    def authenticate(self, request, token: str):
        api_token = ApiToken.objects.authenticate(token)
        if api_token is None:
            return None
        if is_system_role(api_token.user):  # 三员: no zone data (a session is refused by core.separation)
            raise PermissionDenied
        # simple-history's middleware names request.user as the author of every change; without
        # this a change made with a token would be recorded as anonymous.
        request.user = api_token.user
        return api_token.user


class BrowserSessionAuth(SessionAuth):
    """ninja's django_auth (CSRF enforced on unsafe methods), for a signed-in browser.

    ninja checks CSRF before it looks at the session, so a POST carrying a wrong token and no
    session would answer "403 CSRF check Failed". A caller without a session is simply not
    authenticated by this method: checking CSRF only then lets such a caller get the 401 it deserves.
    """

    def _get_key(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super()._get_key(request)


token_auth = TokenAuth()
session_auth = BrowserSessionAuth()
