"""Verbs of identity (docs/security.md §2): change a password, enrol and verify a second factor, reset it,
unlock a user name. Each is audited."""

from __future__ import annotations

import base64

import django_otp
from django.conf import settings
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingkai.accounts import lockout
from jingkai.accounts.models import PasswordHistory
from jingkai.core import audit

TOTP_NAME = "totp"
RECOVERY_NAME = "recovery"


# --- passwords --------------------------------------------------------------------------------------------


@transaction.atomic
def change_password(user, raw_password: str, *, request=None) -> None:
    """Set the user's own new password (already validated): keep the old hash in the history (the last
    JINGKAI_PASSWORD_HISTORY are refused again), restart its age, clear a forced change, and end every other
    session of the user (the session that changed it stays signed in)."""
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
        : max(settings.JINGKAI_PASSWORD_HISTORY - 1, 1)
    ]
    PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
    user.set_password(raw_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.session_epoch = F("session_epoch") + 1
    user.save(update_fields=["password", "password_changed_at", "must_change_password", "session_epoch"])
    user.refresh_from_db(fields=["session_epoch"])
    if request is not None:
        update_session_auth_hash(request, user)
    audit.record(audit.Kind.PASSWORD_CHANGED, request=request, user=user, target=user)


def end_all_sessions(user) -> None:
    get_user_model().objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)


# --- second factor ----------------------------------------------------------------------------------------


def has_otp_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device (made now if there is none): its secret is shown for enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_of(device: TOTPDevice) -> str:
    """The key as authenticator apps take it when typed in (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the pending device with a code from the app: the session is verified, the user's earlier
    devices go, and JINGKAI_OTP_RECOVERY_CODES new recovery codes are made (returned: shown once).
    None if the code is wrong."""
    user = request.user
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        audit.record(audit.Kind.OTP_FAILED, request=request, target=user, summary="enrolment code refused")
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    django_otp.login(request, device)
    audit.record(audit.Kind.OTP_ENROLLED, request=request, target=user, recovery_codes=len(codes))
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.JINGKAI_OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def verify(request, token: str) -> bool:
    """Verify the session with a code from the app, or with one recovery code (used up)."""
    user = request.user
    token = (token or "").strip().replace(" ", "").lower()
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            django_otp.login(request, device)
            return True
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            django_otp.login(request, device)
            left = device.token_set.count()
            audit.record(audit.Kind.RECOVERY_CODE_USED, request=request, target=user, codes_left=left)
            return True
    audit.record(audit.Kind.OTP_FAILED, request=request, target=user, summary="one-time code refused")
    return False


@transaction.atomic
def reset_otp(actor, user, *, request=None) -> int:
    """A security administrator removes a user's second factor (a lost phone): the user enrols again at the
    next sign-in, and every session of the user ends. Returns the number of devices removed."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    end_all_sessions(user)
    audit.record(audit.Kind.OTP_RESET, request=request, user=actor, target=user, devices=removed)
    return removed


# --- lock-out ---------------------------------------------------------------------------------------------


def unlock(actor, username: str, *, request=None) -> bool:
    """A security administrator lifts the lock on a user name. False if it was not locked."""
    from axes.models import AccessAttempt

    until = lockout.locked_until(username)
    if until is None:
        return False
    token = lockout.unlocking.set(True)
    try:
        AccessAttempt.objects.filter(username=username).delete()
    finally:
        lockout.unlocking.reset(token)
    audit.record(
        audit.Kind.UNLOCKED,
        request=request,
        user=actor,
        target=lockout._user_target(username),
        summary=f"lock of {username} lifted",
        locked_username=username,
        was_until=until.isoformat(),
    )
    return True
