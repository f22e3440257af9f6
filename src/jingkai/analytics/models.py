"""Pre-aggregated monthly statistics (Rollup) and the year's targets (Target).

Rollup rows are derived data: engine.refresh() rebuilds them from stats.MonthlyReport whenever an import
commits, so they carry no history of their own (the reports and their revisions do). Target rows are
decisions staff take and change, so every change is recorded by simple-history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.analytics.choices import (  # noqa: F401
    Dimension,
    TargetKind,
    TargetScope,
)
from jingkai.core.models import AuditedModel
from jingkai.stats.measures import BY_CODE, MEASURES

# The value columns a rollup row holds for each measure (e.g. output_cum, output_cmp_cum, output_prev_cum):
#   <m>_month, <m>_cum           plain totals over the year's 规上 set that reported in the period
#   <m>_cmp_month, <m>_cmp_cum   the same, over those of them that also reported a year earlier (同口径)
#   <m>_prev_month, <m>_prev_cum those enterprises' figures a year earlier: YoY = cmp / prev - 1
ROLLUP_SUFFIXES = ("month", "cum", "cmp_month", "cmp_cum", "prev_month", "prev_cum")
ROLLUP_VALUE_FIELDS = [f"{m}_{suffix}" for m in MEASURES for suffix in ROLLUP_SUFFIXES]


class Rollup(models.Model):
    """Sums of one period over one member of one dimension (a chain, a grid, 日资 …, or the whole zone)."""

    period = models.DateField(_("period"))
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    member = models.CharField(_("member"), max_length=40, blank=True)
    enterprises = models.PositiveIntegerField(_("enterprises"), default=0)
    comparable = models.PositiveIntegerField(_("enterprises also reporting a year earlier"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period", "dimension", "member"], name="rollup_once_per_member")
        ]
        indexes = [models.Index(fields=["dimension", "period"])]
        verbose_name = _("statistics rollup")
        verbose_name_plural = _("statistics rollups")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.dimension} {self.member}"


for _name in ROLLUP_VALUE_FIELDS:
    Rollup.add_to_class(_name, models.DecimalField(max_digits=22, decimal_places=2, null=True, blank=True))


class TopEnterprise(models.Model):
    """One enterprise on a period's stored list (engine.refresh_top): the TOP_N largest of the year's 规上 set by
    one measure's cumulative figure (kind "top"), or an enterprise whose cumulative output reached 100亿元
    (kind "hundred_yi", any scale). Derived like Rollup, refreshed by the same paths; read by the overview for
    users who see every enterprise (services.top_enterprises, services.hundred_yi)."""

    period = models.DateField(_("period"))
    kind = models.CharField(_("list"), max_length=10)
    measure = models.CharField(_("measure"), max_length=20)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    cum = models.DecimalField(_("cumulative"), max_digits=22, decimal_places=2)
    last_year_cum = models.DecimalField(_("a year earlier"), max_digits=22, decimal_places=2, null=True)

    class Meta:
        indexes = [models.Index(fields=["period", "kind", "measure"], name="top_enterprise_list")]
        verbose_name = _("top enterprise")
        verbose_name_plural = _("top enterprises")

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} {self.kind} {self.measure} {self.enterprise_id}"


class Refresh(models.Model):
    """One run of engine.refresh(): which months were recomputed, and when (its id versions cached pages)."""

    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now_add=True)
    periods = models.JSONField(_("months"), default=list)

    class Meta:
        verbose_name = _("statistics refresh")
        verbose_name_plural = _("statistics refreshes")

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M} ({len(self.periods)})"


class Target(AuditedModel):
    """A goal for one measure and year (e.g. 全年产值百亿元增量: zone, output, 2023, increment, 100亿元).

    period, when set, makes the goal due by that month (cumulative 1–N月) instead of the year's end.
    """

    scope = models.CharField(_("scope"), max_length=12, choices=TargetScope.choices, default=TargetScope.ZONE)
    chain = models.ForeignKey(
        "chains.Chain", verbose_name=_("chain"), null=True, blank=True, on_delete=models.CASCADE
    )
    group = models.ForeignKey(
        "enterprises.EnterpriseGroup",
        verbose_name=_("enterprise group"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    measure = models.CharField(
        _("measure"), max_length=20, choices=[(m.code, m.label) for m in BY_CODE.values()], default="output"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    period = models.DateField(_("due by month"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices, default=TargetKind.LEVEL)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    title = models.CharField(_("title"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "scope", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.title or f"{self.year} {self.get_scope_display()} {self.get_measure_display()}"

    def clean(self):
        wanted = {"chain": self.chain_id, "group": self.group_id, "enterprise": self.enterprise_id}
        for scope, value in wanted.items():
            if (self.scope == scope) != bool(value):
                raise ValidationError(
                    {scope: _("Choose the chain, group or enterprise that matches the scope, and no other.")}
                )
        if self.period and self.period.year != self.year:
            raise ValidationError({"period": _("The month must lie in the target's year.")})
