"""Grids (网格) and village communities (村社区) with dated leader and officer assignments.

The coverage invariant (ARCHITECTURE.md §2, grids): every 规上 enterprise in exactly one grid, every
规下 one in exactly one community. Enterprise holds one grid and one community foreign key, so
"more than one" cannot happen; coverage.py lists the gaps (none, inactive, or unstaffed).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel
from jingkai.core.scoping import ScopedQuerySet, scope_of

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.grids.choices import (  # noqa: F401
    AssignmentRole,
)


def active_q(on: dt.date | None = None) -> Q:
    """Assignments in office on a day (today by default): started, and not ended before it."""
    on = on or timezone.localdate()
    return Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))


def grid_ids_for(user, on: dt.date | None = None) -> models.QuerySet:
    """Grids a grid leader or officer is assigned to on a date (a subquery, not a list)."""
    return GridAssignment.objects.filter(active_q(on), user=user).values("grid_id")


def community_ids_for(user, on: dt.date | None = None) -> models.QuerySet:
    return CommunityAssignment.objects.filter(active_q(on), user=user).values("community_id")


class GridQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.scoped(scope_of(user).rule(grid=lambda s: Q(pk__in=s.grid_ids)))


class CommunityQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.scoped(scope_of(user).rule(community=lambda s: Q(pk__in=s.community_ids)))


class Grid(AuditedModel):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. G01"))
    name = models.CharField(_("name"), max_length=100, unique=True)
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    description = models.TextField(_("area description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = GridQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return self.name


class Community(AuditedModel):
    code = models.CharField(_("code"), max_length=20, unique=True, help_text=_("e.g. C01"))
    name = models.CharField(_("name"), max_length=100, unique=True)
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=[
            ("village", pgettext_lazy("community kind", "Village")),
            ("community", pgettext_lazy("community kind", "Community")),
        ],
        default="community",
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")

    def __str__(self) -> str:
        return self.name


class DatedAssignment(AuditedModel):
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date is before the start date.")})


class GridAssignment(DatedAssignment):
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="grid_assignments",
    )
    role = models.CharField(_("duty"), max_length=10, choices=AssignmentRole.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid__number", "role", "start_date"]
        verbose_name = _("grid assignment")
        verbose_name_plural = _("grid assignments")
        indexes = [models.Index(fields=["user", "start_date"])]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_role_display()} {self.user}"


class CommunityAssignment(DatedAssignment):
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="community_assignments",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["community__number", "start_date"]
        verbose_name = _("community assignment")
        verbose_name_plural = _("community assignments")
        indexes = [models.Index(fields=["user", "start_date"])]

    def __str__(self) -> str:
        return f"{self.community} {self.user}"
