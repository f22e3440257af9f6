"""Who may manage other users' sign-in: the security administrator (三员分立: roles, unlocks, policy)."""

from __future__ import annotations

from jingkai.core.permissions import is_security_admin, predicate


@predicate
def can_manage_sign_in(user) -> bool:
    """Lift a lock-out, reset a second factor."""
    return is_security_admin(user)
