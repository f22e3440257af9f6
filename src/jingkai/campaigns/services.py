"""The rules of campaigns: who creates and launches them, who answers for an enterprise, guides.

State machine: draft → open (launch: the scope is resolved into targets) → closed. Illegal changes are
refused with a reason (ValidationError on "status"); nothing is half-written.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jingkai.campaigns.forms_def import validate_answers, validate_form
from jingkai.campaigns.models import (
    Campaign,
    CampaignKind,
    CampaignResponse,
    CampaignStatus,
    CampaignTarget,
    ScopeKind,
)
from jingkai.campaigns.permissions import (  # noqa: F401 (views and the API call services.can_*)
    can_answer,
    can_answer_visible,
    can_assign_guides,
    can_manage_campaigns,
)
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.enterprises.queries import latest_scale_year


def _validate_campaign(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = [_("Give the campaign a title.")]
    if data.get("kind") not in CampaignKind.values:
        errors["kind"] = [_("Choose a kind of campaign.")]
    opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
    if opens_on is None:
        errors["opens_on"] = [_("Enter the opening date.")]
    if closes_on is None:
        errors["closes_on"] = [_("Enter the closing date.")]
    elif opens_on is not None and closes_on < opens_on:
        errors["closes_on"] = [_("The campaign closes before it opens.")]
    scope_kind = data.get("scope_kind") or ScopeKind.ZONE
    if scope_kind not in ScopeKind.values:
        errors["scope_kind"] = [_("Choose a scope.")]
    elif scope_kind == ScopeKind.GRIDS and not data.get("scope_grids"):
        errors["scope_grids"] = [_("Choose at least one grid.")]
    elif scope_kind == ScopeKind.CHAIN and not data.get("scope_chain"):
        errors["scope_chain"] = [_("Choose an industry chain.")]
    elif scope_kind == ScopeKind.LIST and not data.get("scope_enterprises"):
        errors["scope_enterprises"] = [_("Choose at least one enterprise.")]
    try:
        form = validate_form(data.get("form"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        form = []
    if errors:
        raise ValidationError(errors)
    return {**data, "title": title, "scope_kind": scope_kind, "form": form}


@transaction.atomic
def create_campaign(actor, data: dict) -> Campaign:
    """A draft campaign. data: title, kind, description, opens_on, closes_on, scope_kind,
    scope_above_size_only, scope_grids (Grid rows), scope_chain (Chain), scope_enterprises, form."""
    if not can_manage_campaigns(actor):
        raise PermissionDenied(_("Only a zone administrator may set up campaigns."))
    data = _validate_campaign(data)
    campaign = Campaign.objects.create(
        title=data["title"],
        kind=data["kind"],
        description=(data.get("description") or "").strip(),
        opens_on=data["opens_on"],
        closes_on=data["closes_on"],
        scope_kind=data["scope_kind"],
        scope_above_size_only=bool(data.get("scope_above_size_only")),
        scope_chain=data.get("scope_chain") if data["scope_kind"] == ScopeKind.CHAIN else None,
        form=data["form"],
        created_by=actor,
    )
    if data["scope_kind"] == ScopeKind.GRIDS:
        campaign.scope_grids.set(data["scope_grids"])
    if data["scope_kind"] == ScopeKind.LIST:
        campaign.scope_enterprises.set(data["scope_enterprises"])
    return campaign


def resolve_scope(campaign: Campaign) -> QuerySet:
    """The operating enterprises a campaign's scope names today (a queryset, not evaluated)."""
    rows = Enterprise.objects.filter(status=EnterpriseStatus.OPERATING)
    if campaign.scope_kind == ScopeKind.GRIDS:
        rows = rows.filter(grid__in=campaign.scope_grids.values("pk"))
    elif campaign.scope_kind == ScopeKind.CHAIN:
        rows = rows.filter(pk__in=campaign.scope_chain.memberships.values("enterprise_id"))
    elif campaign.scope_kind == ScopeKind.LIST:
        rows = rows.filter(pk__in=campaign.scope_enterprises.values("pk"))
    if campaign.scope_above_size_only:
        year = latest_scale_year()
        rows = rows.filter(
            pk__in=AnnualScale.objects.filter(year=year, above_size=True).values("enterprise_id")
        )
    return rows


