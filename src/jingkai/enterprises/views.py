"""Enterprise pages: the filtered list, the profile, and the create and edit forms."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.vary import vary_on_headers

from jingkai.core.memo import page_memo, remember
from jingkai.core.money import SUFFIX, WAN
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises import queries
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.forms import EnterpriseForm, prepare_filter_form
from jingkai.enterprises.history import change_log
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.permissions import can_create_enterprise, can_edit_enterprise, seen_key
from jingkai.grids.queries import current_community_officers, grid_staff

PAGE_SIZE = 50
# Columns that sort, keyed as EnterpriseFilterSet's `sort` expects.
SORTABLE = ("name", "uscc", "employees")


def _is_htmx_swap(request) -> bool:
    # A history restore asks for the whole page even though htmx sends it.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


@login_required
@vary_on_headers("HX-Request")
def enterprise_list(request):
    user = request.user
    visible = Enterprise.objects.visible_to(user)
    filterset = EnterpriseFilterSet(request.GET, queryset=visible)
    year = filterset.scale_year()
    page = Paginator(queries.for_list(filterset.qs, year), PAGE_SIZE).get_page(request.GET.get("page"))
    sort = (filterset.form.cleaned_data.get("sort") or "") if filterset.form.is_valid() else ""
    context = {
        "page": page,
        "year": year,
        "sort": sort,
        "sort_columns": _sort_columns(sort or "name"),
        "can_create": can_create_enterprise(user),
    }
    if _is_htmx_swap(request):
        return render(request, "enterprises/_table.html", context)
    context["filter_fields"] = prepare_filter_form(filterset, user, years=queries.scale_years(user))
    context["filter_form"] = filterset.form
    return render(request, "enterprises/list.html", context)


@login_required
def enterprise_detail(request, pk: int):
    """The profile: a fixed number of queries whatever the rows of its cards (tests/enterprises/
    test_profile_queries.py). Its panels ask the same permission and calendar questions: inside page_memo each
    is answered once; the change log comes by its own request (enterprise_history)."""
    user = request.user
    with page_memo():
        # The group's size rides on the enterprise's row (a subquery) instead of a query of its own.
        members = (
            Enterprise.objects.filter(group=OuterRef("group"))
            .order_by()
            .values("group")
            .annotate(n=Count("pk"))
        )
        enterprise = get_visible_or_404(
            Enterprise.objects.select_related("group", "park", "building", "grid", "community").annotate(
                group_members=Subquery(members.values("n"))
            ),
            user,
            pk=pk,
        )
        remember(seen_key(user, enterprise.pk), True)  # the panels' "may see this enterprise" is answered
        today = timezone.localdate()
        honours = list(enterprise.honours.all())
        for honour in honours:
            honour.valid_today = honour.is_valid_on(today)
        capital_changes = list(enterprise.capital_changes.all())
        context = {
            "enterprise": enterprise,
            "group_size": enterprise.group_members if enterprise.group_id else None,
            "contacts": list(enterprise.contacts.all()),
            "scales": list(enterprise.annual_scales.order_by("-year")),
            "honours": honours,
            "capital_changes": capital_changes,
            "capital_chart": _capital_chart(capital_changes, today),
            "can_edit": can_edit_enterprise(user, enterprise),
        }
        if enterprise.grid_id:
            context["grid_leaders"], context["grid_officers"] = grid_staff(enterprise.grid)
        if enterprise.community_id:
            context["community_officers"] = current_community_officers(enterprise.community)
        return render(request, "enterprises/detail.html", context)


@login_required
def enterprise_history(request, pk: int):
    """The profile's change log, loaded into the page by htmx: one query per kind of row, plus one per kind of
    object named (enterprises/history.py)."""
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    return render(request, "enterprises/_history.html", {"history": change_log(enterprise)})


@login_required
def enterprise_create(request):
    if not can_create_enterprise(request.user):
        raise PermissionDenied
    form = EnterpriseForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        enterprise = form.save()
        if enterprise is not None:
            messages.success(request, _("Enterprise %(name)s added.") % {"name": enterprise.name})
            return redirect(enterprise)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


@login_required
def enterprise_edit(request, pk: int):
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    if not can_edit_enterprise(request.user, enterprise):
        raise PermissionDenied
    form = EnterpriseForm(
        request.POST if request.method == "POST" else None, user=request.user, instance=enterprise
    )
    if form.is_bound and form.is_valid():
        saved = form.save()
        if saved is not None:
            messages.success(request, _("Changes to %(name)s saved.") % {"name": saved.name})
            return redirect(saved)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


def _sort_columns(sort: str) -> dict:
    """For each sortable column: the sort a click on its header asks for, and its current direction."""
    columns = {}
    for key in SORTABLE:
        direction = "asc" if sort == key else "desc" if sort == "-" + key else ""
        columns[key] = {"next": "-" + key if direction == "asc" else key, "direction": direction}
    return columns


def _capital_chart(changes, today: dt.date) -> list[dict]:
    """Step-line series of registered capital and total investment (in 万) over time, one per currency."""
    series: dict[tuple[str, str], list] = {}
    for change in changes:
        for measure, value in (
            ("registered", change.registered_capital_after),
            ("investment", change.total_investment_after),
        ):
            if value is not None:
                series.setdefault((measure, change.currency), []).append(
                    [change.changed_on.isoformat(), float(value / WAN)]
                )
    labels = {"registered": _("Registered capital"), "investment": _("Total investment")}
    out = []
    for (measure, currency), points in series.items():
        # Carry the last level to today so the current step is drawn, not just its starting point.
        points.append([today.isoformat(), points[-1][1]])
        unit = _("10k %(currency)s") % {"currency": SUFFIX.get(currency, currency)}
        out.append(
            {
                "name": _("%(measure)s (%(unit)s)") % {"measure": labels[measure], "unit": unit},
                "points": points,
            }
        )
    return out
