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
from django.db import transaction
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


def send_pending_emails(limit_per_recipient: int = 50) -> int:
    """E-mail every notification not yet e-mailed, one digest per recipient; returns e-mails sent.

    Recipients without an e-mail address are marked as done all the same (they read them in the app).
    One select, one update per 500 notifications, and one SMTP connection for the batch.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(emailed_at__isnull=True)
            .order_by("id")
            .values("id", "recipient_id", "recipient__email", "title", "url")
        )
        if not pending:
            return 0
        by_recipient: dict[tuple[int, str], list[dict]] = defaultdict(list)
        for row in pending:
            by_recipient[(row["recipient_id"], row["recipient__email"] or "")].append(row)
        messages = []
        for (_recipient, email), rows in by_recipient.items():
            if not email:
                continue
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
            messages.append(EmailMessage(subject, "\n".join(lines), to=[email]))
        if messages:
            get_connection().send_messages(messages)
        # Exactly the rows read above: a row committed meanwhile, or locked by a concurrent run, waits.
        ids, sent_at = [r["id"] for r in pending], timezone.now()
        for start in range(0, len(ids), BATCH // 10):  # SQLite takes at most 999 parameters per statement
            Notification.objects.filter(id__in=ids[start : start + BATCH // 10]).update(emailed_at=sent_at)
    return len(messages)
