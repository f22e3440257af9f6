"""Campaign pages: list, set-up, detail (targets, launch, close, guides), answer, results and export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingkai.campaigns import exports, services
from jingkai.campaigns.filtersets import CampaignTargetFilterSet
from jingkai.campaigns.forms import CampaignForm, GuideForm, answer_form_class
from jingkai.campaigns.forms_def import FIELD_TYPES
from jingkai.campaigns.models import Campaign, CampaignStatus, CampaignTarget
from jingkai.campaigns.results import results_by_grid
from jingkai.core.models import Role
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import audited_download


def _counts(user, campaign=None) -> dict:
    targets = CampaignTarget.objects.visible_to(user)
    if campaign is not None:
        targets = targets.filter(campaign=campaign)
    rows = (
        targets.order_by()
        .values("campaign_id")
        .annotate(targets=Count("pk"), answered=Count("pk", filter=Q(response__isnull=False)))
    )
    return {row["campaign_id"]: row for row in rows}


@login_required
def campaign_list(request):
    campaigns = list(Campaign.objects.visible_to(request.user))
    counts = _counts(request.user)
    for campaign in campaigns:
        row = counts.get(campaign.pk, {})
        campaign.n_targets, campaign.n_answered = row.get("targets", 0), row.get("answered", 0)
    return render(
        request,
        "campaigns/list.html",
        {"campaigns": campaigns, "can_manage": services.can_manage_campaigns(request.user)},
    )


@login_required
def campaign_create(request):
    if not services.can_manage_campaigns(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.service_data()
        try:
            campaign = services.create_campaign(request.user, data)
        except ValidationError as exc:
            form.add_service_errors(exc, data["form"])
        else:
            messages.success(request, _("Campaign saved as a draft. Launch it to send the form."))
            return redirect("campaigns:detail", pk=campaign.pk)
    return render(request, "campaigns/form.html", {"form": form})


def _targets(request, campaign) -> CampaignTargetFilterSet:
    targets = services.targets_of(campaign, request.user).select_related(
        "enterprise", "grid", "guide", "response__answered_by"
    )
    return CampaignTargetFilterSet(request.GET, targets)


@login_required
def campaign_detail(request, pk: int):
    user = request.user
    campaign = get_visible_or_404(Campaign.objects.all(), user, pk=pk)
    targets = _targets(request, campaign)
    page = Paginator(targets.qs, 100).get_page(request.GET.get("page"))
    for target in page:
        target.may_answer = campaign.status == CampaignStatus.OPEN and services.can_answer_visible(
            user, target
        )
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "form_fields": [
                {**item, "type_label": FIELD_TYPES.get(item["type"], item["type"])} for item in campaign.form
            ],
            "page": page,
            "filter_errors": targets.errors,
            "can_manage": services.can_manage_campaigns(user),
            "can_guide": services.can_manage_campaigns(user) or user.role == Role.GRID_LEADER,
            "counts": _counts(user, campaign).get(campaign.pk, {"targets": 0, "answered": 0}),
        },
    )


@login_required
@require_POST
def campaign_launch(request, pk: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    try:
        count = services.launch_campaign(campaign, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Campaign launched: %(count)d enterprises asked.") % {"count": count})
    return redirect("campaigns:detail", pk=pk)


@login_required
@require_POST
def campaign_close(request, pk: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    try:
        services.close_campaign(campaign, request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Campaign closed."))
    return redirect("campaigns:detail", pk=pk)


def _target(request, pk: int, enterprise_id: int) -> CampaignTarget:
    return get_visible_or_404(
        CampaignTarget.objects.select_related("campaign", "enterprise", "response"),
        request.user,
        campaign_id=pk,
        enterprise_id=enterprise_id,
    )


@login_required
def campaign_answer(request, pk: int, enterprise_id: int):
    target = _target(request, pk, enterprise_id)
    campaign = target.campaign
    if not services.can_answer(request.user, target):
        raise PermissionDenied
    response = getattr(target, "response", None)
    form_class = answer_form_class(campaign.form)
    if request.method == "POST":
        form = form_class(request.POST)
        form.is_valid()  # renders the values back; the service decides what is valid
        # The values as posted, not form.cleaned_data: a value the form's own field refuses (an unknown
        # choice) would be missing there and erase the stored answer; the service reports it instead.
        posted = {k: request.POST.get(k, "").strip() for k in form.fields}
        try:
            services.answer(target, request.user, {k: v for k, v in posted.items() if v != ""})
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                key = key.removeprefix("answers.")
                form.add_error(key if key in form.fields else None, errors)
        else:
            messages.success(request, _("Answers for %(name)s saved.") % {"name": target.enterprise.name})
            return redirect("campaigns:answer", pk=pk, enterprise_id=enterprise_id)
    else:
        initial = {
            k: ("true" if v is True else "false" if v is False else v)
            for k, v in (response.answers if response else {}).items()
        }
        form = form_class(initial=initial)
    return render(
        request,
        "campaigns/answer.html",
        {
            "campaign": campaign,
            "target": target,
            "form": form,
            "response": response,
            "is_open": campaign.status == CampaignStatus.OPEN,
        },
    )


@login_required
def target_guide(request, pk: int, target_id: int):
    target = get_visible_or_404(
        CampaignTarget.objects.select_related("campaign", "enterprise", "guide"),
        request.user,
        pk=target_id,
        campaign_id=pk,
    )
    if not services.can_assign_guides(request.user, target):
        raise PermissionDenied
    form = GuideForm(request.POST if request.method == "POST" else None, initial={"guide": target.guide})
    if form.is_bound and form.is_valid():
        try:
            services.assign_guide(target, request.user, form.cleaned_data["guide"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("Guidance officer of %(name)s saved.") % {"name": target.enterprise.name}
            )
            return redirect("campaigns:detail", pk=pk)
    return render(
        request, "campaigns/guide.html", {"target": target, "campaign": target.campaign, "form": form}
    )


@login_required
def campaign_results(request, pk: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    results = results_by_grid(campaign, services.targets_of(campaign, request.user))
    return render(
        request,
        "campaigns/results.html",
        {"campaign": campaign, "results": results, "chart": exports.chart_data(results)},
    )


@login_required
@require_GET
def campaign_results_export(request, pk: int):
    campaign = get_visible_or_404(Campaign.objects.all(), request.user, pk=pk)
    targets = services.targets_of(campaign, request.user)
    content = exports.results_workbook(campaign, results_by_grid(campaign, targets), targets)
    return audited_download(request, content, f"{campaign.title}-{_('Results')}.xlsx", target=campaign)
