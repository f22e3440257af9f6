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
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The hash of the first row's (absent) predecessor.
GENESIS = "0" * 64
# PostgreSQL: the advisory lock that serialises appends, so two concurrent rows cannot both follow one row.
_PG_LOCK_KEY = 0x4A4B_4155  # "JKAU"
# The database refuses UPDATE and DELETE on the table (migration core 0008); the purge is the one sanctioned
# deletion: PostgreSQL allows DELETE while this transaction-local setting is 'on', SQLite while the one row of
# GATE_TABLE (not a Django model, so `flush` leaves it alone) says purge = 1.
PURGE_SETTING = "jingkai.audit_purge"
GATE_TABLE = "jingkai_audit_gate"


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
    return _visible_nul(json.loads(json.dumps(details, ensure_ascii=False, default=str)))


def _visible_nul(value):
    """NUL written as the text "\\x00": what a caller sent is recorded as it was, and PostgreSQL (whose text and
    jsonb cannot hold NUL) stores it; a filter of "a\\x00b" in an export's query is logged, never a failed page."""
    if isinstance(value, str):
        return value.replace("\x00", "\\x00")
    if isinstance(value, dict):
        return {_visible_nul(key): _visible_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_visible_nul(item) for item in value]
    return value


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
        actor_username=_visible_nul(
            username if username is not None else (user.get_username() if user else "")
        )[:150],
        ip=client_ip(request) if request is not None else None,
        target=_visible_nul(target_of(target))[:200],
        summary=_visible_nul(str(summary))[:500],
        details=_jsonable(details),
    )
    with transaction.atomic():
        _lock()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event.prev_hash = last or GENESIS
        event.hash = event.compute_hash()
        event.save(force_insert=True)
    return event


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def set_purge_gate(on: bool, *, local: bool = True, using=None) -> None:
    """Open or close the sanctioned deletion path. `local`: PostgreSQL's setting lasts until the end of the
    transaction (the purge); the `flush` command opens it for its session (it empties every table)."""
    conn = connections[using] if using else connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, %s)", [PURGE_SETTING, "on" if on else "off", local])
        elif conn.vendor == "sqlite":
            cursor.execute(f"UPDATE {GATE_TABLE} SET purge = %s WHERE id = 1", [1 if on else 0])


@contextmanager
def _purge_gate():
    set_purge_gate(True)
    try:
        yield
    finally:
        set_purge_gate(False)


def retention_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=settings.JINGKAI_AUDIT_RETENTION_DAYS)


def purge(now: dt.datetime | None = None, stdout=None) -> dict[str, int]:
    """Delete the events older than the retention (JINGKAI_AUDIT_RETENTION_DAYS), audited.

    What goes is always a prefix of the chain in id order: every row before the first one still within the
    retention (so a row within the retention is never deleted, even if clocks made ids and times disagree).
    The AUDIT_PURGED event is appended first, in the same transaction, with the count and the id and hash
    of the last purged row (`last_hash`): the first row kept then has `prev_hash == last_hash` of the latest
    purge event, which is where `verify()` anchors the chain. A purge that would delete nothing records
    nothing. The sweep runs it (core's Sweeper, "audit").
    """
    now = now or timezone.now()
    cutoff = retention_cutoff(now)
    with transaction.atomic():
        _lock()
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True)
        first_kept = first_kept.first()
        doomed = (
            AuditEvent.objects.all() if first_kept is None else AuditEvent.objects.filter(id__lt=first_kept)
        )
        last = doomed.order_by("-id").values("id", "hash").first()
        if last is None:
            return {}
        count = doomed.count()
        record(
            Kind.AUDIT_PURGED,
            summary=f"{count} events before {cutoff:%Y-%m-%d %H:%M} (retention {settings.JINGKAI_AUDIT_RETENTION_DAYS} days)",
            purged=count,
            last_id=last["id"],
            last_hash=last["hash"],
            before=cutoff.isoformat(),
            retention_days=settings.JINGKAI_AUDIT_RETENTION_DAYS,
        )
        with _purge_gate():
            AuditEvent.objects.filter(id__lte=last["id"]).delete()
    if stdout is not None:
        stdout.write(f"audit: purged {count} events older than {cutoff:%Y-%m-%d}")
    return {"purged": count}


@dataclass(frozen=True)
class Break:
    """The first broken link of the chain: the row where it breaks and what differs."""

    id: int
    problem: str


def anchor() -> str:
    """The prev_hash the first row must carry: GENESIS, or after a purge the latest purge's `last_hash`."""
    latest = AuditEvent.objects.filter(kind=Kind.AUDIT_PURGED).order_by("-id").values("details").first()
    if latest is None:
        return GENESIS
    return str(latest["details"].get("last_hash", ""))


def verify() -> tuple[int, Break | None]:
    """Walk the chain in id order: (number of events read, the first broken link or None)."""
    expected, before, count = anchor(), None, 0
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        computed = row.compute_hash()
        if computed != row.hash:
            return count, Break(
                row.id,
                f"its content no longer matches its hash (a field was changed): stored {row.hash}, "
                f"computed {computed}",
            )
        if row.prev_hash != expected:
            if before is None:
                problem = (
                    f"the first row's prev_hash {row.prev_hash} is not the chain's anchor {expected} "
                    "(the genesis, or the last purged row's hash): rows before it were removed"
                )
            else:
                problem = (
                    f"prev_hash {row.prev_hash} is not the hash {expected} of the row before (id {before}): "
                    "a row between them was removed, or the row before was rewritten"
                )
            return count, Break(row.id, problem)
        expected, before = row.hash, row.id
    return count, None
