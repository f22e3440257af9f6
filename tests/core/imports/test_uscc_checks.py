"""Every import checks a credit code through core.uscc: a failing code is refused with the reason `jingkai uscc`
gives, a valid code no enterprise has is "not in the registry", and a code written in any case, spacing or
full-width form finds its enterprise."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core import uscc
from jingkai.demands.importers import DemandImporter
from jingkai.stats.importers import StatsImporter
from tests import factories as f
from tests.core.imports.helpers import table, xlsx
from tests.stats.helpers import messy_workbook, spaced

OUT = "工业总产值"
# One code per way of failing GB 32100: length, alphabet, authority, region, organisation check, check character.
FAILING = [
    "91330482MA2B3C4D5",
    "91330482MA2B3C4DIX",
    "Z1330482MA2B3C4D5X",
    "9133A482MA2B3C4D5X",
    "91330482MA2B3C4D5X",
    "91330482MA2B3C4D1K",
]
VALID_UNKNOWN = "91330482MA2B3C4D1J"


def jingkai_uscc(code: str) -> str:
    """The reason the command prints for a failing code."""
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("uscc", code, stdout=out)
    return out.getvalue().strip().split("\t")[2]


def stats_errors(zone, code: str):
    rows = [{"uscc": code, "name": "x", (OUT, "本月"): 1, (OUT, "1-6月累计"): 1}]
    return StatsImporter().validate(messy_workbook(rows), zone["zone_admin"]).errors


def hotline_errors(zone, code: str):
    row = {"来电时间": "2023-05-06 10:20", "统一社会信用代码": code, "诉求类别": "用工", "诉求内容": "招工"}
    report = DemandImporter().validate(xlsx({"工单导出": table([row])}), zone["zone_admin"])
    return report.errors, report.rows


@pytest.mark.parametrize("code", FAILING)
def test_a_failing_code_gets_the_reason_jingkai_uscc_gives(zone, code):
    reason = jingkai_uscc(code)
    [error] = stats_errors(zone, code)
    assert (error.row, error.letter) == (5, "B")
    assert error.reason.endswith(reason) and code in error.reason
    [error], _rows = hotline_errors(zone, code)
    assert error.column == "统一社会信用代码" and error.reason.endswith(reason)


def test_a_valid_code_no_enterprise_has_is_not_in_the_registry(zone):
    [error] = stats_errors(zone, VALID_UNKNOWN)
    assert "registry" in error.reason and VALID_UNKNOWN in error.reason
    [error], _rows = hotline_errors(zone, VALID_UNKNOWN)
    assert error.reason == "No enterprise in the platform has this code"


def test_a_code_in_any_spelling_finds_its_enterprise(zone):
    assert stats_errors(zone, spaced(zone.above1.uscc)) == []
    errors, rows = hotline_errors(zone, spaced(zone.above1.uscc))
    assert errors == [] and rows[0].data["enterprise"] == zone.above1


def test_a_registered_code_accepted_by_a_zone_admin_is_read(zone):
    """The registry's word counts: a failing code recorded with a reason is the enterprise's real code."""
    ent = f.EnterpriseFactory(uscc="91350100M000100Y44", uscc_override_reason="营业执照如此，已核实")
    assert not uscc.is_valid(ent.uscc)
    assert stats_errors(zone, ent.uscc) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYIOSVZ-", min_size=15, max_size=20))
def test_any_unknown_code_is_refused_with_the_check_or_as_unknown(zone, code):
    """Whatever the code, the error names it and says what core.uscc says (or that the registry lacks it)."""
    [error] = stats_errors(zone, code)
    result = uscc.validate(code)
    assert result.code in error.reason
    assert error.reason.endswith(result.reason) if not result.valid else "registry" in error.reason


@settings(max_examples=200, deadline=None)
@given(
    codes=st.lists(
        st.text(alphabet="0123456789ABCXYZabcxyz０１ＡＢａｂ \u3000\u00a0\t-·", max_size=22), max_size=8
    )
)
def test_the_statistics_reader_normalises_codes_as_core_uscc_does(codes):
    """Column-wise (Polars) and one by one (core.uscc.normalize) agree, so a code finds its enterprise either way."""
    import polars as pl

    from jingkai.stats.reader import normalise_codes

    assert normalise_codes(pl.Series(codes, dtype=pl.String)).to_list() == [uscc.normalize(c) for c in codes]
