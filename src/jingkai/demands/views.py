"""Demand pages: the pool (and the enterprise portal, which is the pool scoped to one enterprise), filing
with duplicate suggestions, a demand's page with its timeline and steps, attachments, the dashboard.

Thin views: rules live in services.py, filtering in queries.py, figures in metrics.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Sum, When, Window
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingkai.core import bounds
from jingkai.core.contributions import render_in
from jingkai.core.dates import add_months
from jingkai.core.models import Department, Role
from jingkai.core.scoping import get_visible_or_404
from jingkai.demands import dashboard, queries, services
from jingkai.demands.choices import OPEN_STATES
from jingkai.demands.filtersets import DemandFilterSet
from jingkai.demands.forms import DemandForm
from jingkai.demands.models import (
    Demand,
    DemandAttachment,
    DemandCategory,
    DemandState,
    Rating,
)
from jingkai.demands.permissions import can_file_demands, may_file_for, sees_private_details
from jingkai.demands.similar import similar_demands
from jingkai.grids.models import Grid

PAGE_SIZE = 50
PANEL_SIZE = 5  # demands shown on an enterprise's profile


def _today():
    return timezone.localdate()


@login_required
@require_GET
def demand_list(request):
    user = request.user
    today = _today()
    filterset = DemandFilterSet(request.GET, Demand.objects.visible_to(user), today=today)
    demands = filterset.qs.select_related(*queries.LIST_RELATED)
    page = Paginator(demands, PAGE_SIZE).get_page(request.GET.get("page"))
    is_contact = user.role == Role.ENTERPRISE
    context = {
        "page": page,
        "errors": filterset.errors,
        "params": request.GET,
        "states": DemandState.choices,
        "categories": DemandCategory.objects.select_related("parent").all(),
        "grids": Grid.objects.visible_to(user) if user.is_staff_role else [],
        "departments": Department.objects.filter(is_active=True) if user.is_staff_role else [],
        "can_file": can_file_demands(user),
        "can_import": user.is_zone_admin,
        "is_contact": is_contact,
    }
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "demands/_table.html", context)
    return render(request, "demands/list.html", context)


@login_required
def demand_create(request):
    user = request.user
    if not can_file_demands(user):
        raise PermissionDenied(_("Your role may not file demands."))
    initial = {"enterprise": request.GET["enterprise"]} if request.GET.get("enterprise") else {}
    form = DemandForm(user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.submit_demand(
                actor=user,
                enterprise=data["enterprise"],
                category=data["category"],
                description=data["description"],
                channel=data["channel"],
                title=data["title"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                attachments=request.FILES.getlist("attachments"),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The demand was filed as %(number)s.") % {"number": demand.number})
            return redirect(demand)
    return render(request, "demands/form.html", {"form": form})


@login_required
@require_GET
def demand_similar(request):
    """htmx: open demands resembling the text being typed (same enterprise or category)."""
    matches = similar_demands(
        Demand.objects.visible_to(request.user),
        text=request.GET.get("description", ""),
        enterprise_id=_int(request.GET.get("enterprise")),
        category_id=_int(request.GET.get("category")),
    )
    return render(request, "demands/_similar.html", {"matches": matches})


def _int(value):
    # An id written as ASCII digits that fit 64 bits (core.bounds), else none.
    return bounds.as_id(value) if value is not None else None


@login_required
def demand_detail(request, pk: int):
    user = request.user
    demand = get_visible_or_404(
        Demand.objects.select_related(
            "enterprise__grid", "enterprise__community", "category__parent", "department", "merged_into"
        ),
        user,
        pk=pk,
    )
    today = _today()
    status = queries.with_deadline_status(Demand.objects.filter(pk=demand.pk), today).values_list(
        "deadline_status", flat=True
    )[0]
    events = demand.events.select_related("actor", "department")
    if user.role == Role.ENTERPRISE:
        events = events.filter(public=True)
    steps = services.allowed_transitions(user, demand)
    private = sees_private_details(user, demand)
    context = {
        "demand": demand,
        "private": private,
        "deadline_status": status,
        "events": events,
        "attachments": demand.attachments.all() if private else [],
        "duplicates": Demand.objects.visible_to(user).filter(merged_into=demand).select_related("enterprise"),
        "steps": steps,
        "step_names": {s.name for s in steps},
        "departments": Department.objects.filter(is_active=True),
        "ratings": Rating.choices,
        "required_notes": services.NOTE_REQUIRED,
        "similar": similar_demands(
            Demand.objects.visible_to(user),
            text=f"{demand.title} {demand.description}",
            enterprise_id=demand.enterprise_id,
            category_id=demand.category_id,
            exclude=demand.pk,
        )
        if "merge" in {s.name for s in steps}
        else [],
    }
    return render(request, "demands/detail.html", context)


@login_required
@require_POST
def demand_transition(request, pk: int):
    user = request.user
    demand = get_visible_or_404(Demand.objects.all(), user, pk=pk)
    name = request.POST.get("transition", "")
    version = _int(request.POST.get("version"))
    if version is not None:
        demand.version = version
    kwargs = {"note": request.POST.get("note", "")}
    try:
        if dep := request.POST.get("department"):
            kwargs["department"] = Department.objects.filter(pk=_int(dep) or 0, is_active=True).first()
            if kwargs["department"] is None:
                raise ValidationError({"department": [_("Unknown department: %(value)s") % {"value": dep}]})
        if rating := request.POST.get("rating"):
            kwargs["rating"] = rating
        if until := request.POST.get("until"):
            try:
                kwargs["until"] = dt.date.fromisoformat(until)
            except ValueError:
                raise ValidationError({"until": [_("Enter a date (YYYY-MM-DD).")]}) from None
        if original := request.POST.get("original"):
            kwargs["original"] = get_visible_or_404(Demand.objects.all(), user, pk=_int(original) or 0)
        services.transition(demand, name, actor=user, **kwargs)
    except services.TransitionConflict as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        step = services.TRANSITIONS[name]
        messages.success(request, _("Done: %(step)s.") % {"step": step.label})
    return redirect("demands:detail", pk=pk)


@login_required
@require_GET
def attachment_download(request, pk: int, attachment_id: int):
    demand = get_visible_or_404(Demand.objects.all(), request.user, pk=pk)
    attachment = DemandAttachment.objects.filter(demand=demand, pk=attachment_id).first()
    if attachment is None or not sees_private_details(request.user, demand):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_GET
def demand_dashboard(request):
    user = request.user
    if not user.is_staff_role:
        raise Http404
    today = _today()
    try:
        months = max(1, min(int(request.GET.get("months", 12)), 36))
    except ValueError:
        return HttpResponseBadRequest(_("months must be a number"))
    # The whole page covers the demands filed in the chosen months up to today (and says so).
    start = add_months(today.replace(day=1), -(months - 1))
    demands = Demand.objects.visible_to(user).filter(submitted_at__date__gte=start)
    data = dashboard.build(demands, today=today, months=months)
    choices = sorted({3, 6, 12, 24, 36, months})
    return render(
        request,
        "demands/dashboard.html",
        # json_script encodes the chart's data itself (encoding it here too handed the drawer a string).
        {"data": data, "chart": data["chart"], "months": months, "choices": choices, "start": start,
         "today": today},
    )  # fmt: skip


def profile_panel(context, enterprise) -> str:
    """The 诉求 panel of an enterprise's profile (Panel "enterprise.aside"), scoped to the viewer."""
    user = context["request"].user
    demands = queries.with_deadline_status(
        Demand.objects.visible_to(user).filter(enterprise=enterprise), timezone.localdate()
    ).select_related("category__parent")
    # The counts ride on the rows (window sums over every visible demand of the enterprise): one query.
    rows = list(
        demands.annotate(
            panel_total=Window(Count("pk")),
            panel_open=Window(Sum(Case(When(state__in=OPEN_STATES, then=1), default=0))),
        )[:PANEL_SIZE]
    )
    return render_in(
        context,
        "demands/_enterprise_panel.html",
        {
            "visible": True,
            "enterprise": enterprise,
            "demands": rows,
            "open_count": rows[0].panel_open if rows else 0,
            "total": rows[0].panel_total if rows else 0,
            "can_file": may_file_for(user, enterprise),
        },
    )
