"""Role scoping: every page, API endpoint, export and search fetches rows through visible_to(user).

A user's scope (active or not, zone administrator or not, role, department and its investment flag, the grids
and communities in office today) is resolved once per request: `scope_of(user)` builds a `Scope` and keeps it on
the user object, which Django shares across the request. The grids and communities are subqueries, not lists,
so resolving them costs no query: they run inside the query that filters by them.

Each scoped model's queryset subclasses ScopedQuerySet and writes visible_to() as a short expression over the
scope, usually `self.scoped(scope.rule(grid=…, community=…, department=…, enterprise=…))`: what each kind of
user sees, with the zone administrators (everything) and inactive or anonymous users (nothing) handled once,
here. Views use get_visible_or_404() so that an outsider gets 404, never another grid's row.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.http import Http404

from jingkai.core.models import Role

# Matches no row. `scoped()` turns it into `.none()`, which costs no query.
NOTHING = Q(pk__in=[])
GRID_ROLES = (Role.GRID_LEADER, Role.GRID_OFFICER)
AREA_ROLES = (Role.GRID_LEADER, Role.GRID_OFFICER, Role.COMMUNITY_OFFICER)

# A rule for one kind of user: the Q of the rows they see, or None for every row.
Rule = Callable[["Scope"], "Q | None"]


def _facet(name: str) -> Callable:
    from jingkai.core.contributions import ScopeFacet, declared

    for facet in declared(ScopeFacet):
        if facet.name == name:
            return facet.resolve
    raise ImproperlyConfigured(f"No app declares the scope facet {name!r}")


class Scope:
    """What scoping needs to know about a user, read once. See the module docstring."""

    def __init__(self, user):
        self.user = user
        self.active = bool(user is not None and user.is_authenticated and user.is_active)
        self.everything = self.active and user.is_zone_admin
        self.role = user.role if self.active else None
        self.department_id = user.department_id if self.active else None
        self.key = _key(user)

    @property
    def nothing(self) -> bool:
        return not self.active

    @property
    def in_grids(self) -> bool:
        """A grid leader or grid officer."""
        return self.role in GRID_ROLES

    @property
    def in_area(self) -> bool:
        """Staff of an area: grid leaders and officers, community officers."""
        return self.role in AREA_ROLES

    @cached_property
    def handles_investment(self) -> bool:
        """A handler of a department marked as the investment-attraction (招商) department."""
        return bool(
            self.role == Role.DEPARTMENT and self.department_id and self.user.department.handles_investment
        )

    @cached_property
    def grid_ids(self) -> models.QuerySet:
        """The grids the user is assigned to today (a subquery)."""
        return _facet("grid_ids")(self.user)

    @cached_property
    def community_ids(self) -> models.QuerySet:
        """The communities the user is assigned to today (a subquery)."""
        return _facet("community_ids")(self.user)

    def rule(
        self,
        *,
        grid: Rule | None = None,
        community: Rule | None = None,
        department: Rule | None = None,
        enterprise: Rule | None = None,
    ) -> Q | None:
        """The Q of the rows this user sees, given each kind of user's rule; None means every row.

        Zone administrators see every row and inactive or anonymous users none, whatever the rules; a kind of
        user without a rule sees nothing. `grid` covers grid leaders and officers.
        """
        if not self.active:
            return NOTHING
        if self.everything:
            return None
        chosen = {
            Role.GRID_LEADER: grid,
            Role.GRID_OFFICER: grid,
            Role.COMMUNITY_OFFICER: community,
            Role.DEPARTMENT: department,
            Role.ENTERPRISE: enterprise,
        }.get(self.role)
        return NOTHING if chosen is None else chosen(self)


def everything(scope: Scope) -> None:
    """A rule: every row."""
    return None


def _key(user) -> tuple:
    # What the scope is built from: a test (or an admin) that changes the user object gets a fresh scope.
    if user is None or not user.is_authenticated:
        return (None,)
    return (user.pk, user.is_active, user.is_superuser, user.role, user.department_id)


def scope_of(user) -> Scope:
    """The user's scope, built once per user object (so once per request)."""
    cached = getattr(user, "_jingkai_scope", None)
    if cached is not None and cached.key == _key(user):
        return cached
    scope = Scope(user)
    if user is not None:
        user._jingkai_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError

    def scoped(self, q: Q | None) -> models.QuerySet:
        """Apply a scope's Q: None keeps every row, NOTHING gives an empty queryset without a query."""
        if q is None:
            return self
        if q is NOTHING:
            return self.none()
        return self.filter(q)


def can_see_anything(user) -> bool:
    """Signed in with an active account: the precondition of every other rule."""
    return scope_of(user).active


def get_visible_or_404(queryset: ScopedQuerySet, user, **lookup):
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
