"""三员分立 (docs/security.md §3): who may give a user a role, and the audit of every account change.

The system administrator creates and deactivates accounts (the admin site's user pages) and may give a new
account an ordinary role only (ORDINARY_ROLES); a role is changed by the security administrator alone
(`change_role`, the roles page). A user has one role, so no one holds two of the three; the superuser flag
goes with the system administrator's role only (a database constraint, core migration 0007).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingkai.core import audit
from jingkai.core.models import SYSTEM_ROLES, Role, User
from jingkai.core.permissions import is_security_admin

# Roles the system administrator may give a new account: neither a zone administrator nor one of the three.
PRIVILEGED_ROLES = frozenset({Role.ZONE_ADMIN, *SYSTEM_ROLES})
ORDINARY_ROLES = [(value, label) for value, label in Role.choices if value not in PRIVILEGED_ROLES]


@transaction.atomic
def change_role(user: User, role: str, *, actor, request=None) -> User:
    """Give `user` the role `role` (the security administrator's act), recorded as ROLE_CHANGED."""
    if not is_security_admin(actor):
        raise PermissionDenied(_("Only the security administrator changes roles."))
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ValidationError({"role": _("No one changes their own role.")})
    if user.is_superuser and role != Role.SYSTEM_ADMIN:
        raise ValidationError({"role": _("A superuser can only be a system administrator.")})
    old = user.role
    if old == role:
        return user
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        audit.Kind.ROLE_CHANGED,
        request=request,
        user=actor,
        target=user,
        summary=f"{user.username}: {old} → {role}",
        username_changed=user.username,
        old=old,
        new=role,
    )
    return user


def record_created(user: User, *, request) -> None:
    audit.record(
        audit.Kind.USER_CREATED,
        request=request,
        target=user,
        summary=user.username,
        username_created=user.username,
        role=user.role,
    )


def record_deactivated(user: User, *, request) -> None:
    audit.record(
        audit.Kind.USER_DEACTIVATED,
        request=request,
        target=user,
        summary=user.username,
        username_deactivated=user.username,
    )
