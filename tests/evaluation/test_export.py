"""The evaluation's exports: the official results table of a run, and the inputs with their sources (which
import back unchanged)."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext, pgettext

from jingkai.evaluation import exports
from jingkai.evaluation.importers import COLUMNS, EvaluationInputImporter
from jingkai.evaluation.models import EvaluationInput, EvaluationResult, ResultStatus
from tests.core.imports.helpers import read_back
from tests.evaluation.conftest import YEAR

pytestmark = pytest.mark.django_db


def sheet(response) -> list[list]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return read_back(response.content)


def test_the_results_table_has_the_official_layout(evaluated, django_assert_max_num_queries):
    run = evaluated.run
    method = run.frozen_method()
    results = run.current_results().order_by("population", "rank")
    with django_assert_max_num_queries(1):
        response = exports.results_export(run, results)
    rows = sheet(response)
    header = rows[0]
    assert header[:4] == [
        gettext("No."),
        gettext("Enterprise name"),
        gettext("Unified social credit code"),
        gettext("Above/below designated size"),
    ]
    assert header[-5:] == [
        gettext("Bonus"),
        gettext("Penalty"),
        gettext("Total score"),
        gettext("Rank"),
        pgettext("evaluation", "Class"),
    ]
    indicators = {ind.code: ind for part in method.populations.values() for ind in part.indicators}
    for ind in indicators.values():
        named = (
            gettext("%(name)s (%(unit)s)") % {"name": ind.name, "unit": ind.unit} if ind.unit else ind.name
        )
        assert named in header and gettext("%(name)s points") % {"name": ind.name} in header
    assert len(header) == 4 + 2 * len(indicators) + 5
    assert len(rows) == 1 + results.count() == 5
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4]
    by_code = {r[2]: r for r in rows[1:]}
    first = results.get(enterprise=evaluated.above1)
    line = by_code[evaluated.above1.uscc]
    assert line[1] == evaluated.above1.name
    tax = header.index(
        gettext("%(name)s (%(unit)s)")
        % {"name": indicators["tax_per_mu"].name, "unit": indicators["tax_per_mu"].unit}
    )
    assert line[tax] == pytest.approx(15.0) and line[tax + 1] == pytest.approx(
        first.indicators["tax_per_mu"]["points"]
    )
    assert line[-3] == pytest.approx(first.total) and line[-2] == first.rank
    assert line[-1] == (
        first.grade if first.status == ResultStatus.CLASSED else exports.class_label(first, method)
    )


def test_a_result_without_a_class_says_why(evaluated):
    run = evaluated.run
    method = run.frozen_method()
    result = EvaluationResult(status=ResultStatus.NOT_CLASSED, reason="young", grade="")
    assert exports.class_label(result, method) == gettext("%(word)s (%(reason)s)") % {
        "word": pgettext("evaluation class", "Not classed"),
        "reason": gettext("founded too recently"),
    }
    missing = EvaluationResult(status=ResultStatus.EXCLUDED, reason="missing:tax_per_mu", grade="")
    name = next(
        ind.name for p in method.populations.values() for ind in p.indicators if ind.code == "tax_per_mu"
    )
    assert gettext("missing data: %(indicator)s") % {"indicator": name} in exports.class_label(
        missing, method
    )
    assert exports.reason_label("some_new_rule") == "some_new_rule"
    assert exports.class_label(EvaluationResult(status=ResultStatus.CLASSED, grade="B")) == "B"


def test_the_inputs_export_names_the_sources_and_imports_back_unchanged(evaluation_zone):
    z = evaluation_zone
    row = EvaluationInput.objects.get(enterprise=z.above2, year=YEAR)
    row.sources = {**row.sources, "tax": "stats"}
    row.flags = {"safety_accidents": 2, "under_construction": 1}
    row.save()
    response = exports.inputs_export(YEAR, EvaluationInput.objects.all())
    rows = sheet(response)
    header = rows[0]
    assert header[0] == "统一社会信用代码*" and "实缴税金（万元）" in header and "在建" in header
    source = header.index(gettext("%(column)s source") % {"column": "实缴税金（万元）"})
    lines = {r[0]: r for r in rows[1:]}
    assert len(lines) == 4
    assert lines[z.above2.uscc][source] == gettext("Monthly statistics")
    assert lines[z.above1.uscc][source] == gettext("Import #%(batch)s") % {"batch": "0"}
    assert lines[z.above1.uscc][header.index("实缴税金（万元）")] == 900
    assert lines[z.above2.uscc][header.index("在建")] == "是"
    assert lines[z.above2.uscc][header.index("安全生产事故（起）")] == 2

    report = EvaluationInputImporter().validate(
        response.content, z["zone_admin"], "导出.xlsx", {"year": YEAR}
    )
    assert report.ok, report.errors
    actions = {r.key: r.action for r in report.rows}
    # above2's tax now comes from the file (its source changes); everything else is as recorded
    assert actions == {z.above1.uscc: "unchanged", z.above2.uscc: "update", z.below1.uscc: "unchanged",
                       z.below2.uscc: "unchanged"}  # fmt: skip
    [update] = [r for r in report.rows if r.action == "update"]
    # … and so do the flags set without a source
    assert [c["column"] for c in update.changes] == ["实缴税金（万元）", "在建", "安全生产事故（起）"]
    figures = [c.header for c in COLUMNS[2:]]
    assert [h for h in header if h in figures] == figures  # the import's columns, in its order
