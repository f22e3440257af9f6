"""Investment pages: the ledger list and export, a project's page with its forms, the stage move, the figures
page, the city's monthly report and the ledger import. Thin: the rules live in services.py and importers.py."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jingkai.chains.models import Chain
from jingkai.core.filtersets import refuse_invalid
from jingkai.core.money import WAN
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import audited_download
from jingkai.enterprises.models import Enterprise
from jingkai.investment import exports, services
from jingkai.investment.filtersets import ProjectFilterSet
from jingkai.investment.forms import ArrivalForm, FollowUpForm, MilestoneForm, StageForm, StatusForm
from jingkai.investment.models import (
    RAG,
    STAGE_ORDER,
    Figure,
    Project,
    ReminderSettings,
    Stage,
    Status,
    Target,
)
from jingkai.investment.permissions import can_edit_ledger, can_use_ledger
from jingkai.investment.queries import with_milestone_rag

PAGE_SIZE = 50


def _require_use(user) -> None:
    if not can_use_ledger(user):
        raise PermissionDenied(_("The investment project ledger is for investment-attraction staff."))


def _require_staff(user) -> None:
    if not can_edit_ledger(user):
        raise PermissionDenied(_("Only investment-attraction staff may change the project ledger."))


@login_required
@require_GET
def project_list(request):
    _require_use(request.user)
    filterset = ProjectFilterSet(request.GET, Project.objects.visible_to(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "investment/list.html",
        {
            "page": page,
            "errors": filterset.errors,
            "params": request.GET,
            "stages": Stage.choices,
            "statuses": Status.choices,
            "rags": RAG.choices,
            "chains": Chain.objects.values_list("code", "name"),
            "can_edit": can_edit_ledger(request.user),
        },
    )


@login_required
@require_GET
def export_xlsx(request):
    _require_use(request.user)
    filterset = ProjectFilterSet(request.GET, Project.objects.visible_to(request.user))
    if refused := refuse_invalid(filterset):
        return refused
    return audited_download(request, exports.project_ledger(filterset.qs))


def _project(request, pk):
    _require_use(request.user)
    rows = services.with_rag(Project.objects.select_related("owner", "chain", "park", "enterprise"))
    return get_visible_or_404(rows, request.user, pk=pk)


@login_required
@require_GET
def project_detail(request, pk: int):
    project = _project(request, pk)
    warn = ReminderSettings.current().milestone_days
    today = services.today()
    milestones = [(m, m.rag) for m in with_milestone_rag(project.milestones.all(), today, warn)]
    history = project.history.select_related("history_user").order_by("-history_date")[:30]
    return render(
        request,
        "investment/detail.html",
        {
            "project": project,
            "events": project.stage_events.select_related("by"),
            "milestones": milestones,
            "arrivals": project.arrivals.all(),
            "follow_ups": project.follow_ups.select_related("by")[:50],
            "history": history,
            "can_edit": can_edit_ledger(request.user),
            "next_stages": [(s, Stage(s).label) for s in STAGE_ORDER if s != project.stage],
            "arrival_form": ArrivalForm(initial={"on": today}),
            "follow_up_form": FollowUpForm(initial={"on": today}),
            "status_form": StatusForm(initial={"status": project.status, "on": today}),
            "milestone_form": MilestoneForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_move(request, pk: int):
    project = _project(request, pk)
    _require_staff(request.user)
    stage = request.GET.get("to") or request.POST.get("to")
    if stage not in STAGE_ORDER:
        return HttpResponseBadRequest(_("Unknown stage."))
    form = StageForm(request.POST or None, project=project, stage=stage)
    refusal = ""
    target, current = STAGE_ORDER.index(stage), project.stage_index
    if target < current:
        refusal = _("Moving a project back is refused unless an administrator records a reason.")
    elif target > current + 1:
        refusal = _("Skipping stages is refused unless an administrator records a reason.")
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.move_stage(
                project,
                stage,
                request.user,
                values=form.values(),
                override_reason=form.cleaned_data["override_reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            status = 422
        else:
            messages.success(request, _("Moved to “%(stage)s”.") % {"stage": Stage(stage).label})
            return redirect("investment:detail", pk=project.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "investment/stage.html",
        {
            "project": project,
            "form": form,
            "stage": Stage(stage),
            "refusal": refusal,
            "is_admin": request.user.is_zone_admin,
        },
        status=status,
    )


def _post_form(request, pk, form_class, apply):
    project = _project(request, pk)
    _require_staff(request.user)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            apply(project, form.cleaned_data)
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("investment:detail", pk=project.pk)


@login_required
@require_POST
def add_arrival(request, pk: int):
    def apply(project, data):
        services.add_arrival(
            project,
            {
                "on": data["on"],
                "kind": data["kind"],
                "amount": data["amount_wan"] * WAN,
                "note": data["note"],
            },
            request.user,
        )

    return _post_form(request, pk, ArrivalForm, apply)


@login_required
@require_POST
def add_follow_up(request, pk: int):
    return _post_form(request, pk, FollowUpForm, lambda p, d: services.add_follow_up(p, d, request.user))


@login_required
@require_POST
def change_status(request, pk: int):
    return _post_form(
        request,
        pk,
        StatusForm,
        lambda p, d: services.set_status(p, d["status"], request.user, reason=d["reason"], on=d["on"]),
    )


@login_required
@require_POST
def set_milestone(request, pk: int):
    return _post_form(
        request,
        pk,
        MilestoneForm,
        lambda p, d: services.set_milestone(p, d["stage"], d["planned_on"], request.user),
    )


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or services.today().year)
    except ValueError:
        year = services.today().year
    return min(max(year, 2000), 2100)


@login_required
@require_GET
def figures(request):
    _require_use(request.user)
    year = _year(request)
    months = services.monthly(request.user, year)
    targets = dict(Target.objects.filter(year=year).values_list("figure", "value"))
    totals = months[-1]["to_date"]
    rows = []
    for figure in Figure:
        value = totals[figure]["value"]
        target = targets.get(figure.value)
        rows.append(
            {
                "key": figure.value,
                "label": figure.label,
                "display": totals[figure]["display"],
                "target": services._display(figure, target) if target is not None else "—",
                "percent": round(float(value) / float(target) * 100, 1) if target else None,
            }
        )
    chart = {
        "months": [f"{m['month']}月" for m in months],
        "series": [
            {
                "key": figure.value,
                "name": str(figure.label),
                "data": [
                    float(m["to_date"][figure]["value"]) / (1e8 if figure in services.FIGURE_CURRENCY else 1)
                    for m in months
                ],
            }
            for figure in Figure
        ],
    }
    by = request.GET.get("by") if request.GET.get("by") in services.GROUPINGS else None
    groups = (
        services.summary(request.user, dt.date(year, 1, 1), dt.date(year, 12, 31), by=by)["groups"]
        if by
        else []
    )
    return render(
        request,
        "investment/figures.html",
        {
            "year": year,
            "rows": rows,
            "chart": chart,
            "by": by,
            "groups": groups,
            "figures": list(Figure),
            "notes": services.summary(request.user, dt.date(year, 1, 1), dt.date(year, 12, 31))["notes"],
        },
    )


@login_required
@require_GET
def monthly_report(request):
    _require_use(request.user)
    year = _year(request)
    try:
        month = min(max(int(request.GET.get("month") or 1), 1), 12)
    except ValueError:
        month = 1
    from django.conf import settings

    content = exports.monthly_report(request.user, year, month, settings.JINGKAI_ZONE_NAME)
    return audited_download(request, content, f"招商引资月报-{year}年{month:02d}月.xlsx")


@login_required
def enterprise_panel(request, pk: int):
    """The 招商项目 panel of an enterprise's page (loaded by htmx); empty when there is nothing to show."""
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    if not can_use_ledger(request.user):
        return HttpResponse("")
    projects = Project.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("owner")
    if not projects:
        return HttpResponse("")
    return render(
        request, "investment/_enterprise_panel.html", {"projects": projects, "enterprise": enterprise}
    )
