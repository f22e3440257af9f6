"""The ledger's read side: the RAG colour, and the filters shared by the list page, its export and /api/projects
so that they agree."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.investment.models import RAG, Milestone, Project, ReminderSettings, Stage, Status

# --- RAG: the rule, once, in SQL -------------------------------------------------------------------------
# A milestone is red when not reached and overdue; amber when reached late, or due within warn_days; green
# otherwise. A project is red when one of its milestones is red, else amber when one is amber, else green.


def _rag_conditions(on: dt.date, warn_days: int) -> tuple[Q, Q]:
    """(red, amber) over Milestone's columns; amber is tested after red."""
    red = Q(actual_on__isnull=True, planned_on__lt=on)
    amber = Q(actual_on__isnull=True, planned_on__lte=on + dt.timedelta(days=warn_days)) | Q(
        actual_on__gt=F("planned_on")
    )
    return red, amber


def _on_and_warning(on: dt.date | None, warn_days: int | None) -> tuple[dt.date, int]:
    on = on or timezone.localdate()
    return on, ReminderSettings.current().milestone_days if warn_days is None else warn_days


def with_milestone_rag(milestones, on: dt.date | None = None, warn_days: int | None = None):
    """Annotate each milestone's `rag` (red / amber / green)."""
    red, amber = _rag_conditions(*_on_and_warning(on, warn_days))
    return milestones.annotate(
        rag=Case(
            When(red, then=Value(RAG.RED.value)),
            When(amber, then=Value(RAG.AMBER.value)),
            default=Value(RAG.GREEN.value),
        )
    )


def with_rag(queryset, on: dt.date | None = None, warn_days: int | None = None):
    """Annotate each project's `rag` in SQL so that lists filter and sort by it."""
    red, amber = _rag_conditions(*_on_and_warning(on, warn_days))
    milestones = Milestone.objects.filter(project=OuterRef("pk"))
    return queryset.annotate(
        rag=Case(
            When(Exists(milestones.filter(red)), then=Value(RAG.RED.value)),
            When(Exists(milestones.filter(amber)), then=Value(RAG.AMBER.value)),
            default=Value(RAG.GREEN.value),
        )
    )


# --- the ledger's filters ----------------------------------------------------------------------------------

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
