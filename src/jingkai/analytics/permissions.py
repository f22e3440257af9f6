"""Who reads the economic-operation figures, and at which level."""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import GRID_ROLES, scope_of


@predicate
def sees_zone_aggregates(user) -> bool:
    """Zone administrators and department handlers (经济发展局 …) read the whole zone's aggregates."""
    return bool(user.is_zone_admin or (user.is_active and user.role == Role.DEPARTMENT))


@predicate
def can_view_economy(user) -> bool:
    """Who reaches the economic-operation pages and summary API (others get 404)."""
    scope = scope_of(user)
    if not scope.active:
        return False
    return sees_zone_aggregates(user) or scope.role in GRID_ROLES
