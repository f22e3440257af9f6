"""Who may open the visit pages, log a visit, follow the cadence lists and read visit notes."""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import AREA_ROLES, scope_of
from jingkai.enterprises.permissions import can_see_enterprise

LOGGING_ROLES = AREA_ROLES


@predicate
def can_view_visits(user) -> bool:
    """Everyone but department handlers, who see the enterprises of their demands, not the visit log
    (ADR 0007)."""
    scope = scope_of(user)
    return scope.active and (scope.role != Role.DEPARTMENT or scope.everything)


@predicate
def can_log_visit(user, enterprise=None) -> bool:
    """Zone administrators anywhere; grid staff for their grids' and community officers for their
    communities' enterprises (the same enterprises their role may see)."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.role not in LOGGING_ROLES:
        return False
    return enterprise is None or can_see_enterprise(user, enterprise.pk)


@predicate
def can_follow_cadence(user) -> bool:
    """The "not visited in time" lists are for those who visit: zone administrators and area staff."""
    return bool(user and user.is_authenticated and (user.is_zone_admin or user.role in LOGGING_ROLES))


@predicate
def can_see_notes(user) -> bool:
    """Visit notes are the staff's own record; enterprise contacts see the visit without them."""
    return bool(user and user.is_authenticated and user.is_staff_role)
