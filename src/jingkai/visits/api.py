"""/api/visits: the visit log (list with filters, detail) and logging a visit.

Handlers fetch through Visit.objects.visible_to(user) and write through visits.services.log_visit;
ValidationError becomes 422 and PermissionDenied 403 (api/errors.py). Enterprise contacts get the
visits to their own enterprise without the staff's notes (notes is null for them).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingkai.api.errors import query_error
from jingkai.core.models import User
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import find_by_id_or_uscc
from jingkai.enterprises.schemas import Page
from jingkai.visits import services
from jingkai.visits.forms import VisitFilterForm, filter_visits
from jingkai.visits.models import Visit, VisitKind

router = Router(tags=["visits"])


class VisitFilters(Schema):
    grid: str | None = Field(None, description="Grid code, e.g. G01 (the grid at the time of the visit)")
    enterprise: int | None = Field(None, description="Enterprise id")
    kind: VisitKind | None = None
    from_: dt.date | None = Field(None, alias="from", description="Visited on or after")
    to: dt.date | None = Field(None, description="Visited on or before")


class Ref(Schema):
    id: int
    name: str


class VisitOut(Schema):
    id: int
    enterprise: Ref
    visited_on: dt.date
    kind: str
    kind_label: str
    grid: str | None = Field(None, description="Grid code at the time of the visit")
    community: str | None = None
    visitors: list[Ref]
    policies: str
    policy_tags: list[str]
    notes: str | None = Field(None, description="Null for enterprise contacts")
    demand_ids: list[int] = []
    created_by: str | None = None


class VisitPage(Schema):
    items: list[VisitOut]
    count: int


class DemandIn(Schema):
    category: str = Field(description="Demand category code")
    description: str
    title: str = ""


class VisitIn(Schema):
    enterprise: str = Field(description="Enterprise id or unified social credit code")
    visited_on: dt.date
    kind: VisitKind
    visitors: list[str] = Field([], description="Usernames of the other visitors (the caller is added)")
    policies: str = ""
    policy_tags: list[str] = []
    notes: str = ""
    demands: list[DemandIn] = Field(
        [], description="Demands raised during the visit (filed with channel visit)"
    )


def serialize(visit: Visit, show_notes: bool) -> dict:
    return {
        "id": visit.pk,
        "enterprise": {"id": visit.enterprise_id, "name": visit.enterprise.name},
        "visited_on": visit.visited_on,
        "kind": visit.kind,
        "kind_label": visit.get_kind_display(),
        "grid": visit.grid.code if visit.grid else None,
        "community": visit.community.code if visit.community else None,
        "visitors": [{"id": u.pk, "name": str(u)} for u in visit.visitors.all()],
        "policies": visit.policies,
        "policy_tags": visit.policy_tags or [],
        "notes": visit.notes if show_notes else None,
        "demand_ids": [d.pk for d in visit.demands.all()],
        "created_by": str(visit.created_by) if visit.created_by else None,
    }


def _rows(user):
    return (
        Visit.objects.visible_to(user)
        .select_related("enterprise", "grid", "community", "created_by")
        .prefetch_related("visitors", "demands")
    )


@router.get("", response=VisitPage, summary="List visits")
def list_visits(request, filters: Query[VisitFilters], page: Query[Page]):
    raw = filters.model_dump(by_alias=True, exclude_none=True)
    data = {
        "grid": raw.get("grid"),
        "kind": raw.get("kind"),
        "enterprise": raw.get("enterprise"),
        "date_from": raw.get("from"),
        "date_to": raw.get("to"),
    }
    form = VisitFilterForm({k: v for k, v in data.items() if v is not None}, user=request.user)
    if not form.is_valid():
        errors = {{"date_from": "from", "date_to": "to"}.get(k, k): v for k, v in form.errors.items()}
        raise query_error(errors)
    visits = filter_visits(_rows(request.user), form.cleaned_data)
    show = services.can_see_notes(request.user)
    items = [serialize(v, show) for v in visits[page.offset : page.offset + page.limit]]
    return {"items": items, "count": visits.count()}


@router.get("/{visit_id}", response=VisitOut, summary="Read a visit")
def get_visit(request, visit_id: int):
    visit = get_visible_or_404(_rows(request.user), request.user, pk=visit_id)
    return serialize(visit, services.can_see_notes(request.user))


def _find_enterprise(user, ident: str) -> Enterprise:
    return find_by_id_or_uscc(user, ident)


@router.post("", response={201: VisitOut}, summary="Log a visit (and the demands raised during it)")
def create_visit(request, payload: VisitIn):
    user = request.user
    try:
        enterprise = _find_enterprise(user, payload.enterprise)
    except Http404:
        raise ValidationError({"enterprise": [_("No enterprise you may see matches this.")]}) from None
    errors = {}
    visitors = list(User.objects.filter(username__in=payload.visitors))
    unknown = sorted(set(payload.visitors) - {u.username for u in visitors})
    if unknown:
        errors["visitors"] = [_("Unknown users: %(names)s") % {"names": ", ".join(unknown)}]
    demands = []
    if payload.demands:
        from jingkai.demands.models import DemandCategory

        categories = {
            c.code: c for c in DemandCategory.objects.filter(code__in=[d.category for d in payload.demands])
        }
        for index, demand in enumerate(payload.demands):
            if demand.category not in categories:
                errors[f"demands.{index}.category"] = [
                    _("Unknown category “%(code)s”.") % {"code": demand.category}
                ]
            demands.append(
                {
                    "category": categories.get(demand.category),
                    "description": demand.description,
                    "title": demand.title,
                }
            )
    if errors:
        raise ValidationError(errors)
    visit = services.log_visit(
        actor=user,
        enterprise=enterprise,
        visited_on=payload.visited_on,
        kind=payload.kind,
        visitors=visitors,
        policies=payload.policies,
        policy_tags=payload.policy_tags,
        notes=payload.notes,
        demands=demands,
    )
    return Status(201, serialize(_rows(user).get(pk=visit.pk), services.can_see_notes(user)))
