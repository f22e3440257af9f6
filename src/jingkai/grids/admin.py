from django.contrib import admin

from jingkai.core.admin import ZoneAdminMixin, ZoneModelAdmin
from jingkai.grids.models import Community, CommunityAssignment, Grid, GridAssignment


class GridAssignmentInline(ZoneAdminMixin, admin.TabularInline):
    model = GridAssignment
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "role", "start_date", "end_date")


class CommunityAssignmentInline(ZoneAdminMixin, admin.TabularInline):
    model = CommunityAssignment
    extra = 0
    autocomplete_fields = ("user",)
    fields = ("user", "start_date", "end_date")


@admin.register(Grid)
class GridAdmin(ZoneModelAdmin):
    list_display = ("number", "code", "name", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    inlines = [GridAssignmentInline]


@admin.register(Community)
class CommunityAdmin(ZoneModelAdmin):
    list_display = ("number", "code", "name", "kind", "is_active")
    list_display_links = ("code", "name")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [CommunityAssignmentInline]


@admin.register(GridAssignment)
class GridAssignmentAdmin(ZoneModelAdmin):
    list_display = ("grid", "role", "user", "start_date", "end_date")
    list_filter = ("role", "grid")
    search_fields = ("user__username", "user__full_name", "grid__name", "grid__code")
    autocomplete_fields = ("user", "grid")
    list_select_related = ("grid", "user")


@admin.register(CommunityAssignment)
class CommunityAssignmentAdmin(ZoneModelAdmin):
    list_display = ("community", "user", "start_date", "end_date")
    list_filter = ("community",)
    search_fields = ("user__username", "user__full_name", "community__name", "community__code")
    autocomplete_fields = ("user", "community")
    list_select_related = ("community", "user")
