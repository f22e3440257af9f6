"""The year's 规上 roll (issue 11 §6): which enterprises enter, leave or keep 规上 status in a year.

RULES.md §2: an industrial enterprise is 规上 in a year when its 营业收入 of that year is ≥ 2,000万元; the status is
per year and its history is kept (AnnualScale with simple-history).

    plan = plan_roll(year, source)   # source: Decisions (one per enterprise), nothing written
    commit_roll(plan, user)          # writes the year's AnnualScale rows, all or nothing, with history

A source is anything that yields `Decision`s: the statistics office's 规上名录 (importers_roll.py) or the
derivation from the December cumulative 营业收入 of the monthly statistics (stats/roll.py: enterprises cannot read
the statistics). Each decision is compared with the enterprise's status in the latest earlier year: entering
(规下 or unknown → 规上), leaving (规上 → 规下) or unchanged; an enterprise the source says nothing of keeps
its earlier status for the year (carried, unchanged).

After a commit the event ROLL_COMMITTED is announced (core.contributions.announce) with the committed plan, inside
the transaction: higher apps listen (the grid leaders' notices are sent by stats/roll.py, which may use the
notifications app).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from jingkai.core.contributions import announce
from jingkai.enterprises.choices import EnterpriseStatus
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.enterprises.permissions import can_run_scale_roll

THRESHOLD = Decimal("20000000")  # 元: 2,000万元 营业收入, inclusive (RULES.md §2)
ROLL_COMMITTED = "enterprises.scale_roll_committed"  # announce(ROLL_COMMITTED, plan, user)

ENTERING, LEAVING, UNCHANGED = "entering", "leaving", "unchanged"


def is_above_size(revenue: Decimal | None) -> bool:
    """RULES.md §2: 营业收入 ≥ 2,000万元 (the bound is inclusive)."""
    return revenue is not None and Decimal(revenue) >= THRESHOLD


@dataclass(frozen=True)
class Decision:
    """What a source says of one enterprise in the year."""

    enterprise_id: int
    above_size: bool
    revenue: Decimal | None = None
    where: object = None  # what locates it in the source (e.g. the sheet row), for the source's own errors


@dataclass
class RollItem:
    enterprise: Enterprise
    above_size: bool
    revenue: Decimal | None
    before: bool | None  # the status in the latest earlier year; None: never recorded
    move: str  # ENTERING, LEAVING or UNCHANGED
    where: object = None
    carried: bool = False  # the source says nothing of it: last year's status is kept for the year


@dataclass
class RollPlan:
    year: int
    source: str  # e.g. "import", "stats"
    items: list[RollItem] = field(default_factory=list)

    def of(self, move: str) -> list[RollItem]:
        return [item for item in self.items if item.move == move]

    @property
    def entering(self) -> list[RollItem]:
        return self.of(ENTERING)

    @property
    def leaving(self) -> list[RollItem]:
        return self.of(LEAVING)

    @property
    def unchanged(self) -> list[RollItem]:
        return self.of(UNCHANGED)

    @property
    def counts(self) -> dict[str, int]:
        return {move: len(self.of(move)) for move in (ENTERING, LEAVING, UNCHANGED)}


def statuses_before(year: int, enterprise_ids=None) -> dict[int, bool]:
    """enterprise id -> above_size in its latest year before `year` (one query)."""
    rows = AnnualScale.objects.filter(year__lt=year)
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=enterprise_ids)
    latest: dict[int, bool] = {}
    for enterprise_id, above in rows.order_by("enterprise_id", "year").values_list(
        "enterprise_id", "above_size"
    ):
        latest[enterprise_id] = above  # ordered by year: the last one wins
    return latest


def plan_roll(
    year: int, source: Iterable[Decision], *, source_name: str = "", carry: bool = True
) -> RollPlan:
    """What the source would make of the year, nothing written. One decision per enterprise (the last wins).

    carry: an operating enterprise the source says nothing of keeps its status of the latest earlier year
    (unchanged, written for the year without a revenue), so that the year's roll covers every enterprise in
    business and the coverage check, which reads the latest year, does not take its silence for 规下. One closed
    or moved out is not carried: it has no status in a year it did not trade.
    """
    decisions = {d.enterprise_id: d for d in source}
    before = statuses_before(year)
    carried = {pk: above for pk, above in before.items() if pk not in decisions} if carry else {}
    enterprises = Enterprise.objects.in_bulk([*decisions, *carried])
    carried = {
        pk: above for pk, above in carried.items() if enterprises[pk].status == EnterpriseStatus.OPERATING
    }
    plan = RollPlan(year, source_name)
    for enterprise_id, decision in decisions.items():
        previous = before.get(enterprise_id)
        if decision.above_size and not previous:
            move = ENTERING
        elif not decision.above_size and previous:
            move = LEAVING
        else:
            move = UNCHANGED
        plan.items.append(
            RollItem(
                enterprises[enterprise_id],
                decision.above_size,
                decision.revenue,
                previous,
                move,
                decision.where,
            )
        )
    for enterprise_id, previous in carried.items():
        plan.items.append(
            RollItem(enterprises[enterprise_id], previous, None, previous, UNCHANGED, carried=True)
        )
    plan.items.sort(key=lambda item: (item.carried, item.enterprise.name))
    return plan


@transaction.atomic
def commit_roll(plan: RollPlan, user) -> int:
    """Write the plan's AnnualScale rows for its year (with history, all or nothing); returns rows written.

    A row that already says the same for the year is left alone (no history record). The event ROLL_COMMITTED is
    announced in the same transaction, so a listener that fails undoes the roll too.
    """
    if not can_run_scale_roll(user):
        raise PermissionDenied
    existing = {
        row.enterprise_id: row
        for row in AnnualScale.objects.select_for_update().filter(
            year=plan.year, enterprise_id__in=[item.enterprise.pk for item in plan.items]
        )
    }
    written = 0
    for item in plan.items:
        row = existing.get(item.enterprise.pk)
        revenue = None if item.revenue is None else Decimal(item.revenue)
        if row is None:
            row = AnnualScale(enterprise=item.enterprise, year=plan.year)
        elif row.above_size == item.above_size and (revenue is None or row.revenue == revenue):
            continue
        row.above_size = item.above_size
        if revenue is not None:
            row.revenue = revenue
        row._history_user = user
        row.save()
        written += 1
    announce(ROLL_COMMITTED, plan, user)
    return written


def year_counts() -> list[dict]:
    """The years on record with their 规上 and 规下 counts, newest first (for the roll page)."""
    return list(
        AnnualScale.objects.values("year")
        .annotate(above=Count("pk", filter=Q(above_size=True)), below=Count("pk", filter=Q(above_size=False)))
        .order_by("-year")
    )


def default_year() -> int:
    """The year a roll is usually made for: last year (the statistics office's list arrives in the new year)."""
    return timezone.localdate().year - 1
