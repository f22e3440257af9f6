"""The enterprise import never assumes a currency or a unit (issue 10 §4).

Every money column states its unit and currency in its header (注册资本（万元）), or takes what the header leaves
out from the sheet's units row (单位：万美元) and its currency column (注册资本币种). An amount is never converted
between currencies: a contradiction is a located error and the file writes nothing.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core import importing
from jingkai.core.importing import UNCHANGED, UPDATE
from jingkai.core.models import ImportBatch
from jingkai.enterprises import exports, importers
from jingkai.enterprises.importers import EnterpriseImporter
from jingkai.enterprises.models import Enterprise
from tests import factories as f
from tests.core.imports.helpers import NAME, SHEET, USCC, located, new_row, sheet_of, table, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WAN = Decimal(10_000)
# The issue's case: an enterprise whose registered capital is recorded as 3635万美元.
USD_3635 = Decimal(36_350_000)

needs_preamble = pytest.mark.skipif(
    "preamble" not in {f_.name for f_ in dataclasses.fields(importing.SheetLayout)},
    reason="the kernel does not expose the rows above the header yet (core.importing.SheetLayout.preamble)",
)


def run(content: bytes, user, name: str = "名单.xlsx"):
    """Upload and commit as the views do."""
    batch = importing.record_upload(importers.KIND, name, content, user)
    return EnterpriseImporter().commit_batch(batch.pk, user)


def check(content: bytes, user):
    return EnterpriseImporter().validate(content, user, "名单.xlsx")


def with_units_row(units: list, rows: list[dict]) -> bytes:
    """A sheet with a title/units row above the header row."""
    return xlsx({SHEET: [units, *table(rows)]})


@pytest.fixture
def admin(zone):
    return zone["zone_admin"]


@pytest.fixture
def usd(db):
    """The issue's enterprise: registered capital 3635万美元, total investment 5000万美元."""
    return f.EnterpriseFactory(
        registered_capital=USD_3635,
        registered_capital_currency="USD",
        total_investment=Decimal(50_000_000),
        total_investment_currency="USD",
    )


def row_of(ent, **cells) -> dict:
    return {USCC: ent.uscc, NAME: ent.name, **cells}


def stored(ent) -> tuple:
    ent.refresh_from_db()
    return (
        ent.registered_capital,
        ent.registered_capital_currency,
        ent.total_investment,
        ent.total_investment_currency,
    )


# --- 1. the header states the unit and the currency -----------------------------------------------


@pytest.mark.parametrize(
    ("header", "typed", "amount", "currency"),
    [
        ("注册资本（万元）", 500, Decimal(5_000_000), "CNY"),
        ("注册资本（万美元）", 170.1, Decimal(1_701_000), "USD"),
        ("注册资本(万美元)", "1,234.5", Decimal(12_345_000), "USD"),  # half-width brackets, separators
        ("注册资本（万欧元）", 3, Decimal(30_000), "EUR"),
        ("注册资本（万日元）", 10, Decimal(100_000), "JPY"),
        ("注册资本（万港元）", 20, Decimal(200_000), "HKD"),
        ("注册资本（万港币）", 20, Decimal(200_000), "HKD"),
        ("注册资本（元）", "1234.5", Decimal("1234.50"), "CNY"),
        ("注册资本（美元）", 800_000, Decimal(800_000), "USD"),
        ("注册资本（亿元）", 1.5, Decimal(150_000_000), "CNY"),
        ("注册资本（亿美元）", 2, Decimal(200_000_000), "USD"),
        (" 注册资本 （ 万 美元 ） ", 7, Decimal(70_000), "USD"),  # spaces and full-width forms are folded
    ],
)
def test_the_header_states_unit_and_currency_of_a_new_enterprise(admin, header, typed, amount, currency):
    row = new_row(**{header: typed})
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.registered_capital, ent.registered_capital_currency) == (amount, currency)


