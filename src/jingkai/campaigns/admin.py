"""Campaigns are set up, launched and answered through campaigns.services; the admin only reads them."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignTarget
from jingkai.core.admin import ReadOnlyMixin


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("title", "kind", "status", "opens_on", "closes_on")
    list_filter = ("kind", "status")


@admin.register(CampaignTarget)
class CampaignTargetAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("campaign", "enterprise", "grid", "guide")
    list_filter = ("campaign", "grid")
    list_select_related = ("campaign", "enterprise", "grid", "guide")
    show_full_result_count = False


@admin.register(CampaignResponse)
class CampaignResponseAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("target", "answered_by", "answered_at")
    list_select_related = ("target__campaign", "target__enterprise", "answered_by")
    show_full_result_count = False
