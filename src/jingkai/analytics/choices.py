"""Choices of the analytics app: rollup dimensions and target scopes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    ZONE = "zone", _("Whole zone")
    CHAIN = "chain", _("Industry chain")
    GRID = "grid", _("Grid")
    ORIGIN = "origin", _("Capital origin")
    PARK = "park", _("Park")
    GROUP = "group", _("Enterprise group")
    DIGITAL = "digital", _("Digital-economy core")


class TargetScope(models.TextChoices):
    ZONE = "zone", _("Whole zone")
    CHAIN = "chain", _("Industry chain")
    GROUP = "group", _("Enterprise group")
    ENTERPRISE = "enterprise", _("Enterprise")


class TargetKind(models.TextChoices):
    LEVEL = "level", _("Reach the value")
    INCREMENT = "increment", _("Increase over the previous year by the value")
