"""The demo zone's 2022 method (平湖经济技术开发区), modelled on 黄岩's (RULES.md §3).

平湖's own text (平政发〔2023〕54号) is not public to us, so every number here is a stated choice: the 黄岩
indicators and weights for 规上; for 规下 亩均税收 and 单位电耗税收 50/50; benchmarks from the population (the
zone's aggregate Σ numerator ÷ Σ denominator of the year, as the county averages are published); each item capped
at twice its weight, so that one outstanding ratio cannot carry a total; classes A 20 / B 60 / C 15 / D 5 by rank;
规下 from 3 亩; bonus and penalty items common in Zhejiang methods, with their evidence.
"""

from __future__ import annotations

from jingkai.evaluation.methods.huangyan_2022 import EXCLUDED_INDUSTRIES, UTILITIES

_SHARES = [
    {"code": "A", "share": 20},
    {"code": "B", "share": 60},
    {"code": "C", "share": 15},
    {"code": "D", "share": 5},
]
_MEAN = {"rule": "mean", "of": "ratio_of_sums"}
_NOT_CLASSED = [
    {"rule": "min_age", "years": 2, "reason": "young"},
    {"rule": "flag", "column": "flag_under_construction", "reason": "under_construction"},
    {"rule": "industry", "prefixes": UTILITIES, "reason": "utility"},
]


def _indicator(code, name, numerator, denominator, unit, weight, **rules):
    return {
        "code": code,
        "name": name,
        "numerator": numerator,
        "denominator": denominator,
        "unit": unit,
        "weight": weight,
        "benchmark": _MEAN,
        "cap": 2 * weight,
        "floor": 0,
        "missing": "zero",
    } | rules


_ADJUSTMENTS = [
    {
        "code": "high_tech",
        "name": "高新技术企业",
        "kind": "bonus",
        "column": "flag_high_tech",
        "points": 2,
        "max_points": 2,
        "evidence": "有效期内的高新技术企业证书",
    },
    {
        "code": "specialised",
        "name": "专精特新企业",
        "kind": "bonus",
        "column": "flag_specialised",
        "points": 2,
        "max_points": 2,
        "evidence": "省级及以上专精特新中小企业或“小巨人”企业认定文件",
    },
    {
        "code": "rd_institution",
        "name": "省级及以上研发机构",
        "kind": "bonus",
        "column": "flag_rd_institutions",
        "points": 1,
        "max_points": 2,
        "evidence": "研发机构认定文件（每个1分，最多2分）",
    },
    {
        "code": "safety_accident",
        "name": "安全生产事故",
        "kind": "penalty",
        "column": "flag_safety_accidents",
        "points": 5,
        "evidence": "应急管理部门的事故认定或处罚决定书（每起5分）",
    },
    {
        "code": "environmental_penalty",
        "name": "环境违法处罚",
        "kind": "penalty",
        "column": "flag_environmental_penalties",
        "points": 3,
        "evidence": "生态环境部门的行政处罚决定书（每件3分）",
    },
]

METHOD = {
    "code": "pinghu-2022",
    "version": 1,
    "year": 2022,
    "name": "平湖经济技术开发区2022年度工业企业亩均效益综合评价（演示）",
    "source": "modelled on 黄岩区 2022 (RULES.md §3); 平政发〔2023〕54号 numbers not public",
    "notes": "Demo choices: benchmarks are the zone's aggregate ratios of the year; items capped at 2× weight and "
    "floored at 0; bonus at most 5, penalty at most 10; classes 20/60/15/5 by rank (floor: rank r of n is in a "
    "class when r/n is within its cumulative share); missing emissions (or none reported) score the average, "
    "other missing data 0; no land used excludes the enterprise.",
    "populations": {
        "above": {
            "label": "规上工业企业",
            "indicators": [
                _indicator(
                    "tax_per_mu", "亩均税收", "tax", "land_mu", "万元/亩", 30, zero_denominator="exclude"
                ),
                _indicator(
                    "va_per_mu",
                    "亩均增加值",
                    "value_added",
                    "land_mu",
                    "万元/亩",
                    20,
                    zero_denominator="exclude",
                ),
                _indicator(
                    "va_per_energy", "单位能耗增加值", "value_added", "energy_tce", "万元/吨标准煤", 20
                ),
                _indicator(
                    "va_per_emission",
                    "单位排放增加值",
                    "value_added",
                    "emissions",
                    "万元/吨",
                    10,
                    missing="mean_score",
                    zero_denominator="mean_score",
                ),
                _indicator(
                    "labour_productivity", "全员劳动生产率", "value_added", "employees", "万元/人", 10
                ),
                _indicator("rd_share", "R&D经费占营业收入比重", "rd", "revenue", "", 10),
            ],
            "class_rule": {"rule": "percentile", "classes": _SHARES, "rounding": "floor", "ties": "order"},
            "exclude": [{"rule": "industry", "prefixes": EXCLUDED_INDUSTRIES, "reason": "excluded_industry"}],
            "not_classed": _NOT_CLASSED,
            "adjustments": _ADJUSTMENTS,
            "bonus_cap": 5,
            "penalty_cap": 10,
            "tie_break": ["tax_per_mu"],
        },
        "below": {
            "label": "规下工业企业（用地3亩及以上）",
            "indicators": [
                _indicator(
                    "tax_per_mu", "亩均税收", "tax", "land_mu", "万元/亩", 50, zero_denominator="exclude"
                ),
                _indicator("tax_per_kwh", "单位电耗税收", "tax", "electricity", "万元/万千瓦时", 50),
            ],
            "class_rule": {"rule": "percentile", "classes": _SHARES, "rounding": "floor", "ties": "order"},
            "exclude": [
                {"rule": "industry", "prefixes": EXCLUDED_INDUSTRIES, "reason": "excluded_industry"},
                {"rule": "min_land", "mu": 3, "reason": "land_below_minimum"},
            ],
            "not_classed": _NOT_CLASSED,
            "adjustments": _ADJUSTMENTS,
            "bonus_cap": 5,
            "penalty_cap": 10,
            "tie_break": ["tax_per_mu"],
        },
    },
}
