"""/api/campaigns: campaigns, their results per grid, the responses, and answering for an enterprise.

Everything is fetched through Campaign/CampaignTarget.objects.visible_to(user): a grid officer sees the
campaigns that asked their grids' enterprises, and only those enterprises' responses and results.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from jingkai.campaigns import services
from jingkai.campaigns.filtersets import CampaignTargetFilterSet
from jingkai.campaigns.models import Campaign, CampaignResponse, CampaignTarget
from jingkai.campaigns.results import results_by_grid
from jingkai.campaigns.schemas import AnswerIn, CampaignOut, ResponseFilters, ResponseOut, ResultsOut
from jingkai.core.api import Pagination, filtered
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.queries import id_or_uscc

router = Router(tags=["campaigns"])


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


def _with_counts(request, campaigns) -> list[dict]:
    counts = _counts(request.user, [c.pk for c in campaigns])
    return [_out(c, counts) for c in campaigns]


@router.get("", response=list[CampaignOut], summary="List campaigns")
@paginate(Pagination, page_items=_with_counts)
def list_campaigns(request):
    return Campaign.objects.visible_to(request.user)


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


@router.get("/{campaign_id}/responses", response=list[ResponseOut], summary="Targets and their responses")
@paginate(Pagination, page_items=lambda request, targets: [_response_out(t) for t in targets])
def list_responses(request, campaign_id: int, filters: Query[ResponseFilters]):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=campaign_id)
    targets = services.targets_of(campaign, request.user).select_related(
        "enterprise", "grid", "guide", "response__answered_by"
    )
    data = {"grid": filters.grid}
    if filters.answered is not None:
        data["answered"] = "yes" if filters.answered else "no"
    return filtered(CampaignTargetFilterSet(data, targets))


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
