"""Uploads that would exhaust memory are refused before they are parsed, with a reason and no writes."""

from django.test import override_settings

from jingkai.core import importing
from tests.core.imports.helpers import xlsx
from tests.core.imports.test_reading import COLUMNS


def rows(n: int) -> list[list]:
    return [["代码", "金额（万）", "人数", "日期"], *[[f"A{i}", 1, 2, "2023-01-01"] for i in range(n)]]


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_parsing():
    content = xlsx({"企业": rows(2000)})
    with override_settings(JINGKAI_IMPORT_MAX_UNPACKED_BYTES=20_000):
        result = importing.read_workbook(content, COLUMNS, file_name="big.xlsx")
    assert result.fatal
    assert len(result.errors) == 1 and "MB" in result.errors[0].reason
    assert result.sheets == []


def test_a_sheet_with_too_many_cells_is_refused_and_named():
    content = xlsx({"企业": rows(300)})
    with override_settings(JINGKAI_IMPORT_MAX_CELLS=1000):
        result = importing.read_workbook(content, COLUMNS, file_name="wide.xlsx")
    assert result.fatal
    assert [error.sheet for error in result.errors] == ["企业"]
    assert result.sheets == []


def test_the_same_workbooks_are_read_under_the_default_limits():
    result = importing.read_workbook(xlsx({"企业": rows(300)}), COLUMNS, file_name="ok.xlsx")
    assert not result.fatal and result.errors == []
