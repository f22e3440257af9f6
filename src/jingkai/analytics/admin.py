from django.contrib import admin

from jingkai.analytics.models import Target
from jingkai.core.admin import ZoneModelAdmin


@admin.register(Target)
class TargetAdmin(ZoneModelAdmin):
    list_display = ("title", "year", "scope", "measure", "kind", "value", "period")
    list_filter = ("year", "scope", "measure", "kind")
    search_fields = ("title", "chain__name", "group__name", "enterprise__name")
    autocomplete_fields = ("chain", "group", "enterprise")
    list_select_related = ("chain", "group", "enterprise")
