"""Who may do what with demands: file one, see its private details, take each step of the loop, import.

The steps' predicates (zone_admin, handler, contact_or_admin, supervisor) are the `may` of the transition
table (services.TRANSITIONS): `may(user, demand)`.
"""

from __future__ import annotations

from jingkai.core.models import Role
from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of
from jingkai.enterprises.permissions import can_see_enterprise
from jingkai.grids.models import active_q

# Roles that file demands (besides the zone admins): staff for the enterprises they see, contacts for their own.
FILING_ROLES = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER, Role.ENTERPRISE)


def is_contact_of(user, enterprise_id: int) -> bool:
    if user.role != Role.ENTERPRISE:
        return False
    contact = getattr(user, "enterprise_contact", None)
    return contact is not None and contact.enterprise_id == enterprise_id


@predicate
def sees_private_details(user, demand) -> bool:
    """Contact person, phone and attachments: not for the contact of another enterprise, who sees this demand
    only because their own duplicate was merged into it."""
    return user.role != Role.ENTERPRISE or is_contact_of(user, demand.enterprise_id)


@predicate
def can_file_demands(user) -> bool:
    """Whether the user files demands at all (for which enterprises: may_file_for)."""
    scope = scope_of(user)
    return scope.everything or scope.role in FILING_ROLES


@predicate
def may_file_for(user, enterprise) -> bool:
    """Zone admins for any enterprise, area staff for those they see, a contact for their own."""
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.role == Role.ENTERPRISE:
        return is_contact_of(user, enterprise.pk)
    if scope.in_area:
        return can_see_enterprise(user, enterprise.pk)
    return False


@predicate
def can_import(user) -> bool:
    """Importing demands from Excel is for zone administrators."""
    return scope_of(user).everything


def zone_admin(user, demand) -> bool:
    return user.is_zone_admin


def handler(user, demand) -> bool:
    """A handler of the department the demand is with."""
    return (
        user.role == Role.DEPARTMENT
        and user.department_id is not None
        and user.department_id == demand.department_id
    )


def contact_or_admin(user, demand) -> bool:
    return zone_admin(user, demand) or is_contact_of(user, demand.enterprise_id)


def supervisor(user, demand) -> bool:
    """督办: zone admins, and the grid leader (or community officer) of the demand's enterprise."""
    if user.is_zone_admin:
        return True
    enterprise = demand.enterprise
    if user.role == Role.GRID_LEADER and enterprise.grid_id:
        return user.grid_assignments.filter(active_q(), grid_id=enterprise.grid_id, role="leader").exists()
    if user.role == Role.COMMUNITY_OFFICER and enterprise.community_id:
        return user.community_assignments.filter(active_q(), community_id=enterprise.community_id).exists()
    return False


@predicate
def can_reveal_contact_phone(user, demand) -> bool:
    """A demand's contact phone in full (docs/security.md §4): whoever sees its private details and works on
    it (zone admins, the area staff who see the enterprise, the department it is routed to) and the
    enterprise's own contact, who gave the number."""
    if not sees_private_details(user, demand):
        return False
    return user.is_zone_admin or user.is_staff_role or is_contact_of(user, demand.enterprise_id)
