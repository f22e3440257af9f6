"""/api/notifications: the caller's own notifications."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema

from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.schemas import Page
from jingkai.notifications.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


@router.get("", response=NotificationPage, summary="List my notifications, newest first")
def list_notifications(request, page: Query[Page], unread_only: bool = False):
    mine = Notification.objects.visible_to(request.user)
    rows = mine.unread() if unread_only else mine
    return {
        "items": list(rows[page.offset : page.offset + page.limit]),
        "count": rows.count(),
        "unread": mine.unread().count(),
    }


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one notification as read")
def read_notification(request, notification_id: int):
    notification = get_visible_or_404(Notification.objects.all(), request.user, pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