def test_total_investment_reads_its_own_header(admin):
    row = new_row(**{"投资总额（万美元）": 1000, "注册资本（万元）": 300})
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.total_investment, ent.total_investment_currency) == (Decimal(10_000_000), "USD")
    assert (ent.registered_capital, ent.registered_capital_currency) == (Decimal(3_000_000), "CNY")


def test_a_header_that_only_contains_the_term_is_not_a_money_column(admin):
    """新增注册资本（万元） is another figure: recognised by whole headers, never by a substring."""
    row = new_row(**{"新增注册资本（万元）": 500, "注册资本（万美元）（备注）": 1})
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert ent.registered_capital is None
    assert any("新增注册资本（万元）" in n for n in report.notices)


def test_too_many_decimals_for_the_unit_is_an_error(admin):
    report = check(sheet_of(new_row(**{"注册资本（元）": "1.234"})), admin)
    assert located(report) == [(SHEET, 2, "注册资本（元）", "C")]
    assert "decimal places (at most 2)" in report.errors[0].reason
    report = check(sheet_of(new_row(**{"注册资本（亿元）": "0.00000000001"})), admin)
    assert "decimal places (at most 10)" in report.errors[0].reason


def test_a_bare_header_without_a_units_row_is_one_error_on_the_header_cell(admin):
    rows = [new_row(注册资本=500), new_row(注册资本=600), new_row(注册资本=None)]
    count = Enterprise.objects.count()
    _batch, report = run(sheet_of(*rows), admin)
    assert located(report) == [(SHEET, 1, "注册资本", "C")]
    reason = report.errors[0].reason
    assert "does not state the unit" in reason
    assert "注册资本（万元）" in reason and "单位：万元" in reason and "注册资本币种" in reason
    assert report.counts["error_rows"] == 0  # the header row, not three data rows
    assert Enterprise.objects.count() == count


# --- 1. … or the units row above the header --------------------------------------------------------


@needs_preamble
@pytest.mark.parametrize(
    ("units", "amount", "currency"),
    [
        (["单位：万元"], Decimal(5_000_000), "CNY"),
        (["金额单位：万美元"], Decimal(5_000_000), "USD"),
        (["平湖经开区企业名单", None, "（单位:万欧元）"], Decimal(5_000_000), "EUR"),
        (["2026年企业名单（金额单位：元）"], Decimal(500), "CNY"),
        (["单位：亿元、人"], Decimal(50_000_000_000), "CNY"),
    ],
)
def test_a_bare_header_takes_unit_and_currency_from_the_units_row(admin, units, amount, currency):
    row = new_row(注册资本=500)
    _batch, report = run(with_units_row(units, [row]), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.registered_capital, ent.registered_capital_currency) == (amount, currency)


@needs_preamble
def test_a_units_row_with_two_different_units_is_not_guessed_from(admin):
    row = new_row(注册资本=500)
    report = check(with_units_row(["单位：万元", "单位：万美元"], [row]), admin)
    assert located(report) == [(SHEET, 2, "注册资本", "C")]
    assert "more than one unit" in report.errors[0].reason


@needs_preamble
def test_a_units_row_that_is_not_a_money_unit_is_not_read_as_one(admin):
    """单位：万元人民币 or 单位：人 are not whole money terms: the bare header still lacks its unit."""
    for units in (["单位：人"], ["单位：万元人民币"], ["填报单位：经济发展局"]):
        report = check(with_units_row(units, [new_row(注册资本=500)]), admin)
        assert [e.column for e in report.errors] == ["注册资本"], units
        assert "does not state the unit" in report.errors[0].reason


@needs_preamble
def test_the_header_wins_over_the_units_row_for_what_it_states(admin):
    row = new_row(**{"注册资本（万美元）": 500})
    _batch, report = run(with_units_row(["单位：元"], [row]), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.registered_capital, ent.registered_capital_currency) == (Decimal(5_000_000), "USD")