@transaction.atomic
def launch_campaign(campaign: Campaign, actor, now=None) -> int:
    """draft → open: store the targets (bulk, with history); returns their number."""
    if not can_manage_campaigns(actor):
        raise PermissionDenied(_("Only a zone administrator may launch campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(
            {
                "status": [
                    _("Only a draft campaign can be launched; this one is %(status)s.")
                    % {"status": campaign.get_status_display()}
                ]
            }
        )
    rows = list(resolve_scope(campaign).order_by("pk").values_list("pk", "grid_id", "community_id"))
    if not rows:
        raise ValidationError({"scope_kind": [_("The scope holds no operating enterprise.")]})
    targets = [
        CampaignTarget(campaign=campaign, enterprise_id=e, grid_id=g, community_id=c) for e, g, c in rows
    ]
    bulk_create_with_history(targets, CampaignTarget, batch_size=2000, default_user=actor)
    campaign.status = CampaignStatus.OPEN
    campaign.launched_at = now or timezone.now()
    campaign._history_user = actor
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    return len(targets)


@transaction.atomic
def close_campaign(campaign: Campaign, actor, now=None) -> None:
    if not can_manage_campaigns(actor):
        raise PermissionDenied(_("Only a zone administrator may close campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"status": [_("Only an open campaign can be closed.")]})
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = now or timezone.now()
    campaign._history_user = actor
    campaign.save(update_fields=["status", "closed_at", "updated_at"])


@transaction.atomic
def answer(target: CampaignTarget, actor, answers: dict, now=None) -> CampaignResponse:
    """Store (or correct) the enterprise's answers while the campaign is open; history keeps each version."""
    if not can_answer(actor, target):
        raise PermissionDenied(_("You may not answer for this enterprise."))
    # The status is read afresh: a campaign closed since the page was loaded takes no more answers.
    # Locked like close_campaign locks it, so that an answer cannot land after a concurrent close.
    campaign = Campaign.objects.select_for_update().get(pk=target.campaign_id)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"status": [_("The campaign is not open for answers.")]})
    try:
        cleaned = validate_answers(campaign.form, answers)
    except ValidationError as exc:
        # Located under "answers.<field key>", apart from the campaign's own fields ("status").
        raise ValidationError({f"answers.{key}": msgs for key, msgs in exc.message_dict.items()}) from None
    now = now or timezone.now()
    response, _created = CampaignResponse.objects.update_or_create(
        target=target, defaults={"answers": cleaned, "answered_by": actor, "answered_at": now}
    )
    return response


@transaction.atomic
def assign_guide(target: CampaignTarget, actor, guide) -> CampaignTarget:
    """Make a zone staff member the target's on-site guidance officer (None removes the assignment)."""
    if not can_assign_guides(actor, target):
        raise PermissionDenied(_("You may not assign guidance officers to this enterprise."))
    if Campaign.objects.filter(pk=target.campaign_id, status=CampaignStatus.CLOSED).exists():
        raise ValidationError({"status": [_("The campaign is closed.")]})
    if guide is not None and not (guide.is_active and guide.is_staff_role):
        raise ValidationError({"guide": [_("A guidance officer must be active zone staff.")]})
    target.guide = guide
    target.save(update_fields=["guide", "updated_at"])
    return target


def targets_of(campaign: Campaign, user) -> QuerySet:
    """The campaign's targets the user may see (their enterprises', and those they guide)."""
    return CampaignTarget.objects.visible_to(user).filter(campaign=campaign)
