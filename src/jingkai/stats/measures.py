"""The measures of the monthly statistics (规上工业主要指标) — the data contract shared with jingkai.analytics.

Each measure is stored twice on a MonthlyReport: ``<code>_month`` (the month's figure) and ``<code>_cum``
(the cumulative 1–N月 figure; for employees the average over 1–N月).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MONEY, ENERGY, HEADCOUNT = "money", "energy", "headcount"


@dataclass(frozen=True)
class Measure:
    code: str
    label: Promise | str
    unit: str  # MONEY (stored in 元), ENERGY (吨标准煤) or HEADCOUNT (persons)

    @property
    def month_field(self) -> str:
        return f"{self.code}_month"

    @property
    def cum_field(self) -> str:
        return f"{self.code}_cum"

    @property
    def fields(self) -> tuple[str, str]:
        return self.month_field, self.cum_field

    @property
    def is_money(self) -> bool:
        return self.unit == MONEY

    @property
    def is_integer(self) -> bool:
        return self.unit == HEADCOUNT


MEASURE_LIST: tuple[Measure, ...] = (
    Measure("output", _("gross industrial output"), MONEY),  # 工业总产值
    Measure("revenue", _("operating revenue"), MONEY),  # 营业收入
    Measure("profit", _("total profit"), MONEY),  # 利润总额
    Measure("tax", _("total taxes"), MONEY),  # 税金总额
    Measure("rd", _("R&D expenditure"), MONEY),  # 研发费用
    Measure("export", _("export delivery value"), MONEY),  # 出口交货值
    Measure("energy", _("total energy consumption"), ENERGY),  # 综合能耗 (吨标准煤)
    Measure("employees", _("employees"), HEADCOUNT),  # 从业人员
    Measure("sales", _("industrial sales output"), MONEY),  # 工业销售产值
    Measure("new_product", _("new product output"), MONEY),  # 新产品产值
)

# Ordered list of measure codes (the contract): "output", "revenue", … "employees".
MEASURES: list[str] = [m.code for m in MEASURE_LIST]
BY_CODE: dict[str, Measure] = {m.code: m for m in MEASURE_LIST}

# Every value column of MonthlyReport, in order: output_month, output_cum, revenue_month, …
VALUE_FIELDS: list[str] = [name for m in MEASURE_LIST for name in m.fields]


def measure(code: str) -> Measure:
    return BY_CODE[code]
