"""Visit pages: the log (filter, export), the visit form, "not visited in time" and the grid dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jingkai.core import bounds, permissions
from jingkai.core.contributions import render_in
from jingkai.core.filtersets import refuse_invalid
from jingkai.core.scoping import get_visible_or_404
from jingkai.core.xlsx import audited_download
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import Community, Grid
from jingkai.visits import cadence, dashboard, exports, services
from jingkai.visits.filtersets import VisitFilterSet
from jingkai.visits.forms import DemandFormSet, VisitForm
from jingkai.visits.models import Visit

PAGE_SIZE = 50


def _filterset(request) -> VisitFilterSet:
    return VisitFilterSet(request.GET or None, Visit.objects.visible_to(request.user), user=request.user)


@login_required
def visit_list(request):
    filterset = _filterset(request)
    rows = filterset.qs.select_related("enterprise", "grid", "created_by").prefetch_related("visitors")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/list.html",
        {
            "form": filterset.form,
            "page": page,
            "can_log": services.can_log_visit(request.user),
            "show_notes": services.can_see_notes(request.user),
        },
    )


@login_required
@require_GET
def visit_export(request):
    filterset = _filterset(request)
    if refused := refuse_invalid(filterset):
        return refused
    return audited_download(
        request, exports.visit_log(filterset.qs, show_notes=services.can_see_notes(request.user))
    )


@login_required
def visit_detail(request, pk: int):
    visit = get_visible_or_404(
        Visit.objects.select_related("enterprise", "grid", "community", "created_by"), request.user, pk=pk
    )
    return render(
        request,
        "visits/detail.html",
        {
            "visit": visit,
            "visitors": visit.visitors.all(),
            "demands": visit.demands.all(),
            "show_notes": services.can_see_notes(request.user),
        },
    )


@login_required
def visit_create(request):
    user = request.user
    if not services.can_log_visit(user):
        raise PermissionDenied
    enterprises = Enterprise.objects.visible_to(user)
    initial = {}
    if (pk := bounds.as_id(request.GET.get("enterprise", ""))) is not None:
        initial["enterprise"] = get_visible_or_404(Enterprise.objects.all(), user, pk=pk)
    post = request.POST if request.method == "POST" else None
    form = VisitForm(post, user=user, enterprises=enterprises, initial=initial)
    demand_forms = DemandFormSet(post, prefix="demand")
    if post is not None and form.is_valid() and demand_forms.is_valid():
        data = form.cleaned_data
        demands = [
            {"category": d["category"], "title": d.get("title", ""), "description": d["description"]}
            for d in demand_forms.cleaned_data
            if d and d.get("description")
        ]
        try:
            visit = services.log_visit(
                actor=user,
                enterprise=data["enterprise"],
                visited_on=data["visited_on"],
                kind=data["kind"],
                visitors=list(data["visitors"]),
                policies=data["policies"],
                policy_tags=data["policy_tags"],
                notes=data["notes"],
                demands=demands,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as exc:
            form.add_error("enterprise", str(exc) or _("You may not log visits to this enterprise."))
        else:
            messages.success(request, _("Visit to %(name)s logged.") % {"name": visit.enterprise.name})
            return redirect("visits:detail", pk=visit.pk)
    return render(request, "visits/form.html", {"form": form, "demand_forms": demand_forms})


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _period_choices(on: dt.date) -> list[dict]:
    """The last eight quarters up to today, for the period picker."""
    out, day = [], timezone.localdate()
    for _i in range(8):
        quarter = cadence.quarter_containing(day)
        out.append(
            {
                "on": quarter.end.isoformat(),
                "label": quarter.label,
                "active": quarter.start <= on <= quarter.end,
            }
        )
        day = quarter.start - dt.timedelta(days=1)
    return out


def _not_visited(request):
    user = request.user
    on = _day(request)
    enterprises = Enterprise.objects.visible_to(user)
    grid = community = None
    # An area narrows the enterprises the user sees; it is found among those enterprises' areas, so a grid
    # leader may open a community that holds some of their grid's enterprises (the summary links to it).
    for name in ("grid", "community"):
        # A code holding NUL or a control character names no area (PostgreSQL cannot even compare it).
        if bounds.text_problem(request.GET.get(name, "")) is not None:
            raise Http404
    if request.GET.get("grid"):
        grid = get_object_or_404(
            Grid.objects.filter(pk__in=enterprises.values("grid_id")), code=request.GET["grid"]
        )
        enterprises = enterprises.filter(grid=grid)
    if request.GET.get("community"):
        community = get_object_or_404(
            Community.objects.filter(pk__in=enterprises.values("community_id")), code=request.GET["community"]
        )
        enterprises = enterprises.filter(community=community)
    return on, enterprises, grid, community


@login_required
def not_visited(request):
    if not services.can_follow_cadence(request.user):
        raise PermissionDenied
    on, enterprises, grid, community = _not_visited(request)
    duty = cadence.obligations(enterprises, on)
    rows = cadence.not_visited_rows(enterprises, on)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/not_visited.html",
        {
            "on": on,
            "duty": duty,
            "periods": duty.periods.values(),
            "page": page,
            "grid": grid,
            "community": community,
            "by_grid": cadence.summary_by_area(enterprises, on, "grid"),
            "by_community": cadence.summary_by_area(enterprises, on, "community"),
            "period_choices": _period_choices(on),
        },
    )


@login_required
@require_GET
def not_visited_export(request):
    if not services.can_follow_cadence(request.user):
        raise PermissionDenied
    on, enterprises, _grid, _community = _not_visited(request)
    return audited_download(request, exports.not_visited(cadence.not_visited_rows(enterprises, on), on))


@login_required
def grid_dashboard(request, code: str):
    grid = get_visible_or_404(Grid.objects.all(), request.user, code=code)
    on = _day(request)
    figures = dashboard.grid_figures(grid, request.user, on)
    return render(
        request,
        "visits/dashboard.html",
        {"grid": grid, "on": on, "figures": figures, "period_choices": _period_choices(on)},
    )


@login_required
@require_GET
def grid_dashboard_export(request, code: str):
    grid = get_visible_or_404(Grid.objects.all(), request.user, code=code)
    on = _day(request)
    content = exports.dashboard_workbook(grid, dashboard.grid_figures(grid, request.user, on))
    return audited_download(
        request, content, f"{grid.code}-{_('Grid dashboard')}-{on:%Y%m%d}.xlsx", target=grid
    )


PANEL_SIZE = 5  # visits shown on an enterprise's profile


def profile_panel(context, enterprise) -> str:
    """The visit log panel of an enterprise's profile (Panel "enterprise.aside"): one query, the latest visits
    joined with their visitors (a row per visitor, grouped here; a visit without visitors is one row)."""
    user = context["request"].user
    latest = Visit.objects.visible_to(user).filter(enterprise=enterprise).values("pk")[: PANEL_SIZE + 1]
    rows: list[Visit] = []
    by_pk: dict[int, Visit] = {}
    joined = Visit.objects.filter(pk__in=latest).annotate(
        visitor_pk=F("visitors__pk"),
        visitor_full_name=F("visitors__full_name"),
        visitor_username=F("visitors__username"),
    )
    for row in joined.order_by(*Visit._meta.ordering, "visitors__pk"):
        visit = by_pk.get(row.pk)
        if visit is None:
            visit = by_pk[row.pk] = row
            visit.visitor_names = []
            rows.append(visit)
        if row.visitor_pk is not None:
            visit.visitor_names.append(row.visitor_full_name or row.visitor_username)  # as str(user) reads
    return render_in(
        context,
        "visits/_enterprise_panel.html",
        {
            "enterprise": enterprise,
            "visits": rows[:PANEL_SIZE],
            "more": len(rows) > PANEL_SIZE,
            "can_log": services.can_log_visit(user, enterprise),
            "show_notes": services.can_see_notes(user),
        },
    )


def profile_actions(context, enterprise) -> str:
    """The first buttons of an enterprise's profile (Panel "enterprise.actions"): log a visit, file a demand, each
    only for who may (the same predicates as the visit and demand panels)."""
    user = context["request"].user
    buttons = []
    if permissions.allows("visits.can_log_visit", user, enterprise):
        buttons.append(
            format_html(
                '<a class="btn btn-primary" data-action="log-visit" href="{}?enterprise={}">{}</a>',
                reverse("visits:create"),
                enterprise.pk,
                _("Log a visit"),
            )
        )
    if permissions.allows("demands.may_file_for", user, enterprise):
        buttons.append(
            format_html(
                '<a class="btn btn-outline-primary" data-action="file-demand" href="{}?enterprise={}">{}</a>',
                reverse("demands:create"),
                enterprise.pk,
                _("File a demand"),
            )
        )
    return format_html_join("", "{}", ((button,) for button in buttons))


def grid_dashboard_link(context, grid) -> str:
    """The "Grid dashboard" button of a grid's page (Panel "grid.actions")."""
    return format_html(
        '<a class="btn btn-sm btn-outline-primary ms-auto" href="{}">{}</a>',
        reverse("visits:dashboard", args=[grid.code]),
        _("Grid dashboard"),
    )
