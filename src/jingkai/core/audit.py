"""The security audit log (等保2.0 安全审计): who did what to security, and every export, reveal and import.

Separate from field history (simple-history keeps what a record looked like; this keeps who signed in, who
was locked out, who exported which rows, who revealed whose phone number). Rows are only ever added:

    from jingkai.core import audit
    audit.record(audit.Kind.EXPORT, request=request, target=grid, summary="…", rows=120, sha256="…")

Each row carries the SM3 hash of its own content and of the row before it (`prev_hash`), so a row changed
or removed outside the application breaks the chain at that point (`jingkai audit verify`). The actor is
kept by id and user name, not by foreign key: deleting a user must not touch the audit rows.
"""

from __future__ import annotations

import datetime as dt
import json

from cryptography.hazmat.primitives import hashes
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The hash of the first row's (absent) predecessor.
GENESIS = "0" * 64
# PostgreSQL: the advisory lock that serialises appends, so two concurrent rows cannot both follow one row.
_PG_LOCK_KEY = 0x4A4B_4155  # "JKAU"


class Kind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    LOCKED = "locked", _("Account locked")
    UNLOCKED = "unlocked", _("Account unlocked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
    ROLE_CHANGED = "role_changed", _("Role changed")
    USER_CREATED = "user_created", _("User created")
    USER_DEACTIVATED = "user_deactivated", _("User deactivated")
    OTP_ENROLLED = "otp_enrolled", _("Second factor enrolled")
    OTP_FAILED = "otp_failed", _("Second factor failed")
    OTP_RESET = "otp_reset", _("Second factor reset")
    RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    TOKEN_USED = "token_used", _("API token used")
    TOKEN_EXPIRED = "token_expired", _("Expired API token refused")
    EXPORT = "export", _("Export")
    REVEAL = "reveal", _("Personal data revealed")
    ANONYMISED = "anonymised", _("Contact anonymised")
    KEY_ROTATED = "key_rotated", _("Encryption key rotated")
    IMPORT_COMMIT = "import_commit", _("Import committed")
    SETTINGS_CHANGED = "settings_changed", _("Security settings changed")
    BACKUP = "backup", _("Backup made")
    RESTORE = "restore", _("Backup restored")
    AUDIT_PURGED = "audit_purged", _("Audit log purged past retention")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices, db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # "app_label.model:pk" of what the event is about (a user, an enterprise, an import batch), or "".
    target = models.CharField(_("object"), max_length=200, blank=True, db_index=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.actor_username}"

    def content(self) -> bytes:
        """The bytes the row's hash covers: every field but id and hash, in a fixed order."""
        return json.dumps(
            [
                self.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
                self.kind,
                self.actor_id,
                self.actor_username,
                self.ip,
                self.target,
                self.summary,
                self.details,
                self.prev_hash,
            ],
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        ).encode()

    def compute_hash(self) -> str:
        return sm3(self.content())


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def target_of(obj) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return f"{obj._meta.label_lower}:{obj.pk}"


def _jsonable(details: dict) -> dict:
    # A round trip through JSON, so the hash computed now equals the one computed from the stored row.
    return json.loads(json.dumps(details, ensure_ascii=False, default=str))


def record(
    kind: str,
    *,
    request=None,
    user=None,
    target=None,
    summary: str = "",
    username: str | None = None,
    **details,
) -> AuditEvent:
    """Append one event. `user` defaults to the request's signed-in user; `username` names an attempted
    account that may not exist (a failed sign-in)."""
    from jingkai.core.clientip import client_ip

    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and candidate.is_authenticated:
            user = candidate
    event = AuditEvent(
        at=timezone.now(),
        kind=str(kind),
        actor_id=user.pk if user is not None else None,
        actor_username=(username if username is not None else (user.get_username() if user else ""))[:150],
        ip=client_ip(request) if request is not None else None,
        target=target_of(target)[:200],
        summary=str(summary)[:500],
        details=_jsonable(details),
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event
