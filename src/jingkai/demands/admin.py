"""Admin: the category tree with its time limits and the loop's policy are edited here; demands are
written only through demands.services (pages, API, import), so their admin is read-only with history.

Defaults (RULES.md §7, local time limits in official working days) when a category leaves a limit blank:
accept 1, assign 1, department takes it up 1, reply 5; rating window 5; amber 1; level-2 escalation
2 working days after the deadline; extensions at most 20 working days.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core.admin import ReadOnlyMixin, ZoneModelAdmin
from jingkai.demands.models import Demand, DemandCategory, DemandEvent, DemandPolicy


@admin.register(DemandCategory)
class DemandCategoryAdmin(ZoneModelAdmin):
    list_display = (
        "__str__",
        "code",
        "active",
        "order",
        "accept_days",
        "assign_days",
        "take_days",
        "reply_days",
    )
    list_filter = ("active", "parent")
    list_editable = ("active", "order", "accept_days", "assign_days", "take_days", "reply_days")
    search_fields = ("name", "code")
    list_select_related = ("parent",)


@admin.register(DemandPolicy)
class DemandPolicyAdmin(ZoneModelAdmin):
    list_display = ("__str__", "rating_window_days", "amber_days", "level2_after_days", "max_extension_days")

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request) and not DemandPolicy.objects.exists()


class DemandEventInline(admin.TabularInline):
    model = DemandEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_state", "to_state", "actor", "department", "due_on", "level", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Demand)
class DemandAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "__str__",
        "enterprise",
        "category",
        "channel",
        "state",
        "department",
        "due_on",
        "escalation_level",
        "rating",
    )
    list_filter = ("state", "channel", "category", "department", "escalation_level")
    search_fields = ("title", "description", "enterprise__name", "source_ref")
    list_select_related = ("enterprise", "category__parent", "department")
    inlines = [DemandEventInline]
    show_full_result_count = False
