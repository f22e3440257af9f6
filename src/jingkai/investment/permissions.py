"""Who may use the investment project ledger (招商引资台账)."""

from __future__ import annotations

from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of


@predicate
def is_investment_staff(user) -> bool:
    """Zone admins and handlers of a department marked as the investment-attraction department."""
    scope = scope_of(user)
    return scope.everything or scope.handles_investment


@predicate
def can_use_ledger(user) -> bool:
    """招商 staff, zone admins and grid/community staff (their areas' projects); nobody else."""
    return is_investment_staff(user) or scope_of(user).in_area


@predicate
def can_edit_ledger(user) -> bool:
    """Changing the ledger (and importing it) is for 招商 staff and zone admins."""
    return is_investment_staff(user)
