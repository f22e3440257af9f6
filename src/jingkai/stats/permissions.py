"""Who may import the monthly statistics."""

from __future__ import annotations

from jingkai.core.permissions import predicate
from jingkai.core.scoping import scope_of


@predicate
def can_import(user) -> bool:
    """Importing statistics (and managing their templates) is for zone administrators."""
    return scope_of(user).everything
