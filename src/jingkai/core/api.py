"""What every app's API router shares: the one error shape and the one list pagination.

The API surface (`jingkai.api`) mounts the routers and installs the exception handlers; the pieces a
domain router needs live here, in the kernel, so that no domain imports the surface above it.

422 always answers `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`, whether the error comes
from ninja's own pydantic validation, from a FilterSet or from a service raising Django's
ValidationError, so that a client needs one parser. `loc` starts with where the value was sent
("body", "query", "path") and then names the field.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination

from jingkai.core.bounds import OFFSET_MAX


def located_errors(messages_by_field: dict, source: str = "body") -> list[dict]:
    detail = []
    for field, messages in messages_by_field.items():
        loc = [source] if field == NON_FIELD_ERRORS else [source, field]
        detail.extend({"loc": loc, "msg": str(message), "type": "value_error"} for message in messages)
    return detail


def query_error(form_errors: dict) -> NinjaValidationError:
    """A FilterSet's (or a service's) errors by query parameter as the 422 that names each parameter."""
    return NinjaValidationError(located_errors({k: list(v) for k, v in form_errors.items()}, source="query"))


def filtered(filterset, rename: dict[str, str] | None = None):
    """The FilterSet's rows, or the 422 naming each query parameter it refused.

    `rename` maps a FilterSet field to the API's name for the same parameter where the two differ
    (the visit log's page says `date_from`, its API `from`).
    """
    if filterset.is_bound and not filterset.is_valid():
        rename = rename or {}
        raise query_error({rename.get(name, name): errors for name, errors in filterset.errors.items()})
    return filterset.qs


class PageQuery(Schema):
    limit: int = Field(
        ninja_settings.PAGINATION_PER_PAGE,
        ge=1,
        le=ninja_settings.PAGINATION_MAX_LIMIT,
        description=f"Items per page (at most {ninja_settings.PAGINATION_MAX_LIMIT})",
    )
    offset: int = Field(0, ge=0, le=OFFSET_MAX, description=f"Items to skip (at most {OFFSET_MAX})")


class Pagination(LimitOffsetPagination):
    """ninja's limit/offset pagination answering `{"items": [...], "count": N}`.

    The default page size and the largest `limit` are NINJA_PAGINATION_PER_PAGE (50) and
    NINJA_PAGINATION_MAX_LIMIT (500) in settings.py: a larger `limit` is a 422, not silently cut.
    A handler returns its filtered queryset; `page_items(request, rows)`, when given, turns the rows of
    the one page into what the response schema reads (a few set-based queries for the page, not per row).

        @router.get("", response=list[ItemOut])
        @paginate(Pagination, page_items=_with_counts)
        def list_things(request, filters: Query[ThingFilters]): ...

    A module whose handlers are paginated must not use `from __future__ import annotations`: the
    wrapper that `paginate` puts around a handler resolves the handler's annotations in ninja's module,
    where the app's schemas are unknown.
    """

    Input = PageQuery

    def __init__(self, *, page_items: Callable | None = None, **kwargs) -> None:
        self.page_items = page_items
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        if self.page_items is not None:
            result[self.items_attribute] = self.page_items(request, list(result[self.items_attribute]))
        return result
