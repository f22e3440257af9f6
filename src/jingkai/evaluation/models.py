"""亩均效益 evaluation (issue 14; RULES.md §3): the method of a year, the annual inputs, runs and their results.

- ``EvaluationMethod``: one version of a method for a year, as data (``jingkai.evaluation.method.Method``); a
  version used by a published run is never edited again (a change is a new version);
- ``EvaluationInput``: one enterprise's inputs for a year with the source of each figure (``sources``: field →
  "stats", "registry", "honours", "import:<batch id>" or "manual"); every change is history (simple-history);
- ``EvaluationRun``: the year's run (draft → published for objections → final) with a frozen copy of the method it
  used; re-running (after an objection corrected an input) adds a revision, the earlier results are kept;
- ``EvaluationResult``: one enterprise's result of one revision of a run (values, benchmarks, points and the
  distance to the next class per indicator in ``indicators``);
- ``Objection``: an enterprise's objection to a published run, filed as a demand (category 亩均评价异议);
- ``PolicyMeasure``: the differentiated-policy table of a year, per class.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel, Role
from jingkai.core.scoping import scope_of
from jingkai.enterprises.models import RelatedToEnterpriseQuerySet

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.evaluation.choices import (  # noqa: F401
    FLAG_NAMES,
    LAND_FIELDS,
    NUMBER_FIELDS,
    VISIBLE_TO_ENTERPRISES,
    PolicyItem,
    Population,
    ResultStatus,
    RunStatus,
)
from jingkai.evaluation.method import Method


def _amount(label):
    return models.DecimalField(label, max_digits=18, decimal_places=4, null=True, blank=True)


class EvaluationMethod(AuditedModel):
    """One version of a method for a year; ``definition`` is ``Method.to_dict()`` (validated on save)."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.CharField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    definition = models.JSONField(_("definition"))
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation method")
        verbose_name_plural = _("evaluation methods")
        ordering = ["-year", "code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="evaluation_method_version")]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def method(self) -> Method:
        return Method.from_dict(self.definition)

    @property
    def is_frozen(self) -> bool:
        """Used by a published or final run: never edited again."""
        return self.runs.exclude(status=RunStatus.DRAFT).exists()


class EvaluationInput(AuditedModel):
    """One enterprise's annual inputs; land used = own − leased out + leased in, unless overridden with a reason."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="evaluation_inputs",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    population = models.CharField(_("population"), max_length=10, choices=Population.choices)
    industry = models.CharField(_("industry code"), max_length=5, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    tax = _amount(_("evaluated tax (10,000 yuan)"))
    value_added = _amount(_("industrial value added (10,000 yuan)"))
    output = _amount(_("gross industrial output (10,000 yuan)"))
    revenue = _amount(_("operating revenue (10,000 yuan)"))
    rd = _amount(_("R&D spending (10,000 yuan)"))
    energy_tce = _amount(_("comprehensive energy use (t of standard coal)"))
    electricity = _amount(_("electricity use (10,000 kWh)"))
    emissions = _amount(_("main pollutant emission equivalents (t)"))
    employees = _amount(_("average employees"))
    land_own_mu = _amount(_("own land (mu)"))
    land_leased_out_mu = _amount(_("land leased out (mu)"))
    land_leased_in_mu = _amount(_("land leased in (mu)"))
    land_override_mu = _amount(_("land used, overridden (mu)"))
    land_override_reason = models.CharField(_("reason for the land override"), max_length=300, blank=True)
    flags = models.JSONField(_("flags and counts"), default=dict, blank=True)
    sources = models.JSONField(_("sources"), default=dict, blank=True)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation input")
        verbose_name_plural = _("evaluation inputs")
        ordering = ["-year", "enterprise__name_sort", "enterprise_id"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="evaluation_input_year")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def land_derived_mu(self) -> Decimal | None:
        if self.land_own_mu is None and self.land_leased_in_mu is None:
            return None
        own, out, leased = (
            v or Decimal(0) for v in (self.land_own_mu, self.land_leased_out_mu, self.land_leased_in_mu)
        )
        return own - out + leased

    @property
    def land_mu(self) -> Decimal | None:
        return self.land_override_mu if self.land_override_mu is not None else self.land_derived_mu


class EvaluationRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Runs are zone-wide facts; an enterprise contact sees published and final ones only, a department
        handler none (the evaluation is the zone's and the grids' work)."""
        scope = scope_of(user)
        if not scope.active:
            return self.none()
        if scope.everything:
            return self
        if scope.role == Role.DEPARTMENT:
            return self.none()
        if scope.role == Role.ENTERPRISE:
            return self.filter(status__in=VISIBLE_TO_ENTERPRISES)
        return self


class EvaluationRun(AuditedModel):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    method = models.ForeignKey(
        EvaluationMethod, verbose_name=_("method"), on_delete=models.PROTECT, related_name="runs"
    )
    # The method as it was when the current revision ran: a later edit of the method does not change it.
    method_definition = models.JSONField(_("method used"))
    method_version = models.CharField(_("method version"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    objection_deadline = models.DateField(_("objections until"), null=True, blank=True)
    ran_at = models.DateTimeField(_("ran at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ran by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = EvaluationRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.get_status_display()}"

    def frozen_method(self) -> Method:
        return Method.from_dict(self.method_definition)

    def current_results(self):
        return self.results.filter(revision=self.revision)


class EvaluationResultQuerySet(RelatedToEnterpriseQuerySet):
    def visible_to(self, user):
        """Grid staff and community officers: their enterprises' results (drafts included); an enterprise contact:
        its own, once published; department handlers: none; zone administrators: all."""
        scope = scope_of(user)
        if not scope.active:
            return self.none()
        if scope.everything:
            return self
        if scope.role == Role.DEPARTMENT:
            return self.none()
        rows = super().visible_to(user)
        if scope.role == Role.ENTERPRISE:
            rows = rows.filter(run__status__in=VISIBLE_TO_ENTERPRISES)
        return rows

    def current(self):
        return self.filter(revision=models.F("run__revision"))


class EvaluationResult(models.Model):
    run = models.ForeignKey(
        EvaluationRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="results"
    )
    revision = models.PositiveIntegerField(_("revision"))
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="evaluation_results",
    )
    population = models.CharField(_("population"), max_length=10, choices=Population.choices)
    status = models.CharField(_("status"), max_length=20, choices=ResultStatus.choices)
    reason = models.CharField(_("reason"), max_length=60, blank=True)
    # {code: {"value", "benchmark", "points", "basis", "to_next"}}; read in the order of the run's frozen method
    # (PostgreSQL's jsonb does not keep the keys' order)
    indicators = models.JSONField(_("indicators"), default=dict)
    bonus = models.FloatField(_("bonus"), null=True, blank=True)
    penalty = models.FloatField(_("penalty"), null=True, blank=True)
    total = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    class_rank = models.PositiveIntegerField(_("rank among the classed"), null=True, blank=True)
    percentile = models.FloatField(_("percentile"), null=True, blank=True)
    grade = models.CharField(_("class"), max_length=4, blank=True)
    next_grade = models.CharField(_("next class"), max_length=4, blank=True)
    next_grade_score = models.FloatField(_("score of the next class"), null=True, blank=True)

    objects = EvaluationResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["population", "rank", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "revision", "enterprise"], name="evaluation_result_once")
        ]
        indexes = [models.Index(fields=["run", "revision", "grade"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.run.year} {self.grade or self.status}"


class Objection(AuditedModel):
    """An enterprise's objection to a published run: a demand in the pool (routed, tracked and rated as any)."""

    run = models.ForeignKey(
        EvaluationRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="objections"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    demand = models.OneToOneField(
        "demands.Demand",
        verbose_name=_("demand"),
        on_delete=models.PROTECT,
        related_name="evaluation_objection",
    )
    deadline = models.DateField(_("objections until"))
    resolved_revision = models.PositiveIntegerField(_("re-run as revision"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation objection")
        verbose_name_plural = _("evaluation objections")
        ordering = ["-created_at"]


class PolicyMeasure(AuditedModel):
    """One row of a year's differentiated-policy table: what a class gets for one item (surcharge or relief)."""

    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("class"), max_length=4)
    item = models.CharField(_("item"), max_length=20, choices=PolicyItem.choices)
    measure = models.CharField(_("measure"), max_length=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("differentiated policy measure")
        verbose_name_plural = _("differentiated policy measures")
        ordering = ["-year", "item", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["year", "grade", "item"], name="evaluation_policy_cell")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.grade} {self.get_item_display()}"
