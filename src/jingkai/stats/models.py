"""Monthly statistics of the 规上 industrial enterprises (the data contract with jingkai.analytics).

MonthlyReport has no simple-history (it holds up to 12,000,000 rows); a re-imported period keeps the replaced
values in MonthlyReportRevision instead, written set-based by the import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel
from jingkai.enterprises.models import RelatedToEnterpriseQuerySet

VALUE = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}


class MonthlyReport(models.Model):
    """One enterprise's figures for one month: the month's value and the cumulative 1–N月 value per measure."""

    # No separate index: the unique (enterprise, period) constraint's index serves lookups by enterprise, and
    # each index less is one less to maintain for every row of a 100,000-row import.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="monthly_reports", db_index=False
    )
    period = models.DateField(_("period"))  # the first day of the month
    # Value columns: <measure>_month and <measure>_cum for every code of measures.MEASURES (money in 元,
    # energy in 吨标准煤, employees in persons; employees_cum is the average over 1–N月).
    output_month = models.DecimalField(_("gross industrial output (this month)"), **VALUE)
    output_cum = models.DecimalField(_("gross industrial output (cumulative)"), **VALUE)
    revenue_month = models.DecimalField(_("operating revenue (this month)"), **VALUE)
    revenue_cum = models.DecimalField(_("operating revenue (cumulative)"), **VALUE)
    profit_month = models.DecimalField(_("total profit (this month)"), **VALUE)
    profit_cum = models.DecimalField(_("total profit (cumulative)"), **VALUE)
    tax_month = models.DecimalField(_("total taxes (this month)"), **VALUE)
    tax_cum = models.DecimalField(_("total taxes (cumulative)"), **VALUE)
    rd_month = models.DecimalField(_("R&D expenditure (this month)"), **VALUE)
    rd_cum = models.DecimalField(_("R&D expenditure (cumulative)"), **VALUE)
    export_month = models.DecimalField(_("export delivery value (this month)"), **VALUE)
    export_cum = models.DecimalField(_("export delivery value (cumulative)"), **VALUE)
    energy_month = models.DecimalField(_("total energy consumption (this month)"), **VALUE)
    energy_cum = models.DecimalField(_("total energy consumption (cumulative)"), **VALUE)
    employees_month = models.IntegerField(_("employees (this month)"), null=True, blank=True)
    employees_cum = models.IntegerField(_("employees (average, cumulative)"), null=True, blank=True)
    sales_month = models.DecimalField(_("industrial sales output (this month)"), **VALUE)
    sales_cum = models.DecimalField(_("industrial sales output (cumulative)"), **VALUE)
    new_product_month = models.DecimalField(_("new product output (this month)"), **VALUE)
    new_product_cum = models.DecimalField(_("new product output (cumulative)"), **VALUE)
    derived = models.JSONField(default=list, blank=True)  # field names derived rather than delivered
    issues = models.JSONField(
        default=list, blank=True
    )  # inconsistency flags, e.g. cum ≠ previous cum + month
    # Provenance only: no database constraint (its check would run for every imported row at commit);
    # Django still sets it to NULL if a batch is ever deleted.
    batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "period"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "period"], name="monthly_report_once_per_period")
        ]
        indexes = [models.Index(fields=["period", "enterprise"], name="monthly_report_period_ent")]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.period:%Y-%m}"


class MonthlyReportRevision(models.Model):
    """The values a re-import replaced (one row per replaced MonthlyReport revision)."""

    # Indexed by the unique (report, revision) constraint.
    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    revision = models.PositiveIntegerField()
    values = models.JSONField(default=dict)  # the replaced row's value fields, derived, issues
    # Provenance only: no database constraint (its check would run for every imported row at commit);
    # Django still sets it to NULL if a batch is ever deleted.
    batch = models.ForeignKey(
        "core.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "revision"]
        constraints = [models.UniqueConstraint(fields=["report", "revision"], name="monthly_revision_once")]
        verbose_name = _("replaced monthly report")
        verbose_name_plural = _("replaced monthly reports")

    def __str__(self) -> str:
        return f"{self.report_id} r{self.revision}"


class StatsTemplate(AuditedModel):
    """A saved column mapping for one shape of the statistics office's workbook.

    mapping: {"<normalised header as written>": "<value field>", …}, e.g. {"工业总产值|本月": "output_month"}.
    unit_scale: what one unit of the workbook is in 元 (10000 for 万元, 1000 for 千元); 0 = read the units row.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    unit_scale = models.PositiveIntegerField(_("unit (yuan)"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("statistics workbook template")
        verbose_name_plural = _("statistics workbook templates")

    def __str__(self) -> str:
        return self.name