@needs_preamble
def test_a_plain_wan_header_takes_its_currency_from_the_units_row(admin):
    row = new_row(**{"注册资本（万）": 500})
    _batch, report = run(with_units_row(["单位：万美元"], [row]), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.registered_capital, ent.registered_capital_currency) == (Decimal(5_000_000), "USD")


# --- 2. the header's currency and the row's 币种 must agree -----------------------------------------


def test_a_currency_column_that_contradicts_the_header_is_an_error_naming_both(admin):
    rows = [
        new_row(**{"注册资本（万元）": 500, "注册资本币种": "美元"}),
        new_row(**{"注册资本（万元）": 500, "注册资本币种": "人民币"}),
    ]
    count = Enterprise.objects.count()
    _batch, report = run(sheet_of(*rows), admin)
    assert located(report) == [(SHEET, 2, "注册资本币种", "D")]
    reason = report.errors[0].reason
    assert "美元" in reason and "人民币" in reason and "注册资本（万元）" in reason
    assert Enterprise.objects.count() == count


@needs_preamble
def test_a_currency_column_that_contradicts_the_units_row_is_an_error_naming_both(admin):
    row = new_row(**{"注册资本（万）": 500, "注册资本币种": "人民币"})
    report = check(with_units_row(["单位：万美元"], [row]), admin)
    assert located(report) == [(SHEET, 3, "注册资本币种", "D")]
    assert "单位：万美元" in report.errors[0].reason and "人民币" in report.errors[0].reason


def test_a_currency_column_that_agrees_with_the_header_is_fine(admin):
    row = new_row(**{"注册资本（万美元）": 500, "注册资本币种": "USD"})
    _batch, report = run(sheet_of(row), admin)
    assert report.ok, report.errors
    ent = Enterprise.objects.get(uscc=row[USCC])
    assert (ent.registered_capital, ent.registered_capital_currency) == (Decimal(5_000_000), "USD")


# --- 3. without a 币种 column, the stated currency must be the recorded one ---------------------------


def test_the_issue_case_rmb_header_over_a_usd_enterprise_is_refused_and_nothing_is_written(admin, usd):
    before, history = stored(usd), Enterprise.history.count()
    content = sheet_of(row_of(usd, **{"注册资本（万元）": 25000, "简称": "新简称"}))
    batch, report = run(content, admin)
    assert batch.status == ImportBatch.Status.REJECTED
    assert located(report) == [(SHEET, 2, "注册资本（万元）", "C")]
    reason = report.errors[0].reason
    assert reason == (
        "注册资本 is given in 万元 (人民币) but this enterprise's registered capital is recorded in 美元 "
        "(3635万美元); write it in 万美元, or add a “注册资本币种” column to change the currency"
    )
    assert stored(usd) == before and Enterprise.history.count() == history
    assert usd.short_name != "新简称"  # the good cells of the row are not written either


def test_the_issue_case_reads_naturally_in_chinese(admin, usd):
    content = sheet_of(row_of(usd, **{"注册资本（万元）": 25000}))
    with translation.override("zh-hans"):
        report = check(content, admin)
    reason = report.errors[0].reason
    assert "3635万美元" in reason and "万美元" in reason and "人民币" in reason
    assert "recorded" not in reason  # translated, not the English msgid


def test_the_same_currency_in_the_header_updates_and_shows_units(admin, usd):
    content = sheet_of(row_of(usd, **{"注册资本（万美元）": 25000, "投资总额（万美元）": 5000}))
    report = check(content, admin)
    assert report.ok, report.errors
    assert [(r.action, r.changes) for r in report.rows] == [
        (UPDATE, [{"column": "注册资本（万美元）", "before": "3635万美元", "after": "25000万美元"}])
    ]
    run(content, admin)
    assert stored(usd) == (Decimal(250_000_000), "USD", Decimal(50_000_000), "USD")


