from django.contrib import admin

from jingkai.core.admin import ZoneAdminMixin, ZoneModelAdmin
from jingkai.parks.models import Building, Park


class BuildingInline(ZoneAdminMixin, admin.TabularInline):
    model = Building
    extra = 0


@admin.register(Park)
class ParkAdmin(ZoneModelAdmin):
    list_display = ("code", "name", "kind", "status")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    inlines = [BuildingInline]


@admin.register(Building)
class BuildingAdmin(ZoneModelAdmin):
    list_display = ("name", "park", "floor_area_m2")
    list_filter = ("park",)
    search_fields = ("name", "park__name")
    list_select_related = ("park",)
