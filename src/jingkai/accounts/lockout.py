"""Lock-out (django-axes): JINGKAI_LOGIN_FAILURE_LIMIT failures of one user name within
JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES lock that name for JINGKAI_LOCKOUT_MINUTES, from whatever address.

Axes alone counts the failures of an AccessAttempt row from its creation for as long as each follows the last
within the cool-off, so its window and its lock time are one number. Here axes keeps doing the locking
(AccessAttempt, its middleware and backend, the lock-out page) and this handler decides the count: before axes
adds a failure, the user name's attempt row is set to the failures of that name in the window (from axes'
AccessFailureLog, one row per failure), counted after the last successful sign-in and after the failure that
set the last lock. A lock lasts its time from the failure that set it (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
LOCKOUT is off: attempts during a lock are refused without being counted).

Audited: every failure (signals.py), every lock (axes' user_locked_out, once per lock), every unlock (a
security administrator's, services.unlock; an attempt row of a lock still running deleted elsewhere, e.g. in
the admin, is recorded too).
"""

from __future__ import annotations

import contextvars
import datetime as dt

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from jingkai.core import audit

# Set while services.unlock deletes a lock, which it records itself.
unlocking = contextvars.ContextVar("unlocking", default=False)


def window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES)


def lock_time() -> dt.timedelta:
    return dt.timedelta(minutes=settings.JINGKAI_LOCKOUT_MINUTES)


def failures_in_window(username: str, now) -> int:
    """Failures of the name (refused attempts during a lock excluded) within the window, after its last
    successful sign-in and after the failure that set its last lock."""
    since = now - window()
    last_login = AccessLog.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
    last_lock = AccessFailureLog.objects.filter(username=username, locked_out=True).aggregate(
        at=Max("attempt_time")
    )["at"]
    since = max(t for t in (since, last_login, last_lock) if t is not None)
    return AccessFailureLog.objects.filter(
        username=username, locked_out=False, attempt_time__gt=since, attempt_time__lte=now
    ).count()


def locked_until(username: str, now=None):
    """When the lock on this name ends, or None if it is not locked."""
    now = now or timezone.now()
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gt=now - lock_time())
    total = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
    if total < settings.AXES_FAILURE_LIMIT:
        return None
    return attempts.aggregate(at=Max("attempt_time"))["at"] + lock_time()


def locked_names(now=None) -> list[tuple[str, dt.datetime]]:
    """(user name, lock end) of every name locked now, the soonest to end first."""
    now = now or timezone.now()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gt=now - lock_time())
        .values("username")
        .annotate(n=Sum("failures_since_start"), at=Max("attempt_time"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("at")
    )
    return [(row["username"], row["at"] + lock_time()) for row in rows]


class WindowedLockoutHandler(AxesDatabaseHandler):
    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        request.jk_was_locked = bool(getattr(request, "axes_locked_out", False))
        username = get_client_username(request, credentials)
        if username and not request.jk_was_locked:
            self._count_window(request, username)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def _count_window(self, request, username: str) -> None:
        now = request.axes_attempt_time
        # A lock that has run its time is cleared by axes (clean_expired_user_attempts) before it counts.
        if locked_until(username, now) is not None:
            return
        earlier = failures_in_window(username, now)
        # One row per name: the failures of every address count together.
        attempts = AccessAttempt.objects.filter(username=username)
        attempts.exclude(ip_address=request.axes_ip_address, user_agent=request.axes_user_agent).delete()
        if earlier:
            AccessAttempt.objects.update_or_create(
                username=username,
                ip_address=request.axes_ip_address,
                user_agent=request.axes_user_agent,
                defaults={"failures_since_start": earlier, "attempt_time": now},
                create_defaults={
                    "failures_since_start": earlier,
                    "attempt_time": now,
                    "get_data": "",
                    "post_data": "",
                    "http_accept": request.axes_http_accept,
                    "path_info": request.axes_path_info,
                },
            )
        else:
            attempts.delete()


@receiver(user_locked_out)
def audit_lock(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is not None and getattr(request, "jk_was_locked", False):
        return  # an attempt refused during a lock: its failure is audited, the lock was already
    now = getattr(request, "axes_attempt_time", None) or timezone.now()
    audit.record(
        audit.Kind.LOCKED,
        request=request,
        username=username or "",
        target=_user_target(username),
        summary=f"{settings.AXES_FAILURE_LIMIT} failures in {settings.JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES} min",
        until=(now + lock_time()).isoformat(),
    )


@receiver(post_delete, sender=AccessAttempt)
def audit_lock_removed(sender, instance, **kwargs):
    """A running lock removed (the admin's delete, `axes_reset`); services.unlock records its own."""
    if unlocking.get():
        return
    if instance.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return
    if instance.attempt_time <= timezone.now() - lock_time():
        return  # a lock that had run its time, cleared by axes
    audit.record(
        audit.Kind.UNLOCKED,
        username="",
        target=_user_target(instance.username),
        summary=f"lock of {instance.username} removed (attempt record deleted)",
        locked_username=instance.username,
    )


def _user_target(username):
    from django.contrib.auth import get_user_model

    pk = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    return f"core.user:{pk}" if pk else ""
