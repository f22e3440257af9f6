"""Who must do what before using the site (docs/security.md §2): a second factor for some roles, a new password
when it expired or an administrator chose it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def otp_required(user) -> bool:
    """Zone administrators (and superusers), the three 三员 administrators, and any role added by
    JINGKAI_OTP_ROLES; nobody while JINGKAI_OTP_REQUIRED is off."""
    if not settings.JINGKAI_OTP_REQUIRED:
        return False
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.role in settings.JINGKAI_OTP_ROLES)


def password_expires_at(user) -> dt.datetime:
    return user.password_changed_at + dt.timedelta(days=settings.JINGKAI_PASSWORD_MAX_AGE_DAYS)


def password_expired(user, now=None) -> bool:
    return password_expires_at(user) <= (now or timezone.now())


def must_change_password(user) -> str | None:
    """ "forced" (an administrator chose it) or "expired", or None."""
    if not user.has_usable_password():
        return None
    if user.must_change_password:
        return "forced"
    if password_expired(user):
        return "expired"
    return None
