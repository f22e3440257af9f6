"""The incremental refresh equals a rebuild: random edits, each reaching the rollups the way production does.

Every edit goes through the path a user's would: monthly rows written and announced as the statistics import does
(stats.services.refresh_analytics, with or without the enterprise ids), enterprises saved (their grid, park,
group, capital origin), 规上 rows added, changed or deleted, chain memberships added, moved or deleted, a chain's
digital-economy flag toggled, monthly rows deleted. The registry's signals announce, analytics' listeners call
services.schedule_refresh, the commit runs engine.refresh_changes. After every edit the Rollup and TopEnterprise
tables (every row, every column) must equal what refresh_all() builds from scratch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jingkai.analytics import engine
from jingkai.analytics.models import ROLLUP_VALUE_FIELDS, Rollup, TopEnterprise
from jingkai.chains.models import Chain, ChainMembership
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.models import MonthlyReport
from jingkai.stats.services import refresh_analytics
from tests import factories as f

YI = Decimal(100_000_000)
MONTHS = [
    dt.date(2021, 11, 1),
    dt.date(2021, 12, 1),
    dt.date(2022, 11, 1),
    dt.date(2022, 12, 1),
    dt.date(2023, 12, 1),
]
YEARS = [2021, 2022, 2023]
N_ENTERPRISES = 6
AMOUNTS = st.sampled_from([None, Decimal(0), Decimal("3.5"), Decimal(40), Decimal(120), Decimal(150)])

imports = st.tuples(
    st.just("import"),
    st.sampled_from(MONTHS),
    st.lists(st.integers(0, N_ENTERPRISES - 1), min_size=1, max_size=N_ENTERPRISES, unique=True),
    st.lists(st.tuples(AMOUNTS, AMOUNTS), min_size=N_ENTERPRISES, max_size=N_ENTERPRISES),
    st.booleans(),  # the ids are announced (else: the whole periods)
)
deletions = st.tuples(st.just("delete_rows"), st.sampled_from(MONTHS), st.integers(0, N_ENTERPRISES - 1))
moves = st.tuples(
    st.just("move"),
    st.integers(0, N_ENTERPRISES - 1),
    st.sampled_from(["grid", "park", "group"]),
    st.integers(-1, 2),  # -1: none
)
origins = st.tuples(
    st.just("origin"),
    st.integers(0, N_ENTERPRISES - 1),
    st.sampled_from([("domestic", ""), ("foreign", "JP"), ("foreign", "DE"), ("hmt", "HK"), ("hmt", "")]),
)
scales = st.tuples(
    st.just("scale"),
    st.integers(0, N_ENTERPRISES - 1),
    st.sampled_from(YEARS),
    st.sampled_from([True, False, None]),  # None: delete the year's row
)
memberships = st.tuples(
    st.just("membership"),
    st.integers(0, N_ENTERPRISES - 1),
    st.integers(0, 2),
    st.sampled_from(["add", "remove", "move"]),
)
flags = st.tuples(st.just("flag"), st.integers(0, 2))
edit = st.one_of(imports, deletions, moves, origins, scales, memberships, flags)
# Transactions of one to three edits (refreshed together at the commit, merged by engine.merged).
transactions = st.lists(st.lists(edit, min_size=1, max_size=3), min_size=1, max_size=6)


def snapshot() -> tuple[list, list]:
    rollups = sorted(
        Rollup.objects.values_list(
            "period", "dimension", "member", "enterprises", "comparable", *ROLLUP_VALUE_FIELDS
        )
    )
    top = sorted(
        TopEnterprise.objects.values_list(
            "period", "kind", "measure", "enterprise_id", "cum", "last_year_cum"
        ),
        key=repr,
    )
    return rollups, top


def rebuilt() -> tuple[list, list]:
    """What refresh_all() builds from scratch, without keeping it (the incremental state stays)."""
    sid = transaction.savepoint()
    engine.refresh_all()
    result = snapshot()
    transaction.savepoint_rollback(sid)
    return result


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _world()


def _world():
    grids = [f.GridFactory() for _ in range(3)]
    parks = [f.ParkFactory() for _ in range(3)]
    groups = [f.GroupFactory() for _ in range(3)]
    chains = [
        Chain.objects.create(code=f"c{i}", name=f"测试链{i}", is_digital_economy=(i == 0)) for i in range(3)
    ]
    enterprises = [f.EnterpriseFactory(grid=grids[i % 3], park=parks[i % 2]) for i in range(N_ENTERPRISES)]
    # A starting state in which every edit matters: 规上 rows (one enterprise 规下 in 2022), figures in every
    # month, memberships (enterprise 1 in two chains), the rollups built.
    for i, enterprise in enumerate(enterprises):
        for year in YEARS:
            AnnualScale.objects.create(
                enterprise=enterprise, year=year, above_size=not (i == 5 and year == 2022)
            )
        for k, period in enumerate(MONTHS):
            if (i + k) % 4:
                MonthlyReport.objects.create(
                    enterprise=enterprise, period=period, output_cum=(10 * i + k) * YI, output_month=i * YI
                )
    for i, chain in ((0, 0), (1, 0), (1, 1), (2, 2), (3, 1)):
        ChainMembership.objects.create(enterprise=enterprises[i], chain=chains[chain])
    engine.refresh_all()
    return {"grid": grids, "park": parks, "group": groups, "chain": chains, "enterprise": enterprises}


def apply(edit, world) -> None:
    kind = edit[0]
    enterprises = world["enterprise"]
    if kind == "import":
        _, period, picked, amounts, with_ids = edit
        for index in picked:
            cum, month = amounts[index]
            MonthlyReport.objects.update_or_create(
                enterprise=enterprises[index],
                period=period,
                defaults={
                    "output_cum": None if cum is None else cum * YI,
                    "output_month": None if month is None else month * YI,
                    "revenue_cum": None if cum is None else cum * 2 * YI,
                    "employees_cum": None if month is None else int(month),
                },
            )
        refresh_analytics([period], [enterprises[i].pk for i in picked] if with_ids else None)
    elif kind == "delete_rows":
        _, period, index = edit
        MonthlyReport.objects.filter(enterprise=enterprises[index], period=period).delete()
        refresh_analytics([period], [enterprises[index].pk])
    elif kind == "move":
        _, index, dimension, target = edit
        enterprise = Enterprise.objects.get(pk=enterprises[index].pk)
        setattr(enterprise, dimension, None if target < 0 else world[dimension][target])
        enterprise.save()
    elif kind == "origin":
        _, index, (origin, country) = edit
        enterprise = Enterprise.objects.get(pk=enterprises[index].pk)
        enterprise.origin, enterprise.origin_country = origin, country
        enterprise.save()
    elif kind == "scale":
        _, index, year, above = edit
        row = AnnualScale.objects.filter(enterprise=enterprises[index], year=year).first()
        if above is None:
            if row is not None:
                row.delete()
        elif row is None:
            AnnualScale.objects.create(enterprise=enterprises[index], year=year, above_size=above)
        else:
            row.above_size = above
            row.save()
    elif kind == "membership":
        _, index, chain, action = edit
        chain = world["chain"][chain]
        existing = ChainMembership.objects.filter(enterprise=enterprises[index]).order_by("pk").first()
        if action == "add":
            ChainMembership.objects.get_or_create(enterprise=enterprises[index], chain=chain)
        elif action == "remove" and existing is not None:
            existing.delete()
        elif (
            action == "move"
            and existing is not None
            and not ChainMembership.objects.filter(enterprise=enterprises[index], chain=chain).exists()
        ):
            existing.chain = chain
            existing.save()
    elif kind == "flag":
        chain = Chain.objects.get(pk=world["chain"][edit[1]].pk)
        chain.is_digital_economy = not chain.is_digital_economy
        chain.save()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=transactions)
# Found on PostgreSQL: rows deleted, then the enterprise moved, in one transaction (the old member's month).
@example(steps=[[("delete_rows", dt.date(2021, 11, 1), 1), ("origin", 1, ("foreign", "JP"))]])
@example(
    steps=[[("move", 2, "grid", 0), ("import", dt.date(2022, 12, 1), [2], [(Decimal(5), None)] * 6, True)]]
)
def test_incremental_refresh_equals_a_rebuild(world, django_capture_on_commit_callbacks, steps):
    sid = transaction.savepoint()
    try:
        for step in steps:
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                for one in step:
                    apply(one, world)
            assert snapshot() == rebuilt(), step
    finally:
        transaction.savepoint_rollback(sid)


def test_a_grid_move_refreshes_only_the_two_grids(world, django_capture_on_commit_callbacks):
    """A registry edit touches the old and the new member in the months the enterprise has rows in."""
    a = world["enterprise"][0]  # grid 0, park 0, figures in MONTHS[1:4]
    old_grid, new_grid = a.grid, world["grid"][2]
    untouched = Rollup.objects.get(period=MONTHS[3], dimension="park", member=str(a.park_id)).pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enterprise = Enterprise.objects.get(pk=a.pk)
        enterprise.grid = new_grid
        enterprise.save()
    assert len(callbacks) == 1
    grids = dict(
        Rollup.objects.filter(period=MONTHS[3], dimension="grid").values_list("member", "output_cum")
    )
    # Grid 2 held enterprises 2 and 5 (5 is 规下 in 2022): now 2 and 0; grid 0 keeps enterprise 3.
    assert grids[str(new_grid.pk)] == (23 + 3) * YI
    assert grids[str(old_grid.pk)] == 33 * YI
    # The park's row was not recomputed (same id): only the touched rows are deleted and inserted.
    assert Rollup.objects.get(period=MONTHS[3], dimension="park", member=str(a.park_id)).pk == untouched
    assert snapshot() == rebuilt()


def test_the_changes_of_one_transaction_are_refreshed_once(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(engine, "refresh_changes", lambda changes: calls.append(changes))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for enterprise in world["enterprise"]:
            enterprise.group = world["group"][0]
            enterprise.save()
    assert len(calls) == 1
    assert len(calls[0]) == N_ENTERPRISES
    assert {c["dimension"] for c in calls[0]} == {"group"}


def test_a_rolled_back_savepoint_leaves_nothing_to_refresh(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(engine, "refresh_changes", lambda changes: calls.append(changes))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                enterprise = world["enterprise"][0]
                enterprise.group = world["group"][1]
                enterprise.save()
                raise RuntimeError
        except RuntimeError:
            pass
        chain = Chain.objects.get(pk=world["chain"][1].pk)
        chain.is_digital_economy = True
        chain.save()
    assert calls == [[{"kind": "digital", "chains": [world["chain"][1].pk]}]]


def test_the_enterprise_service_and_the_roll_reach_the_rollups(world, django_capture_on_commit_callbacks):
    """A zone administrator's edit through enterprises.services, and a 规上 row saved as the roll saves it."""
    from jingkai.enterprises.services import update_enterprise

    admin = f.UserFactory(role="zone_admin")
    enterprise = Enterprise.objects.get(pk=world["enterprise"][1].pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update_enterprise(enterprise, {"grid": world["grid"][0], "group": world["group"][2]}, admin)
    assert callbacks
    assert snapshot() == rebuilt()
    group = {"period": MONTHS[2], "dimension": "group", "member": str(world["group"][2].pk)}
    assert Rollup.objects.filter(**group).exists()  # enterprise 1 alone, 2022-11
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = AnnualScale.objects.select_for_update().get(enterprise=enterprise, year=2022)
        row.above_size = False
        row.save()
    assert not Rollup.objects.filter(
        period=MONTHS[3], dimension="group", member=str(world["group"][2].pk)
    ).exists()
    assert snapshot() == rebuilt()
