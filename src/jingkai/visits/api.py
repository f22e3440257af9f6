"""/api/visits: the visit log (list with filters, detail) and logging a visit.

Handlers fetch through Visit.objects.visible_to(user) and write through visits.services.log_visit;
ValidationError becomes 422 and PermissionDenied 403 (jingkai.api's handlers). Enterprise contacts get the
visits to their own enterprise without the staff's notes (notes is null for them).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from jingkai.core.api import Pagination, filtered
from jingkai.core.models import User
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import find_by_id_or_uscc
from jingkai.visits import services
from jingkai.visits.filtersets import VisitFilterSet
from jingkai.visits.models import Visit
from jingkai.visits.schemas import VisitFilters, VisitIn, VisitOut

router = Router(tags=["visits"])
# The API's query parameters `from` and `to` are the FilterSet's (and the page's) date_from and date_to.
API_NAMES = {"from": "date_from", "to": "date_to"}
PAGE_NAMES = {page: api for api, page in API_NAMES.items()}


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


def _serialized(request, visits) -> list[dict]:
    show = services.can_see_notes(request.user)
    return [serialize(v, show) for v in visits]


@router.get("", response=list[VisitOut], summary="List visits")
@paginate(Pagination, page_items=_serialized)
def list_visits(request, filters: Query[VisitFilters]):
    raw = filters.model_dump(by_alias=True, exclude_none=True)
    data = {API_NAMES.get(key, key): value for key, value in raw.items()}
    return filtered(VisitFilterSet(data, _rows(request.user), user=request.user), rename=PAGE_NAMES)


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
