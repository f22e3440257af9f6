"""The coverage invariant: every 规上 enterprise in one grid, every 规下 one in one community.

A gap is any operating enterprise that breaks it, plus any grid with no linked zone leader and any
community with no officer on the day checked. Shown on /grids/coverage/ and checked by
`jingkai check-coverage` (non-zero exit on a gap).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.grids.models import AssignmentRole, Community, CommunityAssignment, Grid, GridAssignment, _active


@dataclass(frozen=True)
class Gap:
    kind: str  # code for scripts
    reason: str  # for people (translated)
    enterprise_id: int | None = None
    enterprise_name: str = ""
    uscc: str = ""
    grid_id: int | None = None
    community_id: int | None = None
    subject: str = ""


def default_year() -> int | None:
    """The latest year with 规上 data: coverage is judged against it."""
    return AnnualScale.objects.order_by("-year").values_list("year", flat=True).first()


def find_gaps(enterprises=None, *, year: int | None = None, on: dt.date | None = None) -> list[Gap]:
    """All gaps among the given enterprises (default: all) for a 规上 year and an assignment date."""
    year = year if year is not None else default_year()
    on = on or dt.date.today()
    qs = Enterprise.objects.all() if enterprises is None else enterprises
    above = AnnualScale.objects.filter(enterprise=OuterRef("pk"), year=year, above_size=True)
    rows = (
        qs.filter(status=EnterpriseStatus.OPERATING)
        .annotate(above=Exists(above))
        .filter(
            (Q(above=True) & (Q(grid__isnull=True) | Q(grid__is_active=False)))
            | (Q(above=False) & (Q(community__isnull=True) | Q(community__is_active=False)))
        )
        .values("pk", "name", "uscc", "above", "grid_id", "community_id")
        .order_by("name")
    )
    gaps = []
    for row in rows:
        if row["above"]:
            kind = "above_no_grid" if row["grid_id"] is None else "above_inactive_grid"
            if row["grid_id"] is None:
                reason = _("Above designated size in %(year)s but in no grid") % {"year": year}
            else:
                reason = _("Above designated size in %(year)s but its grid is inactive") % {"year": year}
        else:
            kind = "below_no_community" if row["community_id"] is None else "below_inactive_community"
            if row["community_id"] is None:
                reason = _("Below designated size in %(year)s but in no community") % {"year": year}
            else:
                reason = _("Below designated size in %(year)s but its community is inactive") % {"year": year}
        gaps.append(
            Gap(kind, reason, row["pk"], row["name"], row["uscc"], row["grid_id"], row["community_id"])
        )
    if enterprises is None:
        led = GridAssignment.objects.filter(_active(on), role=AssignmentRole.LEADER).values("grid_id")
        for grid in Grid.objects.filter(is_active=True).exclude(pk__in=led):
            gaps.append(
                Gap(
                    "grid_no_leader",
                    _("The grid has no linked zone leader in office"),
                    grid_id=grid.pk,
                    subject=grid.name,
                )
            )
        staffed = CommunityAssignment.objects.filter(_active(on)).values("community_id")
        for community in Community.objects.filter(is_active=True).exclude(pk__in=staffed):
            gaps.append(
                Gap(
                    "community_no_officer",
                    _("The community has no officer in office"),
                    community_id=community.pk,
                    subject=community.name,
                )
            )
    return gaps
