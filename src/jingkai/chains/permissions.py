"""Who may open the chain pages: zone staff (chains are zone configuration); an enterprise contact sees its own
chains only through Chain.visible_to."""

from __future__ import annotations

from jingkai.core.permissions import predicate


@predicate
def can_view_chains(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_staff_role)
