"""The investment-attraction (招商引资) project ledger: projects, their stage log, milestones, follow-ups,
capital arrivals, exchange rates, the year's targets and reminder settings.

Money is stored in base units (元, 美元) with an explicit currency; sums never mix currencies
(see services.summary and docs/decisions/0008-investment.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel
from jingkai.core.money import Currency, format_money
from jingkai.core.scoping import NOTHING, ScopedQuerySet, scope_of
from jingkai.enterprises.choices import COUNTRY_NAMES, Origin

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.investment.choices import (  # noqa: F401
    RAG,
    STAGE_ORDER,
    ArrivalKind,
    Figure,
    ProjectKind,
    Stage,
    Status,
)

MONEY = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}


def project_scope(user) -> Q | None:
    """The Q over Project a user may see; None means every project: 招商 staff see the whole ledger, grid and
    community staff the projects of their areas' enterprises."""
    return scope_of(user).rule(
        grid=lambda s: Q(enterprise__grid_id__in=s.grid_ids),
        community=lambda s: Q(enterprise__community_id__in=s.community_ids),
        department=lambda s: None if s.handles_investment else NOTHING,
    )


class ProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.scoped(project_scope(user))


class RelatedToProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = project_scope(user)
        if scope is None:
            return self
        return self.filter(project__in=Project.objects.filter(scope).values("pk"))


