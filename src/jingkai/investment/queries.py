"""The ledger's filters, shared by the list page, its export and /api/projects so that they agree."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from jingkai.investment.models import RAG, Project, Stage, Status
from jingkai.investment.services import with_rag

FILTER_KEYS = ("q", "stage", "status", "country", "chain", "owner", "rag", "year")


def filter_projects(queryset, params, on: dt.date | None = None):
    """Apply the ledger filters (query parameters); unknown values are a ValidationError by parameter.

    year: projects with any dated fact in that year (signed, approved, started, in production, recognised).
    """
    errors: dict[str, list[str]] = {}
    rows = with_rag(queryset, on)
    get = params.get
    if q := (get("q") or "").strip():
        rows = rows.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(investor__icontains=q))
    if stage := get("stage"):
        if stage in Stage.values:
            rows = rows.filter(stage=stage)
        else:
            errors["stage"] = [_("Unknown stage.")]
    if status := get("status"):
        if status in Status.values:
            rows = rows.filter(status=status)
        else:
            errors["status"] = [_("Unknown status.")]
    if country := (get("country") or "").strip().upper():
        rows = rows.filter(country=country)
    if chain := (get("chain") or "").strip():
        rows = rows.filter(chain__code=chain)
    if owner := (get("owner") or "").strip():
        rows = rows.filter(owner__username=owner)
    if rag := get("rag"):
        if rag in RAG.values:
            rows = rows.filter(rag=rag)
        else:
            errors["rag"] = [_("Use red, amber or green.")]
    if year := get("year"):
        try:
            number = int(year)
            if not 1990 <= number <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            errors["year"] = [_("Not a year.")]
        else:
            rows = rows.filter(
                Q(contract_on__year=number)
                | Q(approval_on__year=number)
                | Q(started_on__year=number)
                | Q(production_on__year=number)
                | Q(key_project_on__year=number)
            )
    if errors:
        raise ValidationError(errors)
    return rows.select_related("owner", "chain", "enterprise").order_by("-id")


def projects_for(user, params, on=None):
    return filter_projects(Project.objects.visible_to(user), params, on)
