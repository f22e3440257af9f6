from django.contrib import admin

from jingkai.chains.models import Chain, ChainMembership
from jingkai.core.admin import ZoneAdminMixin, ZoneModelAdmin


class ChainMembershipInline(ZoneAdminMixin, admin.TabularInline):
    model = ChainMembership
    extra = 0
    autocomplete_fields = ("enterprise",)
    fields = ("enterprise", "role", "note")


@admin.register(Chain)
class ChainAdmin(ZoneModelAdmin):
    list_display = ("code", "name", "is_digital_economy")
    list_filter = ("is_digital_economy",)
    search_fields = ("code", "name")
    inlines = [ChainMembershipInline]


@admin.register(ChainMembership)
class ChainMembershipAdmin(ZoneModelAdmin):
    list_display = ("chain", "enterprise", "role")
    list_filter = ("chain", "role")
    search_fields = ("enterprise__name", "enterprise__uscc", "chain__name")
    autocomplete_fields = ("enterprise", "chain")
    list_select_related = ("chain", "enterprise")
