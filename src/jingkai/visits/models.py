"""Visits to enterprises (走访) and the cadence at which each scale class must be visited.

A visit keeps a snapshot of the enterprise's grid and community on the day it is logged, so that a
grid's statistics do not change when an enterprise later moves to another grid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel, Role
from jingkai.core.scoping import scope_of
from jingkai.enterprises.models import RelatedToEnterpriseQuerySet

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.visits.choices import (  # noqa: F401
    CadencePeriod,
    ScaleClass,
    VisitKind,
)


class VisitQuerySet(RelatedToEnterpriseQuerySet):
    """Visible exactly when the enterprise is, except to department handlers.

    A department sees the enterprises whose demands it handles, not the grid's visit log (ADR 0007).
    """

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.role == Role.DEPARTMENT and not scope.everything:
            return self.none()
        return super().visible_to(user)


class Visit(AuditedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    visited_on = models.DateField(_("visited on"))
    kind = models.CharField(_("kind"), max_length=20, choices=VisitKind.choices)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("visitors"), related_name="visits_made", blank=True
    )
    # Snapshots taken when the visit is logged (the enterprise's area then), for statistics.
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    policies = models.TextField(_("policies publicised"), blank=True)
    policy_tags = models.JSONField(_("policy tags"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    demands = models.ManyToManyField(
        "demands.Demand",
        verbose_name=_("demands raised during the visit"),
        blank=True,
        related_name="visits",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["enterprise", "visited_on"]),
            models.Index(fields=["grid", "visited_on"]),
            models.Index(fields=["visited_on", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_on} {self.get_kind_display()}"


# Months per period; NONE has no period.
PERIOD_MONTHS = {CadencePeriod.QUARTER: 3, CadencePeriod.HALF_YEAR: 6, CadencePeriod.YEAR: 12}
# What applies when the administrator has not configured a scale class.
DEFAULT_CADENCE = {ScaleClass.ABOVE: CadencePeriod.QUARTER, ScaleClass.BELOW: CadencePeriod.NONE}


class VisitCadence(AuditedModel):
    """How often the enterprises of one scale class must be visited at least once (edited in the admin)."""

    scale_class = models.CharField(_("scale class"), max_length=10, choices=ScaleClass.choices, unique=True)
    period = models.CharField(
        pgettext_lazy("visit cadence", "period"), max_length=12, choices=CadencePeriod.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scale_class"]
        verbose_name = _("visit cadence")
        verbose_name_plural = _("visit cadences")

    def __str__(self) -> str:
        return f"{self.get_scale_class_display()}: {self.get_period_display()}"
