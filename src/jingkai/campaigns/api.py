"""/api/campaigns: campaigns, their results per grid, the responses, and answering for an enterprise.

Everything is fetched through Campaign/CampaignTarget.objects.visible_to(user): a grid officer sees the
campaigns that asked their grids' enterprises, and only those enterprises' responses and results.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError

from jingkai.campaigns import services
from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignTarget
from jingkai.campaigns.results import results_by_grid
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.queries import id_or_uscc
from jingkai.enterprises.schemas import Page

router = Router(tags=["campaigns"])


class FormField(Schema):
    key: str
    label: str
    type: str
    required: bool
    choices: list[str] = []


class CampaignOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    description: str
    opens_on: dt.date
    closes_on: dt.date
    status: str
    scope_kind: str
    scope_above_size_only: bool
    form: list[FormField]
    targets: int = Field(description="Targets the caller may see")
    answered: int


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int


class GridResult(Schema):
    grid: str | None
    name: str
    targets: int
    answered: int
    answer_rate: float | None = Field(description="Percent")
    averages: dict[str, float | None] = Field(description="Numeric and percent fields: key → average")
    choices: dict[str, dict[str, int]] = Field(description="Choice and yes/no fields: key → answer → count")


class ResultsOut(Schema):
    campaign: int
    grids: list[GridResult]
    total: GridResult


class ResponseOut(Schema):
    enterprise_id: int
    enterprise: str
    grid: str | None
    guide: str | None
    answered: bool
    answered_by: str | None = None
    answered_at: dt.datetime | None = None
    answers: dict[str, Any] | None = None


class ResponsePage(Schema):
    items: list[ResponseOut]
    count: int


class ResponseFilters(Schema):
    answered: bool | None = Field(None, description="true: answered only; false: not yet answered")
    grid: str | None = Field(None, description="Grid code at launch")


class AnswerIn(Schema):
    enterprise: str = Field(description="Enterprise id or unified social credit code")
    answers: dict[str, Any]


def _counts(user, ids) -> dict:
    from django.db.models import Count, Q

    rows = (
        CampaignTarget.objects.visible_to(user)
        .filter(campaign_id__in=ids)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"), a=Count("pk", filter=Q(response__isnull=False)))
    )
    return {r["campaign_id"]: (r["n"], r["a"]) for r in rows}


def _out(campaign: Campaign, counts: dict) -> dict:
    n, a = counts.get(campaign.pk, (0, 0))
    return {
        **{
            f: getattr(campaign, f)
            for f in (
                "id",
                "title",
                "kind",
                "description",
                "opens_on",
                "closes_on",
                "status",
                "scope_kind",
                "scope_above_size_only",
                "form",
            )
        },
        "kind_label": campaign.get_kind_display(),
        "targets": n,
        "answered": a,
    }


@router.get("", response=CampaignPage, summary="List campaigns")
def list_campaigns(request, page: Query[Page]):
    rows = Campaign.objects.visible_to(request.user)
    items = list(rows[page.offset : page.offset + page.limit])
    counts = _counts(request.user, [c.pk for c in items])
    return {"items": [_out(c, counts) for c in items], "count": rows.count()}


@router.get("/{campaign_id}", response=CampaignOut, summary="Read a campaign")
def get_campaign(request, campaign_id: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    return _out(campaign, _counts(request.user, [campaign.pk]))


def _bucket(bucket, form, grid=None) -> dict:
    return {
        "grid": grid,
        "name": bucket.name,
        "targets": bucket.targets,
        "answered": bucket.answered,
        "answer_rate": bucket.rate,
        "averages": {f["key"]: bucket.average(f["key"]) for f in form if f["type"] in ("number", "percent")},
        "choices": {k: dict(v) for k, v in bucket.choices.items()},
    }


@router.get("/{campaign_id}/results", response=ResultsOut, summary="Results per grid")
def campaign_results(request, campaign_id: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    results = results_by_grid(campaign, services.targets_of(campaign, request.user))
    return {
        "campaign": campaign.pk,
        "grids": [_bucket(b, results.form, b.code or None) for b in results.grids],
        "total": _bucket(results.total, results.form),
    }


def _response_out(target: CampaignTarget) -> dict:
    response = getattr(target, "response", None)
    return {
        "enterprise_id": target.enterprise_id,
        "enterprise": target.enterprise.name,
        "grid": target.grid.code if target.grid else None,
        "guide": str(target.guide) if target.guide else None,
        "answered": response is not None,
        "answered_by": str(response.answered_by) if response else None,
        "answered_at": response.answered_at if response else None,
        "answers": response.answers if response else None,
    }


@router.get("/{campaign_id}/responses", response=ResponsePage, summary="Targets and their responses")
def list_responses(request, campaign_id: int, filters: Query[ResponseFilters], page: Query[Page]):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    targets = services.targets_of(campaign, request.user).select_related(
        "enterprise", "grid", "guide", "response__answered_by"
    )
    if filters.answered is not None:
        targets = targets.filter(response__isnull=not filters.answered)
    if filters.grid:
        targets = targets.filter(grid__code=filters.grid)
    items = [_response_out(t) for t in targets[page.offset : page.offset + page.limit]]
    return {"items": items, "count": targets.count()}


@router.post(
    "/{campaign_id}/responses",
    response={201: ResponseOut},
    summary="Answer (or correct the answer) for an enterprise",
)
def post_response(request, campaign_id: int, payload: AnswerIn):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    lookup = id_or_uscc(payload.enterprise, via="enterprise")
    target = None
    if lookup is not None:
        target = (
            services.targets_of(campaign, request.user)
            .select_related("campaign", "enterprise", "grid", "guide")
            .filter(**lookup)
            .first()
        )
    if target is None:
        raise ValidationError(
            {"enterprise": [_("This campaign asked no enterprise you may see by that id or code.")]}
        )
    try:
        services.answer(target, request.user, payload.answers)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # "answers.return_rate" is located at ["body", "answers", "return_rate"].
        detail = [
            {"loc": ["body", *key.split(".", 1)], "msg": str(message), "type": "value_error"}
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
        raise NinjaValidationError(detail) from None
    target = CampaignTarget.objects.select_related(
        "enterprise", "grid", "guide", "response__answered_by"
    ).get(pk=target.pk)
    return Status(201, _response_out(target))


__all__ = ["router", "CampaignResponse"]
