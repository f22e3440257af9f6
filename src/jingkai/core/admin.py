"""The Django admin: zone configuration for zone administrators, user accounts for system administrators,
both holding is_staff (三员分立, docs/security.md §3).

Zone administrators need no per-model Django permissions: their role is the permission (deleting included;
history matters, so end an assignment or mark a record inactive where you can). The system administrator
reaches the user and API token pages only (SYSTEM_ADMIN_AREAS), whatever Django permissions or superuser flag
the account holds: `confine_areas()` wraps every registered model's permission checks once the admin is
loaded (CoreConfig.ready). The security and audit administrators have pages of their own and no admin site.
The audit log is not registered here: no admin page can change or delete it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core import accounts, personal
from jingkai.core.models import ApiToken, Department, HolidayOverride, ImportBatch, Role, User
from jingkai.core.permissions import can_use_admin_site, is_system_admin

# Django's default would let any is_staff user in; grid officers must not reach zone configuration.
admin.site.has_permission = lambda request: can_use_admin_site(request.user)
admin.site.site_header = settings.JINGKAI_ZONE_NAME
admin.site.site_title = settings.JINGKAI_ZONE_NAME
admin.site.index_title = _("Zone configuration")
# Roles, not Django groups, decide what a user may do; an unused Groups page would only mislead.
admin.site.unregister(Group)


def _is_zone_admin(request) -> bool:
    return can_use_admin_site(request.user) and request.user.role == Role.ZONE_ADMIN


def _is_system_admin(request) -> bool:
    return can_use_admin_site(request.user) and is_system_admin(request.user)


# The areas of the system administrator (users, their credentials and sign-in records); no one else's. The
# sign-in records (axes) keep Django's own permissions: a superuser system administrator's.
SYSTEM_ADMIN_AREAS = frozenset(
    {"core.user", "core.apitoken", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
)
_CHECKS = ("has_module_permission", "has_view_permission", "has_add_permission", "has_change_permission",
           "has_delete_permission")  # fmt: skip


def confine_areas(site=admin.site) -> None:
    """Wrap every registered model admin's permission checks: the system administrator's areas admit the
    system administrator only, every other area refuses the system administrator (even a superuser)."""
    for model, model_admin in site._registry.items():
        if getattr(model_admin, "_jingkai_confined", False):
            continue
        system_area = model._meta.label_lower in SYSTEM_ADMIN_AREAS
        for name in _CHECKS:
            setattr(model_admin, name, _confined(getattr(model_admin, name), system_area))
        model_admin._jingkai_confined = True


def _confined(check, system_area: bool):
    def confined(request, *args, **kwargs):
        if _is_system_admin(request) != system_area:
            return False
        return check(request, *args, **kwargs)

    return confined


class ZoneAdminMixin:
    """View, add, change and delete for zone administrators."""

    def has_module_permission(self, request):
        return _is_zone_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_zone_admin(request)

    def has_add_permission(self, request, *args):
        return _is_zone_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_zone_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_zone_admin(request)


class SystemAdminMixin:
    """The system administrator's pages: users and their tokens. Accounts are deactivated, not deleted."""

    def has_module_permission(self, request):
        return _is_system_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_add_permission(self, request, *args):
        return _is_system_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_system_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False


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
class UserAdmin(personal.PersonalSearchAdminMixin, SystemAdminMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    """The system administrator creates and deactivates accounts; a new account gets an ordinary role
    (accounts.ORDINARY_ROLES) and a role is changed by the security administrator (security:roles)."""

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
    # The role is the security administrator's; the superuser flag is set by no page (createsuperuser makes
    # a system administrator); groups and Django permissions grant nothing outside the admin (roles decide),
    # and only a superuser edits them.
    readonly_fields = ("role", "is_superuser", "last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # the add form chooses an ordinary role
            return ()
        fields = list(self.readonly_fields)
        if not request.user.is_superuser:
            fields += ["groups", "user_permissions"]
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            kwargs["choices"] = accounts.ORDINARY_ROLES
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change and obj.role not in dict(accounts.ORDINARY_ROLES):
            obj.role = Role.GRID_OFFICER
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if not change:
            accounts.record_created(obj, request=request)
        elif was_active and not obj.is_active:
            accounts.record_deactivated(obj, request=request)


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
class ApiTokenAdmin(SystemAdminMixin, admin.ModelAdmin):
    """Tokens are issued with `jingkai token USERNAME` (shown once); here they are listed and revoked."""

    list_display = ("prefix", "user", "name", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "name", "prefix")
    fields = ("prefix", "user", "name", "created_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

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
