"""Investment pages: the ledger list and export, a project's page with its forms, the stage move, the figures
page, the city's monthly report and the ledger import. Thin: the rules live in services.py and importers.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jingkai.chains.models import Chain
from jingkai.core.models import Role
from jingkai.core.money import WAN, Currency
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import xlsx_response
from jingkai.enterprises.models import Enterprise
from jingkai.investment import exports, services
from jingkai.investment.models import (
    RAG,
    STAGE_ORDER,
    ArrivalKind,
    Figure,
    FollowUp,
    Project,
    ReminderSettings,
    Stage,
    Status,
    Target,
    is_investment_staff,
)
from jingkai.investment.queries import filter_projects

PAGE_SIZE = 50


def may_use(user) -> bool:
    """招商 staff, zone admins and grid/community staff (their areas' projects); nobody else."""
    return is_investment_staff(user) or user.role in (
        Role.GRID_LEADER,
        Role.GRID_OFFICER,
        Role.COMMUNITY_OFFICER,
    )


def _require_use(user) -> None:
    if not may_use(user):
        raise PermissionDenied(_("The investment project ledger is for investment-attraction staff."))


def _require_staff(user) -> None:
    if not services.can_edit(user):
        raise PermissionDenied(_("Only investment-attraction staff may change the project ledger."))


@login_required
@require_GET
def project_list(request):
    _require_use(request.user)
    try:
        rows = filter_projects(Project.objects.visible_to(request.user), request.GET)
        errors = {}
    except ValidationError as exc:
        rows, errors = filter_projects(Project.objects.visible_to(request.user), {}), exc.message_dict
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "investment/list.html",
        {
            "page": page,
            "errors": errors,
            "params": request.GET,
            "query": query.urlencode(),
            "stages": Stage.choices,
            "statuses": Status.choices,
            "rags": RAG.choices,
            "chains": Chain.objects.values_list("code", "name"),
            "can_edit": services.can_edit(request.user),
        },
    )


@login_required
@require_GET
def export_xlsx(request):
    _require_use(request.user)
    try:
        rows = filter_projects(Project.objects.visible_to(request.user), request.GET)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        return HttpResponseBadRequest(_("Invalid filter: %(problems)s") % {"problems": problems})
    return exports.project_ledger(rows)


class ArrivalForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ArrivalKind.choices)
    amount_wan = forms.DecimalField(
        label=gettext_lazy("Amount (10,000 in the kind's currency)"), min_value=0, decimal_places=2
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


class FollowUpForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FollowUp.Kind.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Status.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=300)
    on = forms.DateField(
        label=gettext_lazy("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MilestoneForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), choices=Stage.choices)
    planned_on = forms.DateField(
        label=gettext_lazy("Planned date"), widget=forms.DateInput(attrs={"type": "date"})
    )


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
    milestones = [(m, m.rag(today, warn)) for m in project.milestones.all()]
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
            "can_edit": services.can_edit(request.user),
            "next_stages": [(s, Stage(s).label) for s in STAGE_ORDER if s != project.stage],
            "arrival_form": ArrivalForm(initial={"on": today}),
            "follow_up_form": FollowUpForm(initial={"on": today}),
            "status_form": StatusForm(initial={"status": project.status, "on": today}),
            "milestone_form": MilestoneForm(),
        },
    )


def _stage_fields(project: Project, stage: str) -> list[str]:
    """Fields the move form asks for: those required up to the target that are not yet recorded, and
    the target's own."""
    own = set(services.STAGE_FIELDS[stage]) | (
        {"contract_foreign_capital"} if stage == Stage.SIGNED and project.is_foreign else set()
    )
    needed = services.required_fields(stage, project.origin)
    return [
        f
        for f in needed
        if f not in ("name", "investor", "kind") and (f in own or getattr(project, f) in (None, ""))
    ]


class StageForm(forms.Form):
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for overriding (administrators)"), required=False, max_length=300
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, project: Project, stage: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.money_fields = set()
        for name in _stage_fields(project, stage) if STAGE_ORDER.index(stage) > project.stage_index else []:
            model_field = Project._meta.get_field(name)
            label = model_field.verbose_name
            if name == "owner":
                from jingkai.core.models import User

                field = forms.ModelChoiceField(
                    label=label,
                    queryset=User.objects.filter(is_active=True).exclude(role=Role.ENTERPRISE),
                    initial=project.owner_id,
                )
            elif name.endswith("_on"):
                field = forms.DateField(
                    label=label,
                    initial=getattr(project, name),
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif name in ("total_investment", "contract_foreign_capital"):
                currency = (
                    Currency.USD if name == "contract_foreign_capital" else project.total_investment_currency
                )
                field = forms.DecimalField(
                    label=_("%(label)s (10,000 %(currency)s)") % {"label": label, "currency": currency},
                    decimal_places=2,
                    min_value=0,
                )
                self.money_fields.add(name)
            else:
                field = forms.CharField(label=label, max_length=100, initial=getattr(project, name))
            self.fields[name] = field
        self.order_fields([*[f for f in self.fields if f not in ("override_reason", "note")]])

    def values(self) -> dict:
        out = {}
        for name, value in self.cleaned_data.items():
            if name in ("override_reason", "note"):
                continue
            out[name] = value * WAN if name in self.money_fields and value is not None else value
        return out


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
    return xlsx_response(content, f"招商引资月报-{year}年{month:02d}月.xlsx")


@login_required
def enterprise_panel(request, pk: int):
    """The 招商项目 panel of an enterprise's page (loaded by htmx); empty when there is nothing to show."""
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    if not may_use(request.user):
        return HttpResponse("")
    projects = Project.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("owner")
    if not projects:
        return HttpResponse("")
    return render(
        request, "investment/_enterprise_panel.html", {"projects": projects, "enterprise": enterprise}
    )