def test_a_header_in_another_unit_of_the_same_currency_is_fine(admin, usd):
    content = sheet_of(row_of(usd, **{"注册资本（美元）": 36_350_000}))
    report = check(content, admin)
    assert report.ok, report.errors
    assert [r.action for r in report.rows] == [UNCHANGED]


def test_a_stated_currency_sets_the_currency_when_nothing_is_recorded_yet(admin):
    ent = f.EnterpriseFactory(registered_capital=None, registered_capital_currency="CNY")
    report = check(sheet_of(row_of(ent, **{"注册资本（万美元）": 100})), admin)
    assert report.ok, report.errors
    assert report.rows[0].changes == [
        {"column": "注册资本（万美元）", "before": "", "after": "100万美元"},
        {"column": "注册资本币种", "before": "人民币", "after": "美元"},
    ]
    run(sheet_of(row_of(ent, **{"注册资本（万美元）": 100})), admin)
    ent.refresh_from_db()
    assert (ent.registered_capital, ent.registered_capital_currency) == (Decimal(1_000_000), "USD")


def test_a_plain_wan_header_without_a_currency_column_is_in_the_recorded_currency(admin, usd):
    report = check(sheet_of(row_of(usd, **{"注册资本（万）": 4000})), admin)
    assert report.ok, report.errors
    assert report.rows[0].changes == [
        {"column": "注册资本（万）", "before": "3635万美元", "after": "4000万美元"}
    ]


def test_a_plain_wan_header_without_a_currency_column_cannot_create(admin):
    """A new enterprise has no recorded currency to inherit: 注册资本（万） alone does not say which."""
    row = new_row(**{"注册资本（万）": 500})
    count = Enterprise.objects.count()
    _batch, report = run(sheet_of(row), admin)
    assert located(report) == [(SHEET, 2, "注册资本（万）", "C")]
    assert "currency of 注册资本 is not stated" in report.errors[0].reason
    assert Enterprise.objects.count() == count


def test_a_blank_amount_under_any_header_empties_the_field_without_a_currency_question(admin, usd):
    report = check(sheet_of(row_of(usd, **{"注册资本（万元）": None})), admin)
    assert report.ok, report.errors
    assert report.rows[0].changes == [{"column": "注册资本（万元）", "before": "3635万美元", "after": ""}]


# --- 4. the row's own 币种 may change the currency, and the preview says so ------------------------------


def test_a_currency_column_may_change_the_currency_and_the_preview_shows_it(admin, usd):
    content = sheet_of(row_of(usd, **{"注册资本（万）": 25000, "注册资本币种": "人民币"}))
    report = check(content, admin)
    assert report.ok, report.errors
    assert report.rows[0].changes == [
        {"column": "注册资本（万）", "before": "3635万美元", "after": "25000万元"},
        {"column": "注册资本币种", "before": "美元", "after": "人民币"},
    ]
    run(content, admin)
    assert stored(usd)[:2] == (Decimal(250_000_000), "CNY")


def test_the_same_figure_in_another_currency_is_shown_as_a_change_of_the_amount(admin, usd):
    report = check(sheet_of(row_of(usd, **{"注册资本（万）": 3635, "注册资本币种": "人民币"})), admin)
    assert report.rows[0].changes == [
        {"column": "注册资本（万）", "before": "3635万美元", "after": "3635万元"},
        {"column": "注册资本币种", "before": "美元", "after": "人民币"},
    ]


# --- 5. the preview page shows the amounts with their units ----------------------------------------------


