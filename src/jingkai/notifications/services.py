"""Producing and delivering notifications in a constant number of queries.

    notify([NotificationSpec(...), ...])   # stores the new ones; keys already stored are skipped
    send_pending_emails()                  # one digest e-mail per recipient for what is not yet e-mailed

Producers that work over large sets (the demand sweep) may instead insert rows with one
INSERT … SELECT and call send_pending_emails() afterwards; the unique key keeps them idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingkai.notifications.models import Notification

BATCH = 5000


@dataclass(frozen=True)
class NotificationSpec:
    recipient_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""


def notify(specs: Iterable[NotificationSpec]) -> int:
    """Store the notifications whose key is new; returns how many were new.

    Queries: one SELECT of the keys already stored and one INSERT per batch of new rows (5,000 on
    PostgreSQL; fewer on SQLite, which takes at most 999 parameters per statement).
    """
    specs = list({s.key: s for s in specs}.values())
    if not specs:
        return 0
    known: set[str] = set()
    keys = [s.key for s in specs]
    for start in range(0, len(keys), BATCH):
        known.update(
            Notification.objects.filter(key__in=keys[start : start + BATCH]).values_list("key", flat=True)
        )
    fresh = [
        Notification(
            recipient_id=s.recipient_id, kind=s.kind, key=s.key, title=s.title, body=s.body, url=s.url
        )
        for s in specs
        if s.key not in known
    ]
    # ignore_conflicts: a concurrent run that stored the same key first wins; nothing is stored twice.
    Notification.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
    return len(fresh)


def _absolute(url: str) -> str:
    base = getattr(settings, "JINGKAI_BASE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


class DeliveryFailed(Exception):
    """The mail server refused or failed part-way: `sent` digests went out, `waiting` notifications wait."""

    def __init__(self, sent: int, waiting: int, cause: Exception):
        self.sent, self.waiting, self.cause = sent, waiting, cause
        super().__init__(
            f"e-mail delivery failed after {sent} digest(s), {waiting} notification(s) wait: {cause!r}"
        )


def send_pending_emails(limit_per_recipient: int = 50) -> int:
    """E-mail every notification not yet e-mailed, one digest per recipient; returns e-mails sent.

    No SMTP call runs inside a transaction (docs/security.md §7): the pending rows are read, then each
    recipient's digest is sent and, as soon as the server took it, that recipient's rows are marked e-mailed
    (autocommit, one UPDATE per 500 rows). If the server fails half-way, the recipients already served stay
    marked and DeliveryFailed is raised (with the counts and the cause): the next run sends only what
    was not delivered. Two runs of the sweep never overlap (core.locks), so no digest goes out twice. Recipients without an e-mail address are marked
    done all the same (they read them in the app). One SMTP connection (EMAIL_TIMEOUT) for the batch.
    """
    pending = list(
        Notification.objects.filter(emailed_at__isnull=True)
        .order_by("id")
        .values("id", "recipient_id", "recipient__email", "title", "url")
    )
    if not pending:
        return 0
    by_recipient: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in pending:
        by_recipient[(row["recipient_id"], row["recipient__email"] or "")].append(row)
    _mark_emailed([r["id"] for (_r, email), rows in by_recipient.items() if not email for r in rows])
    digests = [(email, rows) for (_r, email), rows in by_recipient.items() if email]
    if not digests:
        return 0
    sent = 0
    backend = get_connection()
    try:
        try:
            backend.open()
        except Exception as exc:  # the server cannot be reached (EMAIL_TIMEOUT bounds the wait)
            raise DeliveryFailed(0, sum(len(rows) for _e, rows in digests), exc) from exc
        for email, rows in digests:
            lines = [f"- {r['title']}" + (f"  {_absolute(r['url'])}" if r["url"] else "") for r in rows]
            if len(rows) > limit_per_recipient:
                lines = lines[:limit_per_recipient] + [
                    _("… and %(count)d more; see the notifications page.")
                    % {"count": len(rows) - limit_per_recipient}
                ]
            subject = ngettext(
                "[%(zone)s] %(count)d new notification",
                "[%(zone)s] %(count)d new notifications",
                len(rows),
            ) % {"zone": settings.JINGKAI_ZONE_NAME, "count": len(rows)}
            message = EmailMessage(subject, "\n".join(lines), to=[email], connection=backend)
            try:
                if not backend.send_messages([message]):
                    raise RuntimeError(f"the e-mail backend did not send the digest to {email}")
            except Exception as exc:  # an SMTP or network error, whatever the backend raises
                waiting = sum(len(r) for _e, r in digests[sent:])
                raise DeliveryFailed(sent, waiting, exc) from exc
            # Delivered: marked at once, so a failure further on never sends this digest again.
            _mark_emailed([r["id"] for r in rows])
            sent += 1
    finally:
        backend.close()
    return sent


def _mark_emailed(ids: list[int]) -> None:
    sent_at = timezone.now()
    for start in range(0, len(ids), BATCH // 10):  # SQLite takes at most 999 parameters per statement
        Notification.objects.filter(id__in=ids[start : start + BATCH // 10], emailed_at__isnull=True).update(
            emailed_at=sent_at
        )
