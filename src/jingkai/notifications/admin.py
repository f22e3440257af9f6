from django.contrib import admin

from jingkai.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["title", "key", "recipient__username"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
