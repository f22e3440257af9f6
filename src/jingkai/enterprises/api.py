"""/api/enterprises: list, read, create and update enterprises.

Handlers stay thin: fetch through Enterprise.objects.visible_to(user), turn codes into rows, call one
service (services.create_enterprise / update_enterprise), answer. Validation errors and refusals
raised by the services become 422 and 403 (the handlers jingkai.api installs).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _
from ninja import PatchDict, Query, Router, Status
from ninja.pagination import paginate

from jingkai.core.api import Pagination, filtered
from jingkai.core.bounds import PathText
from jingkai.enterprises import services
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.models import Enterprise, EnterpriseGroup
from jingkai.enterprises.queries import find_by_id_or_uscc, with_scale
from jingkai.enterprises.schemas import EnterpriseDetail, EnterpriseFilters, EnterpriseIn, EnterpriseItem
from jingkai.grids.models import Community, Grid
from jingkai.parks.models import Building, Park

router = Router(tags=["enterprises"])

# Joined into the list query so that its query count does not grow with the page size.
LIST_RELATED = ["group", "park", "grid", "community"]
DETAIL_PREFETCH = ["annual_scales", "honours", "capital_changes", "contacts", "chain_memberships__chain"]

# Body fields naming another row, and the column a code is matched against (besides the id).
REFERENCES = {
    "grid": (Grid, "code"),
    "community": (Community, "code"),
    "park": (Park, "code"),
    "group": (EnterpriseGroup, "name"),
}

# Text columns cannot hold NULL: a PATCH sending null for one of them means "clear it".
TEXT_FIELDS = {
    field.name
    for field in Enterprise._meta.concrete_fields
    if isinstance(field, models.CharField | models.TextField) and not field.null
}
MAX_ID = 2**63 - 1


def enterprise_rows(queryset, filters: EnterpriseFilters):
    """Filter enterprises that are already scoped to the user (a 422 names each refused filter).

    Shared by /api/enterprises and /api/grids/{code}/enterprises; the filtering itself is the
    list page's FilterSet, so pages, API and export agree on what a filter means.
    """
    filterset = EnterpriseFilterSet(data=filters.model_dump(exclude_none=True), queryset=queryset)
    return with_scale(filtered(filterset), filterset.scale_year()).select_related(*LIST_RELATED)


def find_enterprise(user, ident: str) -> Enterprise:
    """An enterprise by id or USCC (any case, spacing or full-width form), if the user may see it."""
    # Same default year as the list (the FilterSet decides it), so both show the same above_size.
    year = EnterpriseFilterSet(data={}).scale_year()
    rows = Enterprise.objects.select_related(*LIST_RELATED, "building").prefetch_related(*DETAIL_PREFETCH)
    return find_by_id_or_uscc(user, ident, with_scale(rows, year))


def _as_id(value) -> int | None:
    """The id a reference names, if it is written as one (a number or a string of digits)."""
    text = str(value).strip()
    if not (text.isdecimal() and len(text) <= 18):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def _lookup(queryset, column: str, value):
    found = (
        queryset.filter(**{f"{column}__iexact": value.strip()}).first() if isinstance(value, str) else None
    )
    if found is None and (pk := _as_id(value)) is not None:
        found = queryset.filter(pk=pk).first()
    return found


def resolve_references(data: dict, user, instance: Enterprise | None = None) -> dict:
    """Replace ids and codes in a request body by the rows they name; unknown ones are 422 by field.

    Rows are looked up among those the user may see, so a reference cannot confirm that another
    grid's code exists. An empty reference clears the field, as an empty form field would.
    """
    errors = {}
    for field in [*REFERENCES, "building"]:
        if isinstance(data.get(field), str) and not data[field].strip():
            data[field] = None
    for field, (model, column) in REFERENCES.items():
        value = data.get(field)
        if value is not None:
            data[field] = _lookup(model.objects.visible_to(user), column, value)
            if data[field] is None:
                errors[field] = [not_found_message(model, value)]
    value = data.get("building")
    if value is not None:
        # A building is named within its park; an id alone identifies it anywhere.
        buildings = Building.objects.filter(park__in=Park.objects.visible_to(user))
        park = data.get("park", instance.park if instance else None)
        if (pk := _as_id(value)) is not None:
            data["building"] = buildings.filter(pk=pk).first()
        else:
            data["building"] = buildings.filter(park=park, name=value.strip()).first() if park else None
        if data["building"] is None:
            errors["building"] = [not_found_message(Building, value)]
    if errors:
        raise ValidationError(errors)
    for field in TEXT_FIELDS & data.keys():
        if data[field] is None:
            data[field] = ""
    return data


def not_found_message(model, value) -> str:
    return _("No %(kind)s matches “%(value)s”.") % {"kind": model._meta.verbose_name, "value": value}


@router.get("", response=list[EnterpriseItem], summary="List enterprises")
@paginate(Pagination)
def list_enterprises(request, filters: Query[EnterpriseFilters]):
    return enterprise_rows(Enterprise.objects.visible_to(request.user), filters)


@router.post("", response={201: EnterpriseDetail}, summary="Create an enterprise (zone administrators)")
def create_enterprise(request, payload: EnterpriseIn):
    if not services.can_create_enterprise(request.user):
        raise PermissionDenied(_("Only a zone administrator may add enterprises."))
    data = resolve_references(payload.model_dump(), request.user)
    enterprise = services.create_enterprise(data, request.user)
    return Status(201, find_enterprise(request.user, str(enterprise.pk)))


@router.get("/{ident}", response=EnterpriseDetail, summary="Read an enterprise by id or USCC")
def get_enterprise(request, ident: PathText):
    return find_enterprise(request.user, ident)


@router.patch("/{ident}", response=EnterpriseDetail, summary="Change the fields sent, by id or USCC")
def patch_enterprise(request, ident: PathText, payload: PatchDict[EnterpriseIn]):
    enterprise = find_enterprise(request.user, ident)
    data = resolve_references(dict(payload), request.user, instance=enterprise)
    services.update_enterprise(enterprise, data, request.user)
    return find_enterprise(request.user, str(enterprise.pk))
