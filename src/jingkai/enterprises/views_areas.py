"""Grid and community pages, and the coverage check (URL namespace "grids", mounted at /grids/).

They list an area's enterprises, so they live here, above the grids app (the registry's order: grids and
parks, then enterprises, then chains; docs/development.md).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jingkai.core.models import Role
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises import queries as enterprise_queries
from jingkai.enterprises.coverage import find_gaps
from jingkai.enterprises.models import Enterprise
from jingkai.grids import queries
from jingkai.grids.models import Community, Grid

# Gap kinds from enterprises.coverage, in the order the page lists them.
GAP_KINDS = {
    "above_no_grid": _("Above-size enterprises in no grid"),
    "above_inactive_grid": _("Above-size enterprises in an inactive grid"),
    "below_no_community": _("Below-size enterprises in no community"),
    "below_inactive_community": _("Below-size enterprises in an inactive community"),
    "grid_no_leader": _("Grids without a linked zone leader"),
    "community_no_officer": _("Communities without an officer"),
}
COVERAGE_ROLES = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER)


@login_required
def grid_list(request):
    user = request.user
    year = enterprise_queries.latest_scale_year()
    grids = enterprise_queries.with_enterprise_counts(
        Grid.objects.visible_to(user), user, year, "grid"
    ).prefetch_related(queries.current_grid_assignments())
    rows = [(grid, *queries.split_by_duty(grid.current_assignments)) for grid in grids]
    return render(
        request, "grids/grid_list.html", {"rows": rows, "year": year, "can_check_coverage": _can_check(user)}
    )


@login_required
def grid_detail(request, code: str):
    user = request.user
    grid = get_visible_or_404(Grid.objects.all(), user, code=code)
    year = enterprise_queries.latest_scale_year()
    leaders, officers = queries.grid_staff(grid)
    context = {
        "grid": grid,
        "year": year,
        "leaders": leaders,
        "officers": officers,
        **_first_enterprises(Enterprise.objects.visible_to(user).filter(grid=grid), year, grid=grid.code),
        "assignments": queries.assignment_history(grid.assignments.all()),
    }
    return render(request, "grids/grid_detail.html", context)


@login_required
def community_list(request):
    user = request.user
    year = enterprise_queries.latest_scale_year()
    communities = enterprise_queries.with_enterprise_counts(
        Community.objects.visible_to(user), user, year, "community"
    ).prefetch_related(queries.current_community_assignments())
    return render(request, "grids/community_list.html", {"communities": communities, "year": year})


@login_required
def community_detail(request, code: str):
    user = request.user
    community = get_visible_or_404(Community.objects.all(), user, code=code)
    year = enterprise_queries.latest_scale_year()
    context = {
        "community": community,
        "year": year,
        "officers": queries.current_community_officers(community),
        **_first_enterprises(
            Enterprise.objects.visible_to(user).filter(community=community), year, community=community.code
        ),
        "assignments": queries.assignment_history(community.assignments.all()),
    }
    return render(request, "grids/community_detail.html", context)


def _can_check(user) -> bool:
    return user.is_zone_admin or user.role in COVERAGE_ROLES


@login_required
def coverage(request):
    user = request.user
    if not _can_check(user):
        raise PermissionDenied
    year = enterprise_queries.latest_scale_year()
    # The whole zone (including unstaffed grids and communities) for admins; the user's own
    # enterprises for the people who serve them.
    gaps = find_gaps() if user.is_zone_admin else find_gaps(enterprises=Enterprise.objects.visible_to(user))
    grid_codes = dict(
        Grid.objects.visible_to(user)
        .filter(pk__in={g.grid_id for g in gaps if g.grid_id})
        .values_list("pk", "code")
    )
    community_codes = dict(
        Community.objects.visible_to(user)
        .filter(pk__in={g.community_id for g in gaps if g.community_id})
        .values_list("pk", "code")
    )
    groups = {kind: {"label": label, "gaps": []} for kind, label in GAP_KINDS.items()}
    for gap in gaps:
        group = groups.setdefault(gap.kind, {"label": gap.kind, "gaps": []})
        group["gaps"].append(
            {
                "gap": gap,
                "grid_code": grid_codes.get(gap.grid_id),
                "community_code": community_codes.get(gap.community_id),
            }
        )
    context = {
        "year": year,
        "total": len(gaps),
        "groups": [g for g in groups.values() if g["gaps"]],
        "whole_zone": user.is_zone_admin,
    }
    return render(request, "grids/coverage.html", context)


# An area page shows this many enterprises and links to the full list, which pages, filters and exports.
AREA_PAGE_SIZE = 50


def _first_enterprises(queryset, year, **list_filter) -> dict:
    """The first enterprises of a grid or community, their number, and the list URL holding them all."""
    return {
        "enterprises": enterprise_queries.for_list(queryset, year)[:AREA_PAGE_SIZE],
        "enterprise_count": queryset.count(),
        "all_enterprises_url": f"{reverse('enterprises:list')}?{urlencode(list_filter)}",
    }
