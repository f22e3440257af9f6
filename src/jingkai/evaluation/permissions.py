"""Who may see, run, publish and object to the 亩均效益 evaluation (issue 14 §4, §6).

Zone administrators set up methods, assemble and import inputs, run, publish and finalise. Grid staff and
community officers see their enterprises' results (drafts included: they prepare the talks with them); an
enterprise contact sees its own result once published, and objects while the window is open; department
handlers do not see the evaluation (the zone's and the grids' work, as the visit log is).
"""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of
from jingkai.demands.permissions import is_contact_of, may_file_for


@predicate
def can_view_evaluation(user) -> bool:
    scope = scope_of(user)
    return scope.active and (scope.everything or scope.role != Role.DEPARTMENT)


@predicate
def can_view_zone_results(user) -> bool:
    """The run pages (class counts, histogram, lists): staff who see the evaluation, not enterprise contacts."""
    scope = scope_of(user)
    return can_view_evaluation(user) and (scope.everything or scope.role != Role.ENTERPRISE)


@predicate
def can_manage_evaluation(user) -> bool:
    return scope_of(user).everything


@predicate
def can_object(user, enterprise) -> bool:
    """The enterprise's contact, or the staff who may file a demand for it (on its behalf)."""
    scope = scope_of(user)
    if scope.role == Role.ENTERPRISE:
        return is_contact_of(user, enterprise.pk)
    return may_file_for(user, enterprise)
