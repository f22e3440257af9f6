"""How API callers prove who they are: a bearer token, or the browser's Django session."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from jingkai.core import audit
from jingkai.core.models import ApiToken
from jingkai.core.separation import is_system_role

# last_used_at is written at most this often (a script calling every second must not write every second).
LAST_USED_GRANULARITY = dt.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer jk_…`, a token issued with `jingkai token USERNAME` (docs/security.md §2).

    An expired token is refused (401) and the refusal audited (TOKEN_EXPIRED); a valid one has its last use
    kept to the minute, and its use audited (TOKEN_USED) at most once per JINGKAI_TOKEN_USE_AUDIT_MINUTES, so
    the log records which tokens are in use without a row per request.
    """

    def authenticate(self, request, token: str):
        api_token = ApiToken.objects.find(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.is_expired(now):
            # The first refusal after expiry is always recorded, even within the window of the last use.
            _audit_once(
                api_token,
                "use_audited_at",
                audit.Kind.TOKEN_EXPIRED,
                request,
                now,
                since=api_token.expires_at,
            )
            return None
        if is_system_role(api_token.user):  # 三员: no zone data (a session is refused by core.separation)
            raise PermissionDenied
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
            api_token.last_used_at = now
        _audit_once(api_token, "use_audited_at", audit.Kind.TOKEN_USED, request, now)
        # simple-history's middleware names request.user as the author of every change; without
        # this a change made with a token would be recorded as anonymous.
        request.user = api_token.user
        return api_token.user


def _audit_once(api_token, field: str, kind, request, now, since=None) -> None:
    """Record `kind` for this token unless one was recorded within JINGKAI_TOKEN_USE_AUDIT_MINUTES (and after
    `since`, when given)."""
    every = dt.timedelta(minutes=settings.JINGKAI_TOKEN_USE_AUDIT_MINUTES)
    last = getattr(api_token, field)
    if last is not None and now - last < every and (since is None or last >= since):
        return
    # One writer wins the row's update; only it records the event.
    changed = (
        ApiToken.objects.filter(pk=api_token.pk, **{field: last}).update(**{field: now})
        if last is not None
        else ApiToken.objects.filter(pk=api_token.pk, **{f"{field}__isnull": True}).update(**{field: now})
    )
    setattr(api_token, field, now)
    if changed:
        audit.record(
            kind,
            request=request,
            user=api_token.user,
            target=api_token,
            summary=f"{api_token.prefix}… {api_token.name}".strip(),
            expires_at=api_token.expires_at.isoformat(),
        )


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
