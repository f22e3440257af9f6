"""The visit cadence is configured here. Visits are logged through visits.services; a zone administrator may
correct one here (every change is kept in its history)."""

from django.contrib import admin

from jingkai.core.admin import ZoneModelAdmin
from jingkai.visits.models import Visit, VisitCadence


@admin.register(VisitCadence)
class VisitCadenceAdmin(ZoneModelAdmin):
    list_display = ("scale_class", "period", "updated_at")


@admin.register(Visit)
class VisitAdmin(ZoneModelAdmin):
    list_display = ("visited_on", "enterprise", "kind", "grid", "created_by")
    list_filter = ("kind", "grid")
    search_fields = ("enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise", "grid", "created_by")
    date_hierarchy = "visited_on"
    autocomplete_fields = ("enterprise",)
    filter_horizontal = ("visitors",)
    raw_id_fields = ("demands",)
