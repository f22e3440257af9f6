"""The rules of the visit log: who may log a visit, what a visit must hold, and the demands it raises."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.core.models import User
from jingkai.enterprises.models import Enterprise
from jingkai.visits.models import Visit, VisitKind

# The predicates are defined in permissions.py; views and the API reach them as services.can_*.
from jingkai.visits.permissions import LOGGING_ROLES, can_follow_cadence, can_log_visit, can_see_notes  # noqa: F401

MAX_TAGS = 20
MAX_TAG_LENGTH = 30


def clean_tags(tags: Iterable[str] | str) -> list[str]:
    """Tags from a list or a comma/顿号-separated string: trimmed, de-duplicated, in order."""
    if isinstance(tags, str):
        for sep in ("，", "、", ";", "；"):
            tags = tags.replace(sep, ",")
        tags = tags.split(",")
    out: list[str] = []
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag not in out:
            out.append(tag)
    return out


def log_visit(
    *,
    actor,
    enterprise: Enterprise,
    visited_on: dt.date,
    kind: str,
    visitors: Sequence[User] = (),
    policies: str = "",
    policy_tags: Iterable[str] | str = (),
    notes: str = "",
    demands: Sequence[dict] = (),
    today: dt.date | None = None,
) -> Visit:
    """Record a visit (the actor is always among the visitors) and file the demands raised during it.

    demands: [{"category": DemandCategory, "description": str, "title": str}, …], each filed through
    jingkai.demands.services.submit_demand(channel="visit"). All or nothing: one bad demand files none.
    """
    if not can_log_visit(actor, enterprise):
        raise PermissionDenied(_("You may not log visits to this enterprise."))
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if visited_on is None:
        errors["visited_on"] = [_("Enter the date of the visit.")]
    elif visited_on > today:
        errors["visited_on"] = [_("The visit date is in the future.")]
    if kind not in VisitKind.values:
        errors["kind"] = [_("Choose a kind of visit.")]
    tags = clean_tags(policy_tags)
    if len(tags) > MAX_TAGS:
        errors["policy_tags"] = [_("At most %(n)d policy tags.") % {"n": MAX_TAGS}]
    elif any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        errors["policy_tags"] = [_("A policy tag has at most %(n)d characters.") % {"n": MAX_TAG_LENGTH}]
    people = [v for v in visitors if v is not None]
    if any(not (v.is_active and v.is_staff_role) for v in people):
        errors["visitors"] = [_("Visitors must be active zone staff.")]
    for index, demand in enumerate(demands):
        if not str(demand.get("description") or "").strip():
            errors[f"demands.{index}.description"] = [_("Describe the demand.")]
        if demand.get("category") is None:
            errors[f"demands.{index}.category"] = [_("Choose a category.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = Visit.objects.create(
            enterprise=enterprise,
            visited_on=visited_on,
            kind=kind,
            grid_id=enterprise.grid_id,
            community_id=enterprise.community_id,
            policies=policies.strip(),
            policy_tags=tags,
            notes=notes.strip(),
            created_by=actor,
        )
        visit.visitors.set({actor.pk, *(v.pk for v in people)})
        if demands:
            _file_demands(visit, actor, demands)
    return visit


def _file_demands(visit: Visit, actor, demands: Sequence[dict]) -> None:
    from jingkai.demands.services import submit_demand

    filed = [
        submit_demand(
            actor=actor,
            enterprise=visit.enterprise,
            category=demand["category"],
            description=demand["description"].strip(),
            channel="visit",
            title=(demand.get("title") or "").strip(),
        )
        for demand in demands
    ]
    visit.demands.add(*filed)
