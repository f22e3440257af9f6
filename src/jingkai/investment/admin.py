"""Projects are written through investment.services (pages, API, import), so their admin is read-only with
full history; exchange rates, the year's targets and the reminder settings are edited here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core.admin import ReadOnlyMixin, ZoneModelAdmin
from jingkai.investment.models import ExchangeRate, Project, ReminderSettings, Target


@admin.register(Project)
class ProjectAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("code", "name", "country", "kind", "stage", "status", "owner")
    list_filter = ("stage", "status", "kind", "origin")
    search_fields = ("code", "name", "investor")
    list_select_related = ("owner",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ZoneModelAdmin):
    list_display = ("month", "currency", "rate_to_cny", "source")
    list_filter = ("currency",)


@admin.register(Target)
class TargetAdmin(ZoneModelAdmin):
    list_display = ("year", "figure", "value")
    list_filter = ("year",)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ZoneModelAdmin):
    list_display = ("__str__", "no_contact_days", "milestone_days")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not ReminderSettings.objects.exists()
