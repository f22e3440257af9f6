"""The stage gates are one table (investment/gates.py): the service, the stage form and the importer agree on it.

Every field the table requires (a gate's own fields, and its conditional ones when they apply) is a case:
- the service refuses a project at that stage without the field, naming the field, and accepts it with it;
- the importer refuses a ledger row at that stage without it, at that field's column, and accepts it with it;
- the stage form asks for exactly the fields the table says a move asks for, and a move given only what the
  form asks for succeeds, while leaving the case's field out is refused on that field.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from jingkai.core.models import ImportBatch
from jingkai.investment import gates, importers, services
from jingkai.investment.choices import STAGE_ORDER, Stage
from jingkai.investment.forms import StageForm, stage_fields
from jingkai.investment.models import Project

D = dt.date

CASES = [(gate.stage, name, None) for gate in gates.GATES for name in gate.fields] + [
    (gate.stage, condition.field, condition) for gate in gates.GATES for condition in gate.conditions
]


def values_for(inv, condition) -> dict:
    """A project's values satisfying every gate (and the condition of the case, if any)."""
    values = {
        "name": "甲数控机床项目",
        "investor": "某株式会社",
        "kind": "new",
        "origin": "foreign",  # so that the contracted foreign capital is required from signing on
        "country": "JP",
        "owner": inv["investment"],
        "contract_on": D(2022, 3, 1),
        "total_investment": Decimal("50000000"),
        "total_investment_currency": "USD",
        "contract_foreign_capital": Decimal("30000000"),
        "approval_on": D(2022, 4, 1),
        "approval_number": "备〔2022〕1号",
        "started_on": D(2022, 5, 1),
        "production_on": D(2022, 6, 1),
        "full_production_on": D(2022, 7, 1),
    }
    if condition is not None and condition.field == "enterprise":
        # A domestic capital increase of an enterprise that keeps its capital in yuan.
        values |= {"kind": "increase", "enterprise": inv.above1, "origin": "domestic", "country": ""}
        values |= {"total_investment_currency": "CNY"}
        del values["contract_foreign_capital"]
    assert condition is None or condition.applies(values)
    return values


def case_id(case) -> str:
    return f"{case[0]}-{case[1]}"


def test_the_table_covers_every_stage_in_order():
    assert [gate.stage for gate in gates.GATES] == STAGE_ORDER
    assert set(gates.STAGE_DATE_FIELD) == set(STAGE_ORDER) - {Stage.LEAD, Stage.NEGOTIATING}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_service_requires_what_the_table_requires(inv, case):
    stage, field, condition = case
    values = values_for(inv, condition)
    staff = inv["investment"]
    lacking = {k: v for k, v in values.items() if k != field}
    with pytest.raises(ValidationError) as refused:
        services.create_project({"code": "G1", **lacking}, staff, stage=stage)
    assert field in refused.value.message_dict
    if condition is not None and condition.message:
        assert str(condition.message) in refused.value.message_dict[field]
    assert not Project.objects.filter(code="G1").exists()
    project = services.create_project({"code": "G1", **values}, staff, stage=stage)
    assert project.stage == stage


# --- the importer -----------------------------------------------------------------------------------------


def cells(values: dict, stage: str) -> dict:
    """The ledger row of these values, keyed by column header."""
    out = {
        "项目编号": "ZSG1",
        "项目名称": values.get("name"),
        "投资方": values.get("investor"),
        "国别": {"JP": "日本"}.get(values.get("country")),
        "内外资": {"foreign": "外资", "domestic": "内资"}[values["origin"]],
        "项目类型": {"new": "新设", "increase": "增资"}.get(values.get("kind")),
        "总投资": values["total_investment"] / 10_000 if values.get("total_investment") else None,
        "币种/单位": {"USD": "万美元", "CNY": "万元"}[values["total_investment_currency"]],
        "合同外资（万美元）": (
            values["contract_foreign_capital"] / 10_000 if values.get("contract_foreign_capital") else None
        ),
        "阶段": importers.STAGE_WORDS[stage],
        "签约日期": values.get("contract_on"),
        "报批日期": values.get("approval_on"),
        "批文号": values.get("approval_number"),
        "开工日期": values.get("started_on"),
        "投产日期": values.get("production_on"),
        "达产日期": values.get("full_production_on"),
        "负责人": values["owner"].username if values.get("owner") else None,
        "企业统一社会信用代码": values["enterprise"].uscc if values.get("enterprise") else None,
    }
    return out


def workbook(row: dict) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, (header, value) in enumerate(row.items()):
        sheet.write(0, col, header)
        if isinstance(value, dt.date):
            sheet.write_datetime(1, col, dt.datetime.combine(value, dt.time()), dates)
        elif value is not None:
            sheet.write(1, col, float(value) if isinstance(value, Decimal) else value)
    book.close()
    return buffer.getvalue()


def upload(inv, content: bytes):
    batch = ImportBatch.objects.create(
        kind=importers.KIND, file_name="台账.xlsx", content=content, sha256="x", uploaded_by=inv["investment"]
    )
    return importers.LedgerImporter().commit_batch(batch.pk, inv["investment"])[1]


HEADERS = {column.key: column.header for column in importers.COLUMNS}


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_importer_requires_what_the_table_requires(inv, case):
    stage, field, condition = case
    values = values_for(inv, condition)
    lacking = {k: v for k, v in values.items() if k != field}
    report = upload(inv, workbook(cells(lacking, stage)))
    assert not report.ok
    assert HEADERS[field] in {e.column for e in report.errors if e.row == 2}, report.errors
    assert not Project.objects.filter(code="ZSG1").exists()
    report = upload(inv, workbook(cells(values, stage)))
    assert report.ok, report.errors
    assert Project.objects.get(code="ZSG1").stage == stage


# --- the stage form ---------------------------------------------------------------------------------------

MOVE_CASES = [case for case in CASES if case[0] != Stage.LEAD]


@pytest.mark.parametrize("case", MOVE_CASES, ids=case_id)
def test_the_stage_form_asks_what_the_table_asks_and_the_move_needs_no_more(inv, case):
    stage, field, condition = case
    values = values_for(inv, condition)
    staff = inv["investment"]
    before = STAGE_ORDER[STAGE_ORDER.index(stage) - 1]
    # A project at the stage before, holding what that stage needs and nothing of this stage's gate.
    held = set(gates.required_fields(before, values)) | {
        "origin",
        "country",
        "kind",
        "total_investment_currency",
    }
    if condition is not None and not condition.asked_on_move:
        held |= {condition.field}
    project = services.create_project(
        {"code": "G2", **{k: v for k, v in values.items() if k in held}}, staff, stage=before
    )
    project = Project.objects.select_related("owner").get(pk=project.pk)
    form = StageForm(project=project, stage=stage)
    asked = [name for name in form.fields if name not in ("override_reason", "note")]
    assert asked == stage_fields(project, stage)
    expected = gates.fields_asked_on_move(
        values, stage, held=lambda n: n in held and values.get(n) is not None
    )
    assert asked == expected
    wanted = {
        "condition": condition is None or condition.asked_on_move,
        "gate": gates.GATE[stage].asked_on_move,
    }
    assert (field in asked) == (wanted["gate"] if condition is None else wanted["condition"])
    given = {name: values[name] for name in asked}
    if field in given:
        with pytest.raises(ValidationError) as refused:
            services.move_stage(project, stage, staff, values={k: v for k, v in given.items() if k != field})
        assert field in refused.value.message_dict
    moved = services.move_stage(project, stage, staff, values=given)
    assert moved.stage == stage
