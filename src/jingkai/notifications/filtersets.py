"""One FilterSet for the notification list page and /api/notifications."""

from __future__ import annotations

import django_filters as df

from jingkai.notifications.models import Notification


class NotificationFilterSet(df.FilterSet):
    # The page's `show=unread|all` and the API's `unread_only=true|false` both come down to this.
    unread_only = df.BooleanFilter(method="filter_unread_only")

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread_only(self, queryset, name, value):
        return queryset.unread() if value else queryset
