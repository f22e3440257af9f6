"""Receivers of Django's sign-in signals and of the admin's log: the audit trail of sign-ins, the start of a
session's clocks, sign-out ending every session, and the forced change of a password an administrator chose."""

from __future__ import annotations

import json

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver

from jingkai.accounts import sessions
from jingkai.core import audit


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.start(request)
    audit.record(audit.Kind.LOGIN, request=request, user=user, target=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    # Signing out ends every session of the user, on every device (the session auth hash holds the epoch).
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    audit.record(audit.Kind.LOGOUT, request=request, user=user, target=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:150]
    locked = bool(getattr(request, "jk_was_locked", False))
    audit.record(
        audit.Kind.LOGIN_FAILED,
        request=request,
        username=username,
        target=_target(username),
        summary="refused: account locked" if locked else "wrong user name or password",
        locked=locked,
    )


def _target(username: str) -> str:
    pk = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    return f"core.user:{pk}" if pk else ""


@receiver(post_save, sender=LogEntry)
def on_admin_log(sender, instance, created, **kwargs):
    """An account the admin site created, or whose password an administrator set there: its owner must choose
    a new password at the next sign-in."""
    if not created:
        return
    User = get_user_model()
    if instance.content_type.model_class() is not User:
        return
    if instance.action_flag == ADDITION:
        User.objects.filter(pk=instance.object_id).update(must_change_password=True)
    elif instance.action_flag == CHANGE and _changes_password(instance.change_message):
        if str(instance.user_id) == str(instance.object_id):
            return
        User.objects.filter(pk=instance.object_id).update(must_change_password=True)
        target = User.objects.filter(pk=instance.object_id).first()
        audit.record(
            audit.Kind.PASSWORD_RESET,
            user=User.objects.filter(pk=instance.user_id).first(),
            target=target,
            summary="password set in the admin site; to be changed at the next sign-in",
        )


def _changes_password(message: str) -> bool:
    try:
        entries = json.loads(message or "[]")
    except ValueError:
        return False
    return any("password" in (entry.get("changed") or {}).get("fields", []) for entry in entries)
