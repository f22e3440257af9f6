"""Enterprises are written only through enterprises.services (the pages, the API and the import), so
their admin is read-only with full history; the rows that hang off an enterprise are edited here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core import personal
from jingkai.core.admin import ReadOnlyMixin, ZoneModelAdmin
from jingkai.enterprises.models import (
    AnnualScale,
    CapitalChange,
    Contact,
    Enterprise,
    EnterpriseGroup,
    Honour,
)


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("name", "uscc", "industry_code", "origin", "grid", "community", "park", "status")
    list_filter = ("status", "origin", "grid", "community", "park")
    search_fields = ("name", "short_name", "english_name", "uscc")
    list_select_related = ("grid", "community", "park")
    show_full_result_count = False


@admin.register(EnterpriseGroup)
class EnterpriseGroupAdmin(ZoneModelAdmin):
    list_display = ("name", "short_name", "origin_country")
    search_fields = ("name", "short_name")


@admin.register(AnnualScale)
class AnnualScaleAdmin(ZoneModelAdmin):
    list_display = ("enterprise", "year", "above_size", "revenue")
    list_filter = ("year", "above_size")
    search_fields = ("enterprise__name", "enterprise__uscc")
    autocomplete_fields = ("enterprise",)
    list_select_related = ("enterprise",)


@admin.register(Contact)
class ContactAdmin(personal.PersonalSearchAdminMixin, ZoneModelAdmin):
    # docs/security.md §4: the phone masked in the list, found by its exact value (blind index).
    masked_phone = personal.masked_column("phone", _("phone"))
    list_display = ("name", "enterprise", "title", "masked_phone", "is_primary", "user")
    list_filter = ("is_primary",)
    search_fields = ("name", "enterprise__name", "enterprise__uscc")
    personal_search = ("phone",)
    autocomplete_fields = ("enterprise", "user")
    list_select_related = ("enterprise", "user")


@admin.register(Honour)
class HonourAdmin(ZoneModelAdmin):
    list_display = ("enterprise", "kind", "level", "certificate_no", "certified_on", "expires_on")
    list_filter = ("kind", "level")
    search_fields = ("enterprise__name", "enterprise__uscc", "certificate_no", "title")
    autocomplete_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    date_hierarchy = "certified_on"


@admin.register(CapitalChange)
class CapitalChangeAdmin(ZoneModelAdmin):
    list_display = (
        "enterprise",
        "changed_on",
        "kind",
        "currency",
        "registered_capital_after",
        "total_investment_after",
    )
    list_filter = ("kind", "currency")
    search_fields = ("enterprise__name", "enterprise__uscc")
    autocomplete_fields = ("enterprise",)
    list_select_related = ("enterprise",)
