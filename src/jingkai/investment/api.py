"""/api/projects, /api/arrivals and /api/investment/summary (mounted at "" in api/api.py).

Scoped like the pages: investment-attraction staff and zone admins see every project, grid and
community staff the projects of enterprises in their areas, everyone else none (404 on a detail).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from jingkai.chains.models import Chain
from jingkai.core.api import Pagination, filtered, query_error
from jingkai.core.bounds import clean_for_field
from jingkai.core.models import User
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import id_or_uscc
from jingkai.investment import services
from jingkai.investment.filtersets import ArrivalFilterSet, ProjectFilterSet
from jingkai.investment.models import Arrival, Project
from jingkai.investment.permissions import can_edit_ledger
from jingkai.investment.schemas import (
    ArrivalFilters,
    ArrivalIn,
    ArrivalOut,
    ProjectDetail,
    ProjectFilters,
    ProjectIn,
    ProjectItem,
    StageIn,
    SummaryFilters,
)
from jingkai.parks.models import Park

router = Router(tags=["investment"])


def _detail(user, project_id: int) -> Project:
    rows = services.with_rag(
        Project.objects.select_related("owner", "chain", "park", "enterprise").prefetch_related(
            "stage_events", "milestones", "arrivals"
        )
    )
    return get_visible_or_404(rows, user, pk=project_id)


def _enterprise_key(value: str) -> dict:
    """An 18-character credit code (which may be all digits) or a numeric id."""
    return id_or_uscc(value) or {"pk__in": []}  # neither: names no enterprise


def resolve(data: dict, user) -> dict:
    """Codes and usernames in a body to rows; an unknown one is a 422 on its field."""
    errors = {}
    lookups = {
        "chain": lambda v: Chain.objects.filter(code=v).first(),
        "park": lambda v: Park.objects.filter(code=v).first(),
        "owner": lambda v: User.objects.filter(username=v, is_active=True).first(),
        # Everyone names an enterprise they see by id or credit code; 招商 staff also link a project to an
        # enterprise outside their view (they keep the ledger), but only by its credit code, not by walking
        # through sequential ids.
        "enterprise": lambda v: (
            Enterprise.objects.visible_to(user).filter(**_enterprise_key(v)).first()
            or (
                Enterprise.objects.filter(uscc=v.upper()).first()
                if can_edit_ledger(user) and len(v) == 18
                else None
            )
        ),
    }
    for field, find in lookups.items():
        value = data.get(field)
        if value in (None, ""):
            data[field] = None
            continue
        data[field] = find(str(value).strip())
        if data[field] is None:
            errors[field] = [_("Not found: %(value)s") % {"value": value}]
    if errors:
        raise ValidationError(errors)
    return data


@router.get("/projects", response=list[ProjectItem], summary="List investment projects")
@paginate(Pagination)
def list_projects(request, filters: Query[ProjectFilters]):
    data = filters.model_dump(exclude_none=True)
    return filtered(ProjectFilterSet(data, Project.objects.visible_to(request.user)))


@router.post("/projects", response={201: ProjectDetail}, summary="Create a project (investment staff)")
def create_project(request, payload: ProjectIn):
    if not can_edit_ledger(request.user):
        raise PermissionDenied(_("Only investment-attraction staff may change the project ledger."))
    project = services.create_project(resolve(payload.model_dump(), request.user), request.user)
    return Status(201, _detail(request.user, project.pk))


@router.get("/projects/{project_id}", response=ProjectDetail, summary="Read a project")
def get_project(request, project_id: int):
    return _detail(request.user, project_id)


@router.post("/projects/{project_id}/stage", response=ProjectDetail, summary="Move a project to a stage")
def move_stage(request, project_id: int, payload: StageIn):
    project = _detail(request.user, project_id)
    values = dict(payload.values)
    # A stage's fields come as a free-form object: each is checked against its column here (core.bounds).
    for key in ("contract_on", "approval_on", "started_on", "production_on", "full_production_on"):
        if values.get(key) is not None:
            values[key] = clean_for_field(Project, key, values[key])
    for key in ("total_investment", "contract_foreign_capital"):
        if values.get(key) is not None:
            value = values[key]
            values[key] = clean_for_field(Project, key, str(value) if isinstance(value, float) else value)
    if "owner" in values:
        values = resolve({"owner": values["owner"]}, request.user) | {
            k: v for k, v in values.items() if k != "owner"
        }
    services.move_stage(
        project,
        payload.stage,
        request.user,
        values=values,
        on=payload.on,
        override_reason=payload.override_reason,
        note=payload.note,
    )
    return _detail(request.user, project_id)


@router.get("/projects/{project_id}/arrivals", response=list[ArrivalOut], summary="A project's arrivals")
def project_arrivals(request, project_id: int):
    return list(_detail(request.user, project_id).arrivals.all())


@router.post("/projects/{project_id}/arrivals", response={201: ArrivalOut}, summary="Record an arrival")
def add_arrival(request, project_id: int, payload: ArrivalIn):
    project = _detail(request.user, project_id)
    return Status(201, services.add_arrival(project, payload.model_dump(), request.user))


@router.get("/arrivals", response=list[ArrivalOut], summary="Capital arrivals of a period")
def list_arrivals(request, filters: Query[ArrivalFilters]):
    filterset = ArrivalFilterSet(
        filters.model_dump(exclude_none=True), Arrival.objects.visible_to(request.user)
    )
    # Not paginated (a shipped contract): one period's arrivals, at most 5,000.
    return list(
        filtered(filterset, rename={"date_from": "from", "date_to": "to"}).order_by("on", "id")[:5000]
    )


def period(year, date_from, date_to) -> tuple[dt.date, dt.date]:
    """[from, to] inclusive; a year alone is its whole calendar year; no argument is this year."""
    year = year or (date_from or date_to or services.today()).year
    return date_from or dt.date(year, 1, 1), date_to or dt.date(year, 12, 31)


@router.get("/investment/summary", summary="The six official figures of a period")
def investment_summary(request, filters: Query[SummaryFilters]):
    date_from, date_to = period(filters.year, filters.date_from, filters.date_to)
    try:
        result = services.summary(request.user, date_from, date_to, by=filters.by)
    except ValidationError as exc:
        raise query_error(exc.message_dict) from None
    return _jsonable(result)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
