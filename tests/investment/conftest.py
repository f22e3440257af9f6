"""The zone of tests/conftest.py plus 招商 staff and one project per visibility case.

Projects: p_grid1 (enterprise above1, grid G01), p_grid2 (above2, grid G02), p_comm1 (below1, community C01),
p_none (no enterprise yet). Persona `investment`: a handler of the 招商服务局 (handles_investment).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jingkai.core.models import Role
from jingkai.investment import services
from jingkai.investment.models import Project
from tests import factories as f


def make_project(user, code: str, **extra) -> Project:
    data = {"code": code, "name": f"项目{code}", "investor": "某投资方", "kind": "new"} | extra
    return services.create_project(data, user, stage=extra.pop("stage", "lead"))


@pytest.fixture
def inv(zone):
    dept = f.DepartmentFactory(code="invest", name="招商服务局", handles_investment=True)
    staff = f.UserFactory(username="investment", role=Role.DEPARTMENT, department=dept)
    zone.users["investment"] = staff
    zone.p_grid1 = make_project(staff, "P1", enterprise=zone.above1)
    zone.p_grid2 = make_project(staff, "P2", enterprise=zone.above2)
    zone.p_comm1 = make_project(staff, "P3", enterprise=zone.below1)
    zone.p_none = make_project(staff, "P4")
    return zone


def signed_values(**extra):
    return {
        "owner": None,
        "contract_on": dt.date(2022, 3, 1),
        "total_investment": Decimal("200000000"),
    } | extra
