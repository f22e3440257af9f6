"""The Django admin: zone configuration for superusers and zone administrators who hold is_staff.

Zone administrators need no per-model Django permissions: their role is the permission. Deleting is
left to superusers (history matters; end an assignment or mark a record inactive instead).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core import personal
from jingkai.core.models import ApiToken, Department, HolidayOverride, ImportBatch, User
from jingkai.core.permissions import can_use_admin_site

# Django's default would let any is_staff user in; grid officers must not reach zone configuration.
admin.site.has_permission = lambda request: can_use_admin_site(request.user)
admin.site.site_header = settings.JINGKAI_ZONE_NAME
admin.site.site_title = settings.JINGKAI_ZONE_NAME
admin.site.index_title = _("Zone configuration")
# Roles, not Django groups, decide what a user may do; an unused Groups page would only mislead.
admin.site.unregister(Group)


def _is_zone_admin(request) -> bool:
    return can_use_admin_site(request.user)


class ZoneAdminMixin:
    """View, add and change for zone administrators; delete for superusers only."""

    def has_module_permission(self, request):
        return _is_zone_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_zone_admin(request)

    def has_add_permission(self, request, *args):
        return _is_zone_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_zone_admin(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class ReadOnlyMixin(ZoneAdminMixin):
    """Visible in the admin, written elsewhere (a service, a command, the import)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ZoneModelAdmin(ZoneAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(User)
class UserAdmin(personal.PersonalSearchAdminMixin, ZoneAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "department", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "department")
    search_fields = ("username", "full_name", "email")
    personal_search = ("phone",)  # docs/security.md §4: an exact number, through its blind index
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "email", "role", "department")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "role", "department", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # A zone administrator manages accounts but cannot make anyone a superuser.
            fields += ["is_superuser", "groups", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(ZoneModelAdmin):
    list_display = ("code", "name", "is_active", "handles_investment")
    list_filter = ("is_active", "handles_investment")
    search_fields = ("code", "name")


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(ZoneModelAdmin):
    """The State Council's yearly holiday notice, date by date, for years chinesecalendar lacks."""

    list_display = ("date", "name", "is_working_day", "source")
    list_filter = ("is_working_day",)
    search_fields = ("name", "source")
    date_hierarchy = "date"

    def has_delete_permission(self, request, obj=None):
        # A mistyped date is corrected by removing it; the history keeps the trace.
        return _is_zone_admin(request)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Tokens are issued with `jingkai token USERNAME` (shown once); here they are listed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("prefix", "user", "name", "created_at", "revoked_at")
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoke()
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(tokens)}, messages.SUCCESS)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "file_name", "status", "uploaded_by", "committed_at")
    list_filter = ("kind", "status")
    search_fields = ("file_name", "uploaded_by__username")
    fields = ("kind", "file_name", "sha256", "status", "summary", "uploaded_by", "created_at", "committed_at")