class Project(AuditedModel):
    code = models.CharField(_("project code"), max_length=40, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    investor = models.CharField(_("investor"), max_length=200)
    country = models.CharField(
        _("ultimate investor country"), max_length=2, blank=True, db_index=True, help_text=_("e.g. JP, DE")
    )
    origin = models.CharField(
        _("domestic or foreign"), max_length=10, choices=Origin.choices, default=Origin.DOMESTIC
    )
    industry_code = models.CharField(_("industry code (GB/T 4754)"), max_length=5, blank=True)
    chain = models.ForeignKey(
        "chains.Chain",
        verbose_name=_("industry chain"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    kind = models.CharField(_("project kind"), max_length=20, choices=ProjectKind.choices)
    total_investment = models.DecimalField(_("total investment"), **MONEY)
    total_investment_currency = models.CharField(
        _("total investment currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    registered_capital_increase = models.DecimalField(
        _("registered capital increase"),
        help_text=_("For a capital increase: added registered capital, in the total investment's currency."),
        **MONEY,
    )
    expected_output = models.DecimalField(_("expected output at capacity (yuan)"), **MONEY)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="investment_projects",
    )
    land_area_mu = models.DecimalField(_("land (mu)"), max_digits=12, decimal_places=2, null=True, blank=True)
    leased_area_sqm = models.DecimalField(
        _("leased space (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NORMAL)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    status_on = models.DateField(_("status date"), null=True, blank=True)
    # Stage fields: each stage requires its own (services.STAGE_FIELDS).
    first_contact_on = models.DateField(_("first contact date"), null=True, blank=True)
    contract_on = models.DateField(_("contract date"), null=True, blank=True)
    contract_foreign_capital = models.DecimalField(_("contracted foreign capital (USD)"), **MONEY)
    approval_on = models.DateField(_("approval or filing date"), null=True, blank=True, db_index=True)
    approval_number = models.CharField(_("approval or filing number"), max_length=100, blank=True)
    started_on = models.DateField(_("construction start date"), null=True, blank=True)
    production_on = models.DateField(_("production start date"), null=True, blank=True)
    full_production_on = models.DateField(_("full production date"), null=True, blank=True)
    key_project_on = models.DateField(
        _("recognised as a major project on"),
        null=True,
        blank=True,
        help_text=_("招大引强 recognition date"),
    )
    capital_change = models.OneToOneField(
        "enterprises.CapitalChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_project",
        editable=False,
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        indexes = [models.Index(fields=["contract_on"]), models.Index(fields=["key_project_on"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("investment:detail", args=[self.pk])

    @property
    def is_foreign(self) -> bool:
        return self.origin != Origin.DOMESTIC

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES.get(self.country, (self.country, ""))[0] if self.country else ""

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)

    @property
    def total_investment_display(self) -> str:
        return format_money(self.total_investment, self.total_investment_currency)

    @property
    def contract_foreign_capital_display(self) -> str:
        return format_money(self.contract_foreign_capital, Currency.USD, unit="万")


class StageEvent(models.Model):
    """One line of the stage log: a move (or an admin's override), dated, with who did it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_events")
    from_stage = models.CharField(_("from stage"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=Stage.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.CharField(_("override reason"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = RelatedToProjectQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "id"]
        verbose_name = _("stage log entry")
        verbose_name_plural = _("stage log")

    def __str__(self) -> str:
        return f"{self.on} {self.from_stage} → {self.to_stage}"


class Milestone(AuditedModel):
    """Planned versus actual date of reaching one stage."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    planned_on = models.DateField(_("planned date"))
    actual_on = models.DateField(_("actual date"), null=True, blank=True)
    history = HistoricalRecords()

    objects = RelatedToProjectQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "planned_on"]
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="milestone_once_per_stage")]
        indexes = [models.Index(fields=["actual_on", "planned_on"])]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")


class FollowUp(AuditedModel):
    """跟进记录: a contact with the investor (visit, call, meeting …)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Phone call")
        MEETING = "meeting", _("Meeting")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = RelatedToProjectQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "-on", "-id"]
        indexes = [models.Index(fields=["project", "on"])]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")


# Each kind of arrival is counted in one currency only: 实到外资 in USD, 实到内资 in RMB.
ARRIVAL_CURRENCY = {ArrivalKind.FOREIGN: Currency.USD, ArrivalKind.DOMESTIC: Currency.CNY}


class Arrival(AuditedModel):
    """A dated capital arrival; a period's 实到外资 / 实到内资 is the sum of the arrivals dated in it."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="arrivals")
    on = models.DateField(_("date"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ArrivalKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = RelatedToProjectQuerySet.as_manager()

    class Meta:
        ordering = ["project_id", "on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="foreign", currency="USD") | Q(kind="domestic", currency="CNY")),
                name="arrival_kind_currency",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="arrival_amount_positive"),
        ]
        verbose_name = _("capital arrival")
        verbose_name_plural = _("capital arrivals")

    @property
    def amount_display(self) -> str:
        return format_money(self.amount, self.currency, unit="万")


class ExchangeRate(AuditedModel):
    """A monthly rate to show RMB equivalents; figures are never converted without naming the rate."""

    month = models.DateField(_("month"), help_text=_("The first day of the month"))
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    rate_to_cny = models.DecimalField(_("RMB per unit"), max_digits=12, decimal_places=6)
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "currency"], name="exchange_rate_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="exchange_rate_first_of_month"),
            models.CheckConstraint(condition=Q(rate_to_cny__gt=0), name="exchange_rate_positive"),
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency} {self.rate_to_cny}"


class Target(AuditedModel):
    """The year's target for one official figure (amounts in base units: 美元 or 元)."""

    year = models.PositiveSmallIntegerField(_("year"))
    figure = models.CharField(_("figure"), max_length=30, choices=Figure.choices)
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "figure"]
        constraints = [models.UniqueConstraint(fields=["year", "figure"], name="target_once_per_year")]
        verbose_name = _("annual target")
        verbose_name_plural = _("annual targets")

    def __str__(self) -> str:
        return f"{self.year} {self.get_figure_display()}"


class ReminderSettings(AuditedModel):
    """The zone's reminder thresholds (one row, edited in the admin)."""

    no_contact_days = models.PositiveSmallIntegerField(_("remind after days without contact"), default=30)
    milestone_days = models.PositiveSmallIntegerField(_("remind days before a planned milestone"), default=7)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> ReminderSettings:
        row = cls.objects.order_by("pk").first()
        return row or cls(no_contact_days=30, milestone_days=7)
