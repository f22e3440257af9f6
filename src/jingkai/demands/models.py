"""Enterprise demands (诉求): one pool for every channel, one category tree, one state machine.

The transition table and the rules live in services.py; this module holds the data. Deadlines are dates
(the end of that official working day), computed when a state is entered (see services.due_for).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jingkai.core import personal
from jingkai.core.models import AuditedModel
from jingkai.core.scoping import NOTHING, ScopedQuerySet, scope_of

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.demands.choices import (  # noqa: F401
    ESCALATING_STATES,
    FINAL_STATES,
    OPEN_STATES,
    SATISFIED_MIN,
    Channel,
    DemandState,
    ExtensionStatus,
    Rating,
)

# Defaults from RULES.md §7 (local time limits, in official working days); an admin edits them per
# category, and a category left blank inherits from its parent, then from these.
DEFAULT_ACCEPT_DAYS = 1  # 已提交 → 受理 (Zhejiang policy platform: simple 1 working day)
DEFAULT_ASSIGN_DAYS = 1  # 已受理 → 交办
DEFAULT_TAKE_DAYS = 1  # 已交办 → 部门签收 (办理中)
DEFAULT_REPLY_DAYS = 5  # 办理中 → 答复 (舟山 help 5; 中山 close 5 working days)
DEFAULT_RATING_WINDOW_DAYS = 5  # 已答复 → 已办结 when not rated
DEFAULT_AMBER_DAYS = 1  # amber = due today or within this many working days
DEFAULT_LEVEL2_AFTER_DAYS = 2  # escalate to the zone admins this many working days after the deadline
DEFAULT_MAX_EXTENSION_DAYS = 20  # 舟山: extension ≤ 20 days


class DemandPolicy(AuditedModel):
    """Zone-wide settings of the loop (one row; services.policy() creates it with the defaults)."""

    rating_window_days = models.PositiveSmallIntegerField(
        _("rating window (working days)"),
        default=DEFAULT_RATING_WINDOW_DAYS,
        help_text=_("After a reply the enterprise may rate it this long; then the demand closes unrated."),
    )
    amber_days = models.PositiveSmallIntegerField(
        _("amber warning (working days)"),
        default=DEFAULT_AMBER_DAYS,
        help_text=_("A deadline today or within this many working days shows amber."),
    )
    level2_after_days = models.PositiveSmallIntegerField(
        _("escalate to zone admins after (working days overdue)"), default=DEFAULT_LEVEL2_AFTER_DAYS
    )
    max_extension_days = models.PositiveSmallIntegerField(
        _("longest extension (working days)"), default=DEFAULT_MAX_EXTENSION_DAYS
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("demand policy")
        verbose_name_plural = _("demand policy")

    def __str__(self) -> str:
        return str(_("Demand policy"))


class DemandCategoryQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class DemandCategory(AuditedModel):
    """A node of the configurable category tree (用地, 用工, 融资 …) with its time limits."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    accept_days = models.PositiveSmallIntegerField(
        _("accept within (working days)"),
        null=True,
        blank=True,
        help_text=_("Blank: as the parent category, else 1 working day (RULES.md §7)."),
    )
    assign_days = models.PositiveSmallIntegerField(
        _("assign within (working days)"),
        null=True,
        blank=True,
        help_text=_("Blank: as the parent category, else 1 working day."),
    )
    take_days = models.PositiveSmallIntegerField(
        _("department takes it up within (working days)"),
        null=True,
        blank=True,
        help_text=_("Blank: as the parent category, else 1 working day."),
    )
    reply_days = models.PositiveSmallIntegerField(
        _("reply within (working days)"),
        null=True,
        blank=True,
        help_text=_(
            "Blank: as the parent category, else 5 working days (RULES.md §7: consultations 3, help 5, "
            "complaints or complex matters 7)."
        ),
    )
    history = HistoricalRecords()

    objects = DemandCategoryQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("demand category")
        verbose_name_plural = _("demand categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


def _own_or_merged_into(scope) -> Q:
    """An enterprise contact: their enterprise's demands, and the originals their merged duplicates went to."""
    from jingkai.enterprises.models import visible_enterprise_ids

    own = visible_enterprise_ids(scope.user)
    originals = Demand.objects.filter(enterprise__in=own, merged_into__isnull=False).values("merged_into_id")
    return Q(enterprise__in=own) | Q(pk__in=originals)


def _routed_to_department(scope) -> Q:
    """A department handler: demands with the department now, and those it ever handled."""
    if not scope.department_id:
        return NOTHING
    ever = DemandEvent.objects.filter(department_id=scope.department_id).values("demand_id")
    return Q(department_id=scope.department_id) | Q(pk__in=ever)


def _of_visible_enterprises(scope) -> Q:
    from jingkai.enterprises.models import visible_enterprise_ids

    return Q(enterprise__in=visible_enterprise_ids(scope.user))


class DemandQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.scoped(
            scope_of(user).rule(
                grid=_of_visible_enterprises,
                community=_of_visible_enterprises,
                department=_routed_to_department,
                enterprise=_own_or_merged_into,
            )
        )

    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Demand(AuditedModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="demands",
    )
    category = models.ForeignKey(
        DemandCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="demands"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=DemandState.choices, default=DemandState.SUBMITTED
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = personal.EncryptedCharField(_("contact phone"), max_length=30, blank=True)
    contact_phone_index = personal.BlindIndexField(source="contact_phone")
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
    )
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    state_entered_at = models.DateTimeField(_("state entered at"))
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    ever_overdue = models.BooleanField(_("was ever overdue"), default=False)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("demand", "closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        choices=Rating.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    extension_status = models.CharField(
        _("extension"), max_length=10, choices=ExtensionStatus.choices, default="", blank=True
    )
    extension_until = models.DateField(_("extension asked until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for delay"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    source_ref = models.CharField(_("source reference"), max_length=60, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Optimistic concurrency: every transition does UPDATE … WHERE id = … AND version = ….
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            models.Index(fields=["state", "due_on"], name="demand_state_due"),
            models.Index(fields=["enterprise", "state"], name="demand_enterprise_state"),
            models.Index(fields=["department", "state"], name="demand_department_state"),
            models.Index(fields=["category", "state"], name="demand_category_state"),
            # The sweep's working set: open demands not yet escalated to the last level (small in steady
            # state, whatever the size of the pool).
            models.Index(
                fields=["due_on"],
                condition=Q(
                    state__in=["submitted", "accepted", "assigned", "in_progress"], escalation_level__lt=2
                ),
                name="demand_escalation_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.description[:30]

    def get_absolute_url(self) -> str:
        return reverse("demands:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"SQ{self.submitted_at:%Y%m%d}-{self.pk:06d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


# docs/security.md §4: the contact phone is sealed; who may reveal it: demands.permissions.can_reveal_contact_phone.
personal.classify(
    Demand,
    "contact_name",
    personal=True,
    kind=personal.NAME,
    reason="shown with the private details (sees_private_details); anonymised with the contact",
)
personal.revealable(
    Demand, may="demands.can_reveal_contact_phone", visible=lambda user: Demand.objects.visible_to(user)
)


ACTION_LABELS = {
    "submit": _("Filed"),
    "accept": _("Accepted"),
    "reject": _("Not accepted"),
    "merge": _("Merged as duplicate"),
    "merged_in": _("Duplicate merged in"),
    "assign": _("Assigned"),
    "reassign": _("Reassigned"),
    "take": _("Taken up"),
    "return": _("Returned"),
    "request_extension": _("Extension asked"),
    "approve_extension": _("Extension approved"),
    "refuse_extension": _("Extension refused"),
    "reply": _("Replied"),
    "rate": _("Rated"),
    "reopen": _("Reopened"),
    "supervise": _("Supervised"),
    "escalate": _("Escalated (overdue)"),
    "close_unrated": _("Closed without rating"),
}


class DemandEventQuerySet(models.QuerySet):
    pass


class DemandEvent(models.Model):
    """One step of a demand's timeline: who, when, from, to, note. Append-only."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from state"), max_length=12, blank=True)
    to_state = models.CharField(_("to state"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    # The department the demand was routed to by this step (交办/改派), so "ever routed" is a query.
    department = models.ForeignKey(
        "core.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(default=0)
    # Internal steps (e.g. a refused extension's deliberation) may be hidden from the enterprise.
    public = models.BooleanField(default=True)

    objects = DemandEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        indexes = [
            models.Index(fields=["demand", "at"], name="demandevent_demand_at"),
            models.Index(fields=["department", "demand"], name="demandevent_department"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


def attachment_path(instance, filename: str) -> str:
    return f"demands/{instance.demand_id}/{filename}"


class DemandAttachment(AuditedModel):
    """A file attached to a demand; served only through the scoped download view."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
