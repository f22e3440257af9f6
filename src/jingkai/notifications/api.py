"""/api/notifications: the caller's own notifications."""

from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from jingkai.core.api import Pagination
from jingkai.core.scoping import get_visible_or_404
from jingkai.notifications.filtersets import NotificationFilterSet
from jingkai.notifications.models import Notification
from jingkai.notifications.schemas import NotificationOut

router = Router(tags=["notifications"])


class NotificationPagination(Pagination):
    """The page of notifications, their count, and how many of all the caller's are unread (the badge)."""

    class Output(Pagination.Output):
        unread: int

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        return {**result, "unread": Notification.objects.visible_to(request.user).unread().count()}


@router.get("", response=list[NotificationOut], summary="List my notifications, newest first")
@paginate(NotificationPagination)
def list_notifications(request, unread_only: bool = False):
    mine = Notification.objects.visible_to(request.user)
    return NotificationFilterSet({"unread_only": unread_only}, mine).qs


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one notification as read")
def read_notification(request, notification_id: int):
    notification = get_visible_or_404(Notification.objects.all(), request.user, pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