def test_the_preview_page_shows_amounts_with_units(client, admin, usd):
    client.force_login(admin)
    content = sheet_of(row_of(usd, **{"注册资本（万）": "25,000.5", "注册资本币种": "人民币"}))
    response = client.post(
        reverse("enterprises:import"), {"file": SimpleUploadedFile("名单.xlsx", content, XLSX)}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "3635万美元 &rarr; 25000.5万元" in html
    assert "美元 &rarr; 人民币" in html


def test_the_preview_keeps_every_cent(admin):
    ent = f.EnterpriseFactory(registered_capital=Decimal("12345678.91"))
    report = check(sheet_of(row_of(ent, **{"注册资本（元）": "12345678.92"})), admin)
    assert report.rows[0].changes == [
        {"column": "注册资本（元）", "before": "1234.567891万元", "after": "1234.567892万元"}
    ]


# --- 6. the written format is unchanged ---------------------------------------------------------------------


def test_the_template_keeps_its_headers_and_a_usd_export_imports_back_unchanged(admin, usd):
    headers = [column.header for column in importers.COLUMNS]
    assert headers[headers.index("注册资本（万）") + 1] == "注册资本币种"
    assert headers[headers.index("投资总额（万）") + 1] == "投资总额币种"
    content = exports.enterprise_directory(Enterprise.objects.filter(pk=usd.pk), admin).content
    report = check(content, admin)
    assert report.ok, report.errors
    assert [r.action for r in report.rows] == [UNCHANGED]


# --- the property: what the sheet meant, or a located refusal -------------------------------------------------

CURRENCIES = ["CNY", "USD", "EUR", "JPY", "HKD"]
WORDS = {"CNY": "人民币", "USD": "美元", "EUR": "欧元", "JPY": "日元", "HKD": "港元"}
# header -> (scale, currency the header states or None)
HEADERS = {
    "注册资本（万）": (WAN, None),
    "注册资本（万元）": (WAN, "CNY"),
    "注册资本（万美元）": (WAN, "USD"),
    "注册资本（万欧元）": (WAN, "EUR"),
    "注册资本（万港币）": (WAN, "HKD"),
    "注册资本（元）": (Decimal(1), "CNY"),
    "注册资本（日元）": (Decimal(1), "JPY"),
    "注册资本（亿美元）": (Decimal(100_000_000), "USD"),
    "注册资本": (None, None),
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.sampled_from(sorted(HEADERS)),
    column=st.one_of(st.none(), st.sampled_from(CURRENCIES)),
    recorded=st.one_of(st.none(), st.sampled_from(CURRENCIES)),  # None: a new enterprise
    recorded_amount=st.sampled_from([None, USD_3635]),
    typed=st.decimals(min_value=0, max_value=10**6, places=2),
)
def test_the_stored_amount_is_what_the_sheet_meant_or_the_file_is_refused(
    admin, header, column, recorded, recorded_amount, typed
):
    scale, header_currency = HEADERS[header]
    if recorded is None:
        row = new_row(**{header: str(typed)})
        ent = None
    else:
        ent = f.EnterpriseFactory(registered_capital=recorded_amount, registered_capital_currency=recorded)
        row = row_of(ent, **{header: str(typed)})
    if column is not None:
        row["注册资本币种"] = WORDS[column]
    before = stored(ent) if ent is not None else None
    batch, report = run(sheet_of(row), admin)

    # What the sheet means, worked out independently of the importer.
    stated = [c for c in (header_currency, column) if c is not None]
    contradiction = len(set(stated)) > 1
    meant_currency = stated[0] if stated else recorded
    reinterpreted = (
        column is None
        and header_currency is not None
        and recorded_amount is not None
        and recorded is not None
    ) and header_currency != recorded
    must_refuse = scale is None or contradiction or meant_currency is None or reinterpreted

    if report.ok:
        assert not must_refuse, (header, column, recorded)
        ent = Enterprise.objects.get(uscc=row[USCC])
        assert ent.registered_capital == typed * scale
        assert ent.registered_capital_currency == meant_currency
    else:
        assert must_refuse, report.errors
        assert batch.status == ImportBatch.Status.REJECTED
        assert all(e.row and e.column and e.letter for e in report.errors), report.errors
        if ent is None:
            assert not Enterprise.objects.filter(uscc=row[USCC]).exists()
        else:
            assert stored(ent) == before
