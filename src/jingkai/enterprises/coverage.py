"""The coverage invariant: every 规上 enterprise in one grid, every 规下 one in one community.

A gap is any operating enterprise that breaks it, plus any grid with no linked zone leader and any
community with no officer on the day checked. Shown on /grids/coverage/ and checked by
`jingkai check-coverage` (non-zero exit on a gap). It reads enterprises, so it lives here, above grids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.db import NoIndex
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.grids.models import (
    AssignmentRole,
    Community,
    CommunityAssignment,
    Grid,
    GridAssignment,
    active_q,
)


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
    on = on or timezone.localdate()
    # Nearly every enterprise is operating: the status must not drive the plan (see NoIndex).
    operating = (
        (Enterprise.objects.all() if enterprises is None else enterprises)
        .alias(status_value=NoIndex("status"))
        .filter(status_value=EnterpriseStatus.OPERATING)
    )
    above = AnnualScale.objects.filter(year=year, above_size=True).values("enterprise_id")
    # The two halves of the invariant as two index-friendly queries (an EXISTS per row inside one OR
    # took 600 ms at 100,000 enterprises; these take about 70 ms). Inactive areas are a handful of ids.
    # No ORDER BY in SQL: it made SQLite walk every enterprise in name order; the gaps are few.
    inactive_grids = Grid.objects.filter(is_active=False).values("pk")
    inactive_communities = Community.objects.filter(is_active=False).values("pk")
    fields = ("pk", "name", "uscc", "grid_id", "community_id")
    no_grid = operating.filter(pk__in=above).filter(Q(grid__isnull=True) | Q(grid__in=inactive_grids))
    no_community = operating.exclude(pk__in=above).filter(
        Q(community__isnull=True) | Q(community__in=inactive_communities)
    )
    gaps = []
    for row in no_grid.order_by().values(*fields):
        if row["grid_id"] is None:
            kind, reason = "above_no_grid", _("Above designated size in %(year)s but in no grid")
        else:
            kind, reason = (
                "above_inactive_grid",
                _("Above designated size in %(year)s but its grid is inactive"),
            )
        gaps.append(_enterprise_gap(kind, reason % {"year": year}, row))
    for row in no_community.order_by().values(*fields):
        if row["community_id"] is None:
            kind, reason = "below_no_community", _("Below designated size in %(year)s but in no community")
        else:
            kind = "below_inactive_community"
            reason = _("Below designated size in %(year)s but its community is inactive")
        gaps.append(_enterprise_gap(kind, reason % {"year": year}, row))
    gaps.sort(key=lambda gap: gap.enterprise_name)
    if enterprises is None:
        led = GridAssignment.objects.filter(active_q(on), role=AssignmentRole.LEADER).values("grid_id")
        for grid in Grid.objects.filter(is_active=True).exclude(pk__in=led):
            gaps.append(
                Gap(
                    "grid_no_leader",
                    _("The grid has no linked zone leader in office"),
                    grid_id=grid.pk,
                    subject=grid.name,
                )
            )
        staffed = CommunityAssignment.objects.filter(active_q(on)).values("community_id")
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


def _enterprise_gap(kind: str, reason: str, row: dict) -> Gap:
    return Gap(kind, reason, row["pk"], row["name"], row["uscc"], row["grid_id"], row["community_id"])
