"""Read-side queries about grids and communities: who serves where today (the pages listing an area's
enterprises are the enterprises app's, see enterprises/views_areas.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

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


def assignment_history(assignments: QuerySet) -> QuerySet:
    """Every assignment, past and present, newest first."""
    return assignments.select_related("user").order_by("-start_date", "-pk")
