"""黄岩区 2022年度工业企业综合评价 (the worked example of RULES.md §3), as data.

From 黄岩区深化"亩均论英雄"改革工作领导小组办公室, 2023-09-25, 附件2 工业企业综合评价得分计算说明 (reposted at
chacewang.com news430850, a source of RULES.md §3):
  规上企业得分 = 亩均税收÷24.097×30 + 亩均增加值÷136.16×20 + 单位能耗增加值÷2.694×20 + 单位排放增加值÷4929.81×10
               + 全员劳动生产率÷18.14×10 + R&D经费占主营业务收入比重÷0.0302×10;
  规下企业得分 = 亩均税收÷11.5932×50 + 单位用电税收÷0.2352×50;
  规上无排放数据的，单位排放增加值得分按规上企业此项平均得分赋分.
The text does not give the class shares, the scope or what happens to other missing data: those below are the
common Zhejiang choices of RULES.md §3 and are said in ``notes``.
"""

from __future__ import annotations

# GB/T 4754-2017: D441 电力生产 (with D4417 生物质能发电, i.e. waste incineration), D45 燃气, D46 水的生产和供应
# (D462 污水处理), N782 环境卫生管理: the exclusions of RULES.md §3 (power plants, gas, water supply and
# drainage, waste incineration, sewage treatment).
EXCLUDED_INDUSTRIES = ["D441", "D45", "D46", "N782"]
# The other utilities (D442 电力供应, D443 热力生产和供应) are scored but not classed.
UTILITIES = ["D44"]

_SHARES = [
    {"code": "A", "share": 20},
    {"code": "B", "share": 60},
    {"code": "C", "share": 15},
    {"code": "D", "share": 5},
]
_NOT_CLASSED = [
    {"rule": "min_age", "years": 2, "reason": "young"},
    {"rule": "flag", "column": "flag_under_construction", "reason": "under_construction"},
    {"rule": "industry", "prefixes": UTILITIES, "reason": "utility"},
]


def _per_mu(code, name, numerator, weight, benchmark):
    return {
        "code": code,
        "name": name,
        "numerator": numerator,
        "denominator": "land_mu",
        "unit": "万元/亩",
        "weight": weight,
        "benchmark": {"rule": "value", "value": benchmark},
        "missing": "zero",
        # No land used: the enterprise cannot be measured per 亩; it is shown as excluded with the reason.
        "zero_denominator": "exclude",
    }


METHOD = {
    "code": "huangyan-2022",
    "version": 1,
    "year": 2022,
    "name": "黄岩区2022年度工业企业亩均效益综合评价",
    "source": "黄岩区深化“亩均论英雄”改革工作领导小组办公室 2023-09-25 附件2《工业企业综合评价得分计算说明》"
    "（chacewang.com news430850）；RULES.md §3",
    "notes": "Weights and benchmarks as published. Not in the text, chosen from RULES.md §3: classes A 20 / B 60 / "
    "C 15 / D 5 by rank (rank r of n is in a class when r/n is within its cumulative share); 规下 land ≥ 3 亩; "
    "exclusions D441/D45/D46/N782; not classed: under 2 years old, under construction, other utilities (D44). "
    "Missing data other than emissions scores 0 (无数据不得分); no land used excludes the enterprise. Zero "
    "emissions is read as no emission data (average score), like a missing figure.",
    "populations": {
        "above": {
            "label": "规上工业企业",
            "indicators": [
                _per_mu("tax_per_mu", "亩均税收", "tax", 30, 24.097),
                _per_mu("va_per_mu", "亩均增加值", "value_added", 20, 136.16),
                {
                    "code": "va_per_energy",
                    "name": "单位能耗增加值",
                    "numerator": "value_added",
                    "denominator": "energy_tce",
                    "unit": "万元/吨标准煤",
                    "weight": 20,
                    "benchmark": {"rule": "value", "value": 2.694},
                    "missing": "zero",
                },
                {
                    "code": "va_per_emission",
                    "name": "单位排放增加值",
                    "numerator": "value_added",
                    "denominator": "emissions",
                    "unit": "万元/吨",
                    "weight": 10,
                    "benchmark": {"rule": "value", "value": 4929.81},
                    "missing": "mean_score",
                    "zero_denominator": "mean_score",
                },
                {
                    "code": "labour_productivity",
                    "name": "全员劳动生产率",
                    "numerator": "value_added",
                    "denominator": "employees",
                    "unit": "万元/人",
                    "weight": 10,
                    "benchmark": {"rule": "value", "value": 18.14},
                    "missing": "zero",
                },
                {
                    "code": "rd_share",
                    "name": "R&D经费占主营业务收入比重",
                    "numerator": "rd",
                    "denominator": "revenue",
                    "unit": "",
                    "weight": 10,
                    "benchmark": {"rule": "value", "value": 0.0302},
                    "missing": "zero",
                },
            ],
            "class_rule": {"rule": "percentile", "classes": _SHARES, "rounding": "floor", "ties": "order"},
            "exclude": [{"rule": "industry", "prefixes": EXCLUDED_INDUSTRIES, "reason": "excluded_industry"}],
            "not_classed": _NOT_CLASSED,
            "tie_break": ["tax_per_mu"],
        },
        "below": {
            "label": "规下工业企业",
            "indicators": [
                _per_mu("tax_per_mu", "亩均税收", "tax", 50, 11.5932),
                {
                    "code": "tax_per_kwh",
                    "name": "单位电耗税收",
                    "numerator": "tax",
                    "denominator": "electricity",
                    "unit": "万元/万千瓦时",
                    "weight": 50,
                    "benchmark": {"rule": "value", "value": 0.2352},
                    "missing": "zero",
                },
            ],
            "class_rule": {"rule": "percentile", "classes": _SHARES, "rounding": "floor", "ties": "order"},
            "exclude": [
                {"rule": "industry", "prefixes": EXCLUDED_INDUSTRIES, "reason": "excluded_industry"},
                {"rule": "min_land", "mu": 3, "reason": "land_below_minimum"},
            ],
            "not_classed": _NOT_CLASSED,
            "tie_break": ["tax_per_mu"],
        },
    },
}
