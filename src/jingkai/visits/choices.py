"""Choices of the visits app: kinds of visit, scale classes and cadence periods."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    LEADER = "leader", _("Leader visit")
    OFFICER = "officer", _("Grid officer visit")
    GUIDANCE = "guidance", _("On-site guidance")


class ScaleClass(models.TextChoices):
    ABOVE = "above", _("Above designated size")
    BELOW = "below", _("Below designated size")


class CadencePeriod(models.TextChoices):
    QUARTER = "quarter", _("Every quarter")
    HALF_YEAR = "half_year", _("Every half-year")
    YEAR = "year", _("Every year")
    NONE = "none", _("No required visits")
