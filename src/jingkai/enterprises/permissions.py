"""Who may do what with enterprises: see one, create, edit, import, check the coverage."""

from __future__ import annotations

from jingkai.core.memo import memoised
from jingkai.core.permissions import predicate
from jingkai.core.scoping import AREA_ROLES, scope_of


@predicate
def can_see_enterprise(user, enterprise_id: int) -> bool:
    """The enterprise is in the user's scope (Enterprise.visible_to): one EXISTS query, once per page inside
    core.memo.page_memo() (the profile's panels ask it several times)."""
    from jingkai.enterprises.models import Enterprise

    return memoised(
        seen_key(user, enterprise_id),
        lambda: Enterprise.objects.visible_to(user).filter(pk=enterprise_id).exists(),
    )


def seen_key(user, enterprise_id) -> tuple:
    return ("enterprises.can_see_enterprise", getattr(user, "pk", None), enterprise_id)


@predicate
def can_create_enterprise(user) -> bool:
    return scope_of(user).everything


@predicate
def can_edit_enterprise(user, enterprise=None) -> bool:
    """Zone admins edit every enterprise; grid and community officers and leaders edit those they see."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if enterprise is None or not scope.in_area:
        return False
    return can_see_enterprise(user, enterprise.pk)


@predicate
def can_import(user) -> bool:
    """Importing the registry from Excel is for zone administrators."""
    return scope_of(user).everything


@predicate
def can_check_coverage(user) -> bool:
    """The coverage page: the whole zone for administrators, their own enterprises for area staff."""
    scope = scope_of(user)
    return scope.everything or scope.role in AREA_ROLES


@predicate
def can_run_scale_roll(user) -> bool:
    """The year's 规上 roll (import of the 规上名录 or derivation from the statistics) is for zone administrators."""
    return scope_of(user).everything


@predicate
def can_reveal_contact(user, contact) -> bool:
    """A contact's phone in full (docs/security.md §4): those who work with the enterprise's contacts, i.e. zone
    admins and the area staff who see it (as for editing it); a contact sees their own number unmasked."""
    return can_edit_enterprise(user, contact.enterprise)
