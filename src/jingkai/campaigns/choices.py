"""Choices of the campaigns app: kinds, states and scopes of a campaign."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignKind(models.TextChoices):
    INSPECTION = "inspection", _("Inspection (排查)")
    EMERGENCY = "emergency", _("Emergency")
    RESUMPTION = "resumption", _("Resumption of work and production")
    SURVEY = "survey", _("Survey")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("campaign status", "Open")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")


class ScopeKind(models.TextChoices):
    ZONE = "zone", _("Whole zone")
    GRIDS = "grids", _("Selected grids")
    CHAIN = "chain", _("Industry chain")
    LIST = "list", _("Explicit list of enterprises")
