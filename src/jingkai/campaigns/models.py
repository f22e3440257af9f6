"""Campaigns (排查, 应急, 复工复产 …): a short form sent to every enterprise in a scope.

At launch the scope is resolved once into CampaignTarget rows, so later changes to the registry do not
change who was asked. Each target answers at most once (CampaignResponse, corrections are recorded in
its history) and may have an on-site guidance officer (驻企指导员).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.campaigns.choices import (  # noqa: F401
    CampaignKind,
    CampaignStatus,
    ScopeKind,
)
from jingkai.core.models import AuditedModel
from jingkai.core.scoping import ScopedQuerySet, scope_of
from jingkai.enterprises.models import visible_enterprise_ids

LAUNCHED = Q(campaign__status__in=[CampaignStatus.OPEN, CampaignStatus.CLOSED])


def _guided(scope) -> Q:
    """Targets of launched campaigns the user was sent to as on-site guidance officer (驻企指导员)."""
    return LAUNCHED & Q(guide=scope.user)


def _guided_or_in_scope(scope) -> Q:
    """…and those of the enterprises the user sees."""
    ids = visible_enterprise_ids(scope.user)
    return LAUNCHED & (Q(guide=scope.user) | Q(enterprise__in=ids))


def target_scope(user) -> Q | None:
    """The Q over CampaignTarget a user may see: their enterprises' targets and those they guide (a department
    handler: only those they guide)."""
    return scope_of(user).rule(
        grid=_guided_or_in_scope,
        community=_guided_or_in_scope,
        department=_guided,
        enterprise=_guided_or_in_scope,
    )


class CampaignQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Zone administrators see every campaign; others the launched ones with a target they see."""
        scope = target_scope(user)
        if scope is None:
            return self
        return self.filter(pk__in=CampaignTarget.objects.filter(scope).values("campaign_id"))


class Campaign(AuditedModel):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    scope_kind = models.CharField(
        _("scope"), max_length=10, choices=ScopeKind.choices, default=ScopeKind.ZONE
    )
    scope_above_size_only = models.BooleanField(_("above designated size only"), default=False)
    scope_grids = models.ManyToManyField("grids.Grid", verbose_name=_("grids"), blank=True, related_name="+")
    scope_chain = models.ForeignKey(
        "chains.Chain",
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scope_enterprises = models.ManyToManyField(
        "enterprises.Enterprise", verbose_name=_("enterprises"), blank=True, related_name="+"
    )
    # [{"key", "label", "type": text|number|percent|choice|boolean, "required", "choices"}], see forms.py
    form = models.JSONField(_("form"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="campaign_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title


class CampaignTargetQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = target_scope(user)
        return self if scope is None else self.filter(scope)


class CampaignTarget(AuditedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="campaign_targets",
    )
    # The enterprise's areas at launch: results per grid stay as they were asked.
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guide = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("on-site guidance officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guided_targets",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CampaignTargetQuerySet.as_manager()

    class Meta:
        ordering = ["campaign_id", "grid_id", "enterprise_id"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enterprise"], name="campaign_target_once")
        ]
        indexes = [models.Index(fields=["campaign", "grid"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.enterprise}"


class CampaignResponse(AuditedModel):
    target = models.OneToOneField(CampaignTarget, on_delete=models.CASCADE, related_name="response")
    answers = models.JSONField(_("answers"), default=dict)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("answered by"), on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["target_id"]
        verbose_name = _("campaign response")
        verbose_name_plural = _("campaign responses")

    def __str__(self) -> str:
        return str(self.target)
