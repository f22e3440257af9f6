"""The ledger's read side: the RAG colour, once, in SQL (the filters are in filtersets.py)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from jingkai.investment.models import RAG, Milestone, ReminderSettings

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
