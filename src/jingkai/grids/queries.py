"""Read-side queries for the grid and community pages: who serves where today, and enterprise counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.enterprises.queries import count_subquery
from jingkai.grids.models import AssignmentRole, CommunityAssignment, GridAssignment, active_q


def current_grid_assignments(on: dt.date | None = None) -> Prefetch:
    """Prefetch each grid's assignments in office on a day into grid.current_assignments (one query)."""
    queryset = (
        GridAssignment.objects.filter(active_q(on)).select_related("user").order_by("role", "start_date")
    )
    return Prefetch("assignments", queryset=queryset, to_attr="current_assignments")


def current_community_assignments(on: dt.date | None = None) -> Prefetch:
    queryset = CommunityAssignment.objects.filter(active_q(on)).select_related("user").order_by("start_date")
    return Prefetch("assignments", queryset=queryset, to_attr="current_assignments")


def current_community_officers(community, on: dt.date | None = None) -> list:
    assignments = community.assignments.filter(active_q(on)).select_related("user").order_by("start_date")
    return [a.user for a in assignments]


def grid_staff(grid, on: dt.date | None = None) -> tuple[list, list]:
    """(linked leaders, officers) of a grid in office on a day, in one query."""
    return split_by_duty(grid.assignments.filter(active_q(on)).select_related("user").order_by("start_date"))


def split_by_duty(assignments) -> tuple[list, list]:
    """(linked leaders, officers) among grid assignments."""
    leaders = [a.user for a in assignments if a.role == AssignmentRole.LEADER]
    officers = [a.user for a in assignments if a.role == AssignmentRole.OFFICER]
    return leaders, officers


def with_enterprise_counts(queryset: QuerySet, user, year: int | None, link: str) -> QuerySet:
    """Annotate total (visible enterprises) and above (those 规上 in year) on grids or communities.

    link is the enterprise's foreign key to the annotated model: "grid" or "community".
    """
    visible = Enterprise.objects.visible_to(user)
    above = AnnualScale.objects.visible_to(user).filter(year=year, above_size=True)
    return queryset.annotate(
        total=count_subquery(visible, link),
        above=count_subquery(above, f"enterprise__{link}"),
    )


def assignment_history(assignments: QuerySet) -> QuerySet:
    """Every assignment, past and present, newest first."""
    return assignments.select_related("user").order_by("-start_date", "-pk")
