"""Role scoping: every page, API endpoint, export and search fetches rows through visible_to(user).

Each scoped model's queryset subclasses ScopedQuerySet and implements visible_to(); views use
get_visible_or_404() so that an outsider gets 404, never another grid's row.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.http import Http404

# Apps that route work to departments (demands, later) register a function user -> Q over
# Enterprise, naming the enterprises a department handler may see.
DEPARTMENT_ENTERPRISE_SCOPES: list[Callable] = []


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:  # pragma: no cover - abstract
        raise NotImplementedError


def can_see_anything(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def get_visible_or_404(queryset: ScopedQuerySet, user, **lookup):
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
