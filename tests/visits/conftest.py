from __future__ import annotations

import datetime as dt

import pytest

from jingkai.visits.models import VisitKind
from jingkai.visits.services import log_visit

VISIT_DAY = dt.date(2023, 5, 10)


@pytest.fixture
def visits(zone):
    """One visit to each of the zone's four enterprises, logged by the zone administrator."""
    out = {}
    for key in ("above1", "above2", "below1", "below2"):
        out[key] = log_visit(
            actor=zone["zone_admin"],
            enterprise=getattr(zone, key),
            visited_on=VISIT_DAY,
            kind=VisitKind.OFFICER,
            policies=f"{key} 稳岗补贴政策宣讲",
            policy_tags="稳岗补贴, 研发费用加计扣除",
            notes=f"内部备注-{key}",
        )
    return out
