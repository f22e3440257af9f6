"""Demo data of this app, loaded by jingkai demo right after the monthly statistics (see jingkai.demo.extensions).

The rollups are rebuilt from the monthly rows (stats' loader also asks for it when its transaction commits);
the targets are the 2023 goals of SEED-FACTS.md: an output increment of 100亿元 over 2022 for the zone, the two
leading chains (汽车电子, 高端机床) at 百亿 scale, the 尼得科 group above 100亿 (百亿企群), and 日本电产汽车马达's aim
of at least 40亿元. The demo's statistics continue to the load date, so every later year up to the current one has
goals too (`_later_targets`, invented for the demo, not from the documents): the zone's output increment of about
6% over the previous year's output (rounded to 10亿元), and the standing 五个百亿 goals (the two chains at 百亿, the
尼得科 group above 100亿).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingkai.analytics import engine
from jingkai.analytics.models import Target, TargetKind, TargetScope
from jingkai.chains.models import Chain
from jingkai.core.money import YI
from jingkai.enterprises.models import Enterprise, EnterpriseGroup

YEAR = 2023
LATER_GROWTH = Decimal("0.06")  # the later years' zone goal: about 6% over the previous year's output


def _targets() -> list[Target]:
    targets = [
        Target(
            scope=TargetScope.ZONE,
            measure="output",
            year=YEAR,
            kind=TargetKind.INCREMENT,
            value=100 * YI,
            title="全年产值百亿元增量",
        )
    ]
    targets += _hundred_yi_goals(YEAR)
    motor = Enterprise.objects.filter(name="日本电产汽车马达（浙江）有限公司").first()
    if motor is not None:
        targets.append(
            Target(
                scope=TargetScope.ENTERPRISE,
                enterprise=motor,
                year=YEAR,
                value=Decimal(40) * YI,
                title="日本电产汽车马达产值40亿元",
            )
        )
    return targets


def _hundred_yi_goals(year: int) -> list[Target]:
    """The standing 五个百亿 goals of a year: the two leading chains at 百亿, the 尼得科 group above 100亿."""
    targets = [
        Target(
            scope=TargetScope.CHAIN, chain=chain, year=year, value=100 * YI, title=f"百亿产业：{chain.name}"
        )
        for chain in Chain.objects.filter(name__in=["汽车电子", "高端机床"]).order_by("code")
    ]
    group = EnterpriseGroup.objects.filter(short_name="尼得科").first()
    if group is not None:
        targets.append(
            Target(scope=TargetScope.GROUP, group=group, year=year, value=100 * YI, title="百亿企群：尼得科")
        )
    return targets


def _later_targets(today: dt.date) -> list[Target]:
    """The goals of every year after YEAR up to today's whose previous December is loaded (see the module doc)."""
    targets = []
    for year in range(YEAR + 1, today.year + 1):
        base = engine.summary(dt.date(year - 1, 12, 1), "zone").total.cum
        if not base:
            break
        step = 10 * YI
        increment = max(step, (base * LATER_GROWTH / step).quantize(Decimal(1)) * step)
        title = f"全年产值增量{(increment / YI).quantize(Decimal(1))}亿元"
        targets.append(
            Target(
                scope=TargetScope.ZONE, measure="output", year=year, kind=TargetKind.INCREMENT,
                value=increment, title=title,
            )
        )  # fmt: skip
        targets += _hundred_yi_goals(year)
    return targets


def load(seed: int, stdout=None) -> dict:
    started = time.perf_counter()
    with transaction.atomic():
        periods = engine.refresh_all()
        # bulk_create skips simple-history's signals: the demo's targets start without history rows.
        targets = Target.objects.bulk_create(_targets() + _later_targets(timezone.localdate()))
    if stdout is not None:
        stdout.write(
            _("Economic operation: %(periods)d months aggregated, %(targets)d targets in %(seconds).1f s")
            % {"periods": periods, "targets": len(targets), "seconds": time.perf_counter() - started}
        )
    return {"rollup_periods": periods, "targets": len(targets)}


def scale(n: int, seed: int, stdout=None) -> int:
    """After `--scale N` added monthly rows for N synthetic enterprises: rebuild the rollups over all of them."""
    started = time.perf_counter()
    periods = engine.refresh_all()
    if stdout is not None:
        stdout.write(
            _("Economic operation: %(periods)d months aggregated in %(seconds).1f s")
            % {"periods": periods, "seconds": time.perf_counter() - started}
        )
    return periods
