"""Stage gates, backwards moves, arrivals by period, currencies, capital increases, status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext

from jingkai.enterprises.models import CapitalChange
from jingkai.investment import queries, services
from jingkai.investment.models import Arrival, ExchangeRate, Milestone, StageEvent
from tests.investment.conftest import make_project

D = dt.date


def to_signed(project, user, **extra):
    services.move_stage(project, "negotiating", user, values={"owner": user})
    return services.move_stage(
        project,
        "signed",
        user,
        values={"contract_on": D(2022, 3, 1), "total_investment": Decimal("200000000")} | extra,
    )


def test_signing_requires_its_fields_and_names_them(inv):
    staff = inv["investment"]
    services.move_stage(inv.p_none, "negotiating", staff, values={"owner": staff})
    with pytest.raises(ValidationError) as exc:
        services.move_stage(inv.p_none, "signed", staff, values={})
    assert set(exc.value.message_dict) == {"contract_on", "total_investment"}
    inv.p_none.refresh_from_db()
    assert inv.p_none.stage == "negotiating"
    assert StageEvent.objects.filter(project=inv.p_none).count() == 2  # created + negotiating


def test_foreign_project_needs_contracted_foreign_capital_to_sign(inv):
    staff = inv["investment"]
    project = make_project(staff, "F1", origin="foreign", country="JP")
    services.move_stage(project, "negotiating", staff, values={"owner": staff})
    with pytest.raises(ValidationError) as exc:
        services.move_stage(
            project, "signed", staff, values={"contract_on": D(2022, 3, 1), "total_investment": Decimal(1)}
        )
    assert set(exc.value.message_dict) == {"contract_foreign_capital"}


def test_approval_needs_date_and_number_and_the_log_records_dates(inv):
    staff = inv["investment"]
    to_signed(inv.p_none, staff)
    with pytest.raises(ValidationError) as exc:
        services.move_stage(inv.p_none, "approved", staff, values={"approval_on": D(2022, 4, 1)})
    assert set(exc.value.message_dict) == {"approval_number"}
    services.move_stage(
        inv.p_none,
        "approved",
        staff,
        values={"approval_on": D(2022, 4, 1), "approval_number": "备〔2022〕1号"},
    )
    log = list(StageEvent.objects.filter(project=inv.p_none).values_list("to_stage", "on"))
    assert log[-2:] == [("signed", D(2022, 3, 1)), ("approved", D(2022, 4, 1))]


def test_approval_before_signing_is_refused(inv):
    staff = inv["investment"]
    to_signed(inv.p_none, staff)
    with pytest.raises(ValidationError) as exc:
        services.move_stage(
            inv.p_none, "approved", staff, values={"approval_on": D(2022, 2, 1), "approval_number": "x"}
        )
    assert "approval_on" in exc.value.message_dict


@pytest.mark.parametrize("target", ["lead", "approved"])
def test_backwards_or_skipping_is_refused_with_a_reason(inv, target):
    staff = inv["investment"]
    services.move_stage(inv.p_none, "negotiating", staff, values={"owner": staff})
    with pytest.raises(ValidationError) as exc:
        services.move_stage(inv.p_none, target, staff)
    message = " ".join(exc.value.messages)
    assert gettext("Only a zone administrator may override it.") in message
    inv.p_none.refresh_from_db()
    assert inv.p_none.stage == "negotiating"


def test_admin_overrides_backwards_only_with_a_recorded_reason(inv):
    staff, admin = inv["investment"], inv["zone_admin"]
    services.move_stage(inv.p_none, "negotiating", staff, values={"owner": staff})
    with pytest.raises(ValidationError) as exc:
        services.move_stage(inv.p_none, "lead", admin)
    assert "override_reason" in exc.value.message_dict
    services.move_stage(inv.p_none, "lead", admin, override_reason="投资方重新评估")
    event = StageEvent.objects.filter(project=inv.p_none).last()
    assert (event.from_stage, event.to_stage, event.override_reason, event.by) == (
        "negotiating",
        "lead",
        "投资方重新评估",
        admin,
    )
    assert inv.p_none.history.first().history_change_reason == "投资方重新评估"


def test_admin_skip_still_needs_the_skipped_stages_fields(inv):
    admin = inv["zone_admin"]
    with pytest.raises(ValidationError) as exc:
        services.move_stage(inv.p_none, "signed", admin, override_reason="补录", values={"owner": admin})
    assert {"contract_on", "total_investment"} <= set(exc.value.message_dict)


def test_grid_staff_and_other_departments_cannot_change_the_ledger(inv):
    for persona in ("grid_officer", "department", "enterprise"):
        with pytest.raises(PermissionDenied):
            services.move_stage(inv.p_grid1, "negotiating", inv[persona], values={"owner": inv[persona]})


def test_terminated_project_does_not_move_and_status_needs_a_reason(inv):
    staff = inv["investment"]
    with pytest.raises(ValidationError):
        services.set_status(inv.p_none, "terminated", staff, reason=" ")
    services.set_status(inv.p_none, "terminated", staff, reason="投资方撤资", on=D(2022, 5, 1))
    with pytest.raises(ValidationError):
        services.move_stage(inv.p_none, "negotiating", staff, values={"owner": staff})


def milestone_rag(milestone, on, warn_days=7) -> str:
    """The RAG of one milestone, as the project page reads it (the rule lives in SQL: queries.py)."""
    return queries.with_milestone_rag(Milestone.objects.filter(pk=milestone.pk), on, warn_days).get().rag


def test_milestone_actual_date_and_rag(inv):
    staff = inv["investment"]
    services.set_milestone(inv.p_none, "negotiating", D(2022, 1, 10), staff)
    services.set_milestone(inv.p_none, "signed", D(2022, 2, 1), staff)
    services.move_stage(inv.p_none, "negotiating", staff, values={"owner": staff}, on=D(2022, 1, 20))
    ms = Milestone.objects.get(project=inv.p_none, stage="negotiating")
    assert ms.actual_on == D(2022, 1, 20)
    assert milestone_rag(ms, D(2022, 1, 25)) == "amber"  # reached, but late
    signed = Milestone.objects.get(project=inv.p_none, stage="signed")
    assert milestone_rag(signed, D(2022, 1, 1), 7) == "green"
    assert milestone_rag(signed, D(2022, 1, 28), 7) == "amber"
    assert milestone_rag(signed, D(2022, 2, 2), 7) == "red"
    rag = dict(services.with_rag(type(inv.p_none).objects.all(), D(2022, 2, 2), 7).values_list("code", "rag"))
    assert rag["P4"] == "red" and rag["P1"] == "green"


def arrival(project, user, on, kind, amount, currency=None):
    return services.add_arrival(
        project, {"on": on, "kind": kind, "amount": Decimal(amount), "currency": currency}, user
    )


def test_arrivals_are_summed_by_period_edges(inv):
    staff = inv["investment"]
    project = make_project(staff, "F2", origin="foreign", country="DE")
    arrival(project, staff, D(2022, 12, 31), "foreign", "1000000")
    arrival(project, staff, D(2023, 1, 1), "foreign", "2000000")
    arrival(inv.p_none, staff, D(2022, 1, 1), "domestic", "5000000")
    arrival(inv.p_none, staff, D(2021, 12, 31), "domestic", "7000000")
    y2022 = services.summary(staff, D(2022, 1, 1), D(2022, 12, 31))["figures"]
    y2023 = services.summary(staff, D(2023, 1, 1), D(2023, 12, 31))["figures"]
    assert y2022["foreign_arrived"]["value"] == Decimal("1000000")
    assert y2022["domestic_arrived"]["value"] == Decimal("5000000")
    assert y2023["foreign_arrived"]["value"] == Decimal("2000000")
    day = services.summary(staff, D(2022, 12, 31), D(2022, 12, 31))["figures"]
    assert day["foreign_arrived"]["value"] == Decimal("1000000") and day["domestic_arrived"]["value"] == 0


def test_currency_is_never_mixed(inv):
    staff = inv["investment"]
    project = make_project(staff, "F3", origin="foreign", country="JP")
    with pytest.raises(ValidationError) as exc:
        arrival(project, staff, D(2022, 5, 1), "foreign", "100", currency="CNY")
    assert "currency" in exc.value.message_dict
    with pytest.raises(ValidationError):
        arrival(inv.p_none, staff, D(2022, 5, 1), "foreign", "100")  # a domestic project
    arrival(project, staff, D(2022, 5, 1), "foreign", "300000")
    arrival(project, staff, D(2022, 5, 2), "domestic", "700000")
    figures = services.summary(staff, D(2022, 1, 1), D(2022, 12, 31))["figures"]
    assert (figures["foreign_arrived"]["value"], figures["foreign_arrived"]["currency"]) == (
        Decimal("300000"),
        "USD",
    )
    assert (figures["domestic_arrived"]["value"], figures["domestic_arrived"]["currency"]) == (
        Decimal("700000"),
        "CNY",
    )
    assert Arrival.objects.count() == 2


def test_above_yi_counts_usd_only_with_the_filing_months_rate(inv):
    staff = inv["investment"]
    big_usd = make_project(staff, "F4", origin="foreign", country="JP", total_investment_currency="USD")
    services.move_stage(big_usd, "negotiating", staff, values={"owner": staff})
    services.move_stage(
        big_usd,
        "signed",
        staff,
        values={
            "contract_on": D(2022, 3, 1),
            "total_investment": Decimal("20000000"),  # 2000万美元
            "contract_foreign_capital": Decimal("10000000"),
        },
    )
    services.move_stage(
        big_usd, "approved", staff, values={"approval_on": D(2022, 4, 5), "approval_number": "1"}
    )
    result = services.summary(staff, D(2022, 1, 1), D(2022, 12, 31))
    assert result["figures"]["approved_projects"]["value"] == 1
    assert result["figures"]["above_yi_filed"]["value"] == 0
    assert "F4" in result["notes"][0]  # no silent 1:1
    ExchangeRate.objects.create(month=D(2022, 4, 1), currency="USD", rate_to_cny=Decimal("6.4"))
    result = services.summary(staff, D(2022, 1, 1), D(2022, 12, 31))
    assert result["figures"]["above_yi_filed"]["value"] == 1 and result["notes"] == []
    assert result["figures"]["contract_foreign"]["display"] == "0.1亿美元"


def test_capital_increase_approval_adds_one_capital_change(inv):
    staff = inv["investment"]
    ent = inv.above1
    ent.registered_capital, ent.total_investment = Decimal("1000000"), Decimal("3000000")
    ent.registered_capital_currency = ent.total_investment_currency = "USD"
    ent.save()
    project = make_project(
        staff,
        "Z1",
        kind="increase",
        enterprise=ent,
        origin="foreign",
        country="JP",
        total_investment_currency="USD",
        registered_capital_increase=Decimal("500000"),
    )
    services.move_stage(project, "negotiating", staff, values={"owner": staff})
    services.move_stage(
        project,
        "signed",
        staff,
        values={
            "contract_on": D(2022, 3, 1),
            "total_investment": Decimal("2000000"),
            "contract_foreign_capital": Decimal("500000"),
        },
    )
    services.move_stage(
        project, "approved", staff, values={"approval_on": D(2022, 4, 5), "approval_number": "1"}
    )
    change = CapitalChange.objects.get(enterprise=ent)
    assert (change.kind, change.currency, change.changed_on) == ("increase", "USD", D(2022, 4, 5))
    assert (change.registered_capital_before, change.registered_capital_after) == (
        Decimal("1000000"),
        Decimal("1500000"),
    )
    assert (change.total_investment_before, change.total_investment_after) == (
        Decimal("3000000"),
        Decimal("5000000"),
    )
    ent.refresh_from_db()
    assert (ent.registered_capital, ent.total_investment) == (Decimal("1500000"), Decimal("5000000"))
    services.update_project(project, {"note": "再次保存"}, staff)
    assert CapitalChange.objects.filter(enterprise=ent).count() == 1
    # The booked figures are fixed: changing them would leave the registry on the old ones.
    with pytest.raises(ValidationError) as refused:
        services.update_project(project, {"total_investment": Decimal("2500000")}, staff)
    assert "total_investment" in refused.value.message_dict
    project.refresh_from_db()
    ent.refresh_from_db()
    assert project.total_investment == Decimal("2000000") and ent.total_investment == Decimal("5000000")


def test_capital_increase_in_another_currency_is_refused(inv):
    staff = inv["investment"]
    ent = inv.above2
    ent.registered_capital_currency = ent.total_investment_currency = "USD"
    ent.registered_capital = ent.total_investment = Decimal("1000000")
    ent.save()
    project = make_project(staff, "Z2", kind="increase", enterprise=ent)  # CNY
    services.move_stage(project, "negotiating", staff, values={"owner": staff})
    services.move_stage(
        project,
        "signed",
        staff,
        values={"contract_on": D(2022, 3, 1), "total_investment": Decimal("2000000")},
    )
    with pytest.raises(ValidationError):
        services.move_stage(
            project, "approved", staff, values={"approval_on": D(2022, 4, 5), "approval_number": "1"}
        )
    assert not CapitalChange.objects.filter(enterprise=ent).exists()
    project.refresh_from_db()
    assert project.stage == "signed"


def test_summary_by_country_and_chain(inv):
    staff = inv["investment"]
    jp = make_project(staff, "F5", origin="foreign", country="JP")
    de = make_project(staff, "F6", origin="foreign", country="DE")
    arrival(jp, staff, D(2022, 6, 1), "foreign", "100")
    arrival(de, staff, D(2022, 6, 1), "foreign", "50")
    arrival(de, staff, D(2022, 7, 1), "foreign", "25")
    groups = services.summary(staff, D(2022, 1, 1), D(2022, 12, 31), by="country")["groups"]
    assert {g["label"]: g["figures"]["foreign_arrived"]["value"] for g in groups} == {
        "日本": Decimal(100),
        "德国": Decimal(75),
    }
    with pytest.raises(ValidationError):
        services.summary(staff, D(2022, 1, 1), D(2022, 12, 31), by="colour")


def test_the_command_prints_a_period_and_refuses_bad_dates(inv):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    staff = inv["investment"]
    arrival(inv.p_none, staff, D(2022, 12, 31), "domestic", "150000000")
    out = io.StringIO()
    call_command("investment_summary", date_from="2022-12-31", date_to="2023-01-01", stdout=out)
    text = out.getvalue()
    assert "2022-12-31" in text and "1.5亿元" in text
    with pytest.raises(CommandError):
        call_command("investment_summary", date_from="2022-13-01", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("investment_summary", date_from="2023-01-02", date_to="2023-01-01", stdout=io.StringIO())
