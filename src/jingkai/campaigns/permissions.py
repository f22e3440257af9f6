"""Who sets up campaigns, sends guidance officers, and answers for an enterprise."""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of
from jingkai.enterprises.permissions import can_see_enterprise


@predicate
def can_manage_campaigns(user) -> bool:
    """Campaigns are set up, launched and closed by zone administrators."""
    return scope_of(user).everything


@predicate
def can_assign_guides(user, target) -> bool:
    """Zone administrators, and the grid leader of an enterprise they see."""
    if can_manage_campaigns(user):
        return True
    return scope_of(user).role == Role.GRID_LEADER and can_see_enterprise(user, target.enterprise_id)


@predicate
def can_answer(user, target) -> bool:
    """The enterprise's own contact, the staff whose scope holds it, and its guidance officer."""
    scope = scope_of(user)
    if not scope.active:
        return False
    if scope.everything or target.guide_id == user.pk:
        return True
    if scope.role == Role.DEPARTMENT:
        return False
    return can_see_enterprise(user, target.enterprise_id)


def can_answer_visible(user, target) -> bool:
    """can_answer for a target already fetched through CampaignTarget.objects.visible_to(user)."""
    return user.is_zone_admin or target.guide_id == user.pk or user.role != Role.DEPARTMENT
