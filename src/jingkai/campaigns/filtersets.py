"""One FilterSet for a campaign's targets: its page and /api/campaigns/{id}/responses."""

from __future__ import annotations

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jingkai.campaigns.models import CampaignTarget
from jingkai.core.filtersets import id_or_code

ANSWERED_CHOICES = [("yes", _("Answered")), ("no", _("Not answered"))]


class CampaignTargetFilterSet(df.FilterSet):
    # The page sends a grid's id, the API its code (at launch); either is understood.
    grid = df.CharFilter(method="filter_grid")
    # The page sends yes/no; the API's true/false arrives here as yes/no (campaigns/api.py).
    answered = df.ChoiceFilter(choices=ANSWERED_CHOICES, method="filter_answered")

    class Meta:
        model = CampaignTarget
        fields: list[str] = []

    def filter_grid(self, queryset, name, value):
        return queryset.filter(**id_or_code(value, "grid_id", "grid__code"))

    def filter_answered(self, queryset, name, value):
        return queryset.filter(response__isnull=value != "yes")
