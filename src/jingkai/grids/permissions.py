"""Who may open the grid and community pages (their rows are further scoped by Grid/Community.visible_to)."""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of


@predicate
def can_view_grids(user) -> bool:
    """Zone administrators, grid leaders and grid officers."""
    scope = scope_of(user)
    return scope.everything or scope.in_grids


@predicate
def can_view_communities(user) -> bool:
    """Zone administrators and community officers."""
    scope = scope_of(user)
    return scope.everything or scope.role == Role.COMMUNITY_OFFICER
