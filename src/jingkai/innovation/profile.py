"""What a criteria checker may know about an enterprise: `InnovationProfile`.

Every field but the evaluation date is optional. A missing figure makes the conditions that need it "unknown",
never "fail": `None` (or a year absent from a by-year mapping) means "not recorded". For the record-like fields
(awards, standards led, violations, valid certificates) `None` means "not recorded" and an empty tuple means
"recorded: there are none".

Units: amounts in 元 (exact decimals, as `jingkai.core.money` stores them), ratios as fractions (0.65, not 65),
counts as integers. By-year mappings are keyed by fiscal (calendar) year. Figures without a year (employees,
S&T staff, R&D staff, high-tech income, total income, total assets, debt ratio, IP counts, niche years, market
share) are those of the last complete fiscal year before the evaluation date, which is how the official texts
read them ("近一年", "上年度", "当年职工总数").

The profile validates itself on construction and refuses bad input with the field named (`ProfileError`), so
a checker never works on a silently wrong value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from jingkai.core.money import parse_decimal

# R&D institution levels, lowest first ("enterprise": built by the enterprise, not recognised by a government).
INSTITUTION_LEVELS = ("none", "enterprise", "county", "city", "provincial", "national")
AWARD_KINDS = ("science", "maker_china")  # 科学技术奖励; "创客中国"中小企业创新创业大赛
AWARD_LEVELS = ("national", "provincial", "city", "county")
STANDARD_LEVELS = ("international", "national", "industry", "local", "group")
VIOLATION_KINDS = (
    "safety",  # 重大安全事故 (incl. network and data security)
    "quality",  # 重大质量事故
    "environment",  # 严重环境违法 / 环境污染事故
    "research_misconduct",  # 科研严重失信行为
    "abnormal_operation",  # 列入经营异常名录
    "serious_dishonesty",  # 列入严重违法失信企业名单 / 严重失信主体名单
    "tax",  # 偷漏税等违法违规行为
)
YEAR_RANGE = (1949, 2200)


class ProfileError(ValueError):
    """Bad profile input; the message starts with the field (and key) at fault."""

    def __init__(self, where: str, problem: str):
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Award:
    """A science and technology award (科技奖励) or a 创客中国 result, in the year it was granted.

    rank: the enterprise's place among the award's units (科技奖励), or its national place (创客中国: top 500
    means rank ≤ 500); None when not recorded.
    """

    kind: str
    level: str
    year: int
    rank: int | None = None

    def __post_init__(self):
        _choice("kind", self.kind, AWARD_KINDS)
        _choice("level", self.level, AWARD_LEVELS)
        object.__setattr__(self, "year", _year("year", self.year))
        if self.rank is not None:
            object.__setattr__(self, "rank", _count("rank", self.rank, minimum=1))


@dataclass(frozen=True)
class StandardLed:
    """A standard the enterprise led (主导制定) at a level, published in a year."""

    level: str
    year: int

    def __post_init__(self):
        _choice("level", self.level, STANDARD_LEVELS)
        object.__setattr__(self, "year", _year("year", self.year))


@dataclass(frozen=True)
class Violation:
    """A disqualifying incident or listing (always a major / serious one: minor ones are not recorded here)."""

    kind: str
    on: dt.date

    def __post_init__(self):
        _choice("kind", self.kind, VIOLATION_KINDS)
        if not isinstance(self.on, dt.date) or isinstance(self.on, dt.datetime):
            raise ProfileError("on", f"{self.on!r} is not a date")


def _frozen(mapping):
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class InnovationProfile:
    evaluated_on: dt.date
    registered_on: dt.date | None = None
    # People (yearly averages of the last fiscal year, as the 高企 guide counts them).
    employees: int | None = None
    st_staff: int | None = None  # 科技人员
    rnd_staff: int | None = None  # 研发人员
    # Money by fiscal year, in 元.
    rnd_total: Mapping[int, Decimal] = field(default_factory=dict)  # 研究开发费用总额
    rnd_in_china: Mapping[int, Decimal] = field(default_factory=dict)  # 其中在中国境内发生的
    revenue: Mapping[int, Decimal] = field(default_factory=dict)  # 销售收入 / 营业收入
    total_costs: Mapping[int, Decimal] = field(default_factory=dict)  # 成本费用支出总额
    main_business_revenue: Mapping[int, Decimal] = field(default_factory=dict)  # 主营业务收入
    net_assets: Mapping[int, Decimal] = field(default_factory=dict)  # 年末净资产 (may be negative)
    new_equity: Mapping[int, Decimal] = field(default_factory=dict)  # 新增股权融资 (合格机构投资者实缴额)
    # Last fiscal year.
    high_tech_income: Decimal | None = None  # 高新技术产品（服务）收入
    total_income: Decimal | None = None  # 总收入
    total_assets: Decimal | None = None  # 资产总额 (year end)
    debt_ratio: Decimal | None = None  # 资产负债率, a fraction
    ip_class_1: int | None = None  # valid Ⅰ类 IP supporting the main products
    ip_class_2: int | None = None  # valid Ⅱ类 IP supporting the main products
    niche_years: Decimal | None = None  # years in its niche market at the end of the last fiscal year
    national_market_share: Decimal | None = None  # share of the national niche market, a fraction
    rnd_institution: str | None = None  # highest level of its R&D institution (INSTITUTION_LEVELS)
    standards_led: tuple[StandardLed, ...] | None = None
    awards: tuple[Award, ...] | None = None
    violations: tuple[Violation, ...] | None = None
    valid_certificates: frozenset[str] | None = None  # tier / honour codes valid on the evaluation date
    # Determinations a figure cannot give (e.g. "high_tech.field": the core technology is in a supported field),
    # keyed "<tier>.<condition>"; and scores assessed by experts, keyed "<tier>.<indicator>".
    judgements: Mapping[str, bool] = field(default_factory=dict)
    assessed_scores: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.evaluated_on, dt.date) or isinstance(self.evaluated_on, dt.datetime):
            raise ProfileError("evaluated_on", f"{self.evaluated_on!r} is not a date")
        if self.registered_on is not None:
            if not isinstance(self.registered_on, dt.date) or isinstance(self.registered_on, dt.datetime):
                raise ProfileError("registered_on", f"{self.registered_on!r} is not a date")
            if self.registered_on > self.evaluated_on:
                raise ProfileError(
                    "registered_on", f"{self.registered_on} is after the evaluation date {self.evaluated_on}"
                )
        set_ = object.__setattr__
        for name in ("employees", "st_staff", "rnd_staff", "ip_class_1", "ip_class_2"):
            set_(self, name, _optional(name, getattr(self, name), _count))
        for name in (
            "rnd_total",
            "rnd_in_china",
            "revenue",
            "total_costs",
            "main_business_revenue",
            "new_equity",
        ):
            set_(self, name, self._by_year(name, getattr(self, name), negative=False))
        set_(self, "net_assets", self._by_year("net_assets", self.net_assets, negative=True))
        for name in ("high_tech_income", "total_income", "total_assets", "debt_ratio", "niche_years"):
            set_(self, name, _optional(name, getattr(self, name), _amount))
        set_(
            self,
            "national_market_share",
            _optional("national_market_share", self.national_market_share, _share),
        )
        if self.rnd_institution is not None:
            _choice("rnd_institution", self.rnd_institution, INSTITUTION_LEVELS)
        set_(self, "standards_led", self._records("standards_led", self.standards_led, StandardLed, "year"))
        set_(self, "awards", self._records("awards", self.awards, Award, "year"))
        set_(self, "violations", self._records("violations", self.violations, Violation, "on"))
        if self.valid_certificates is not None:
            if isinstance(self.valid_certificates, str) or not all(
                isinstance(code, str) and code for code in self.valid_certificates
            ):
                raise ProfileError("valid_certificates", "must be a set of non-empty codes")
            set_(self, "valid_certificates", frozenset(self.valid_certificates))
        judgements = {}
        for key, value in dict(self.judgements).items():
            if not isinstance(value, bool):
                raise ProfileError(f"judgements[{key!r}]", f"{value!r} is not true or false")
            judgements[_key("judgements", key)] = value
        set_(self, "judgements", _frozen(judgements))
        scores = {}
        for key, value in dict(self.assessed_scores).items():
            scores[_key("assessed_scores", key)] = _amount(f"assessed_scores[{key!r}]", value)
        set_(self, "assessed_scores", _frozen(scores))
        self._check_parts()

    def _by_year(self, name, mapping, negative):
        if not isinstance(mapping, Mapping):
            raise ProfileError(name, "must map fiscal years to amounts")
        out = {}
        for year, value in mapping.items():
            where = f"{name}[{year!r}]"
            year = _year(where, year)
            if year > self.evaluated_on.year:
                raise ProfileError(where, f"a fiscal year after the evaluation date {self.evaluated_on}")
            if self.registered_on is not None and year < self.registered_on.year:
                # One of the two is wrong; the windows of "actual operation" depend on which.
                raise ProfileError(where, f"a fiscal year before the registration on {self.registered_on}")
            out[year] = _amount(where, value, negative=negative)
        return _frozen(sorted(out.items()))

    def _records(self, name, records, kind, when):
        if records is None:
            return None
        if isinstance(records, str | bytes) or not hasattr(records, "__iter__"):
            raise ProfileError(name, "must be a sequence of records (or None when not recorded)")
        records = tuple(records)
        for index, record in enumerate(records):
            if not isinstance(record, kind):
                raise ProfileError(f"{name}[{index}]", f"{record!r} is not a {kind.__name__}")
            moment = getattr(record, when)
            late = moment > (self.evaluated_on.year if when == "year" else self.evaluated_on)
            if late:
                raise ProfileError(
                    f"{name}[{index}]", f"{moment} is after the evaluation date {self.evaluated_on}"
                )
        return records

    def _check_parts(self):
        """A part larger than its whole is a data error, not an unusual enterprise."""
        for part in ("st_staff", "rnd_staff"):
            if (
                getattr(self, part) is not None
                and self.employees is not None
                and getattr(self, part) > self.employees
            ):
                raise ProfileError(part, f"{getattr(self, part)} exceeds employees ({self.employees})")
        for part, whole in (("rnd_in_china", "rnd_total"), ("main_business_revenue", "revenue")):
            for year, value in getattr(self, part).items():
                total = getattr(self, whole).get(year)
                if total is not None and value > total:
                    raise ProfileError(f"{part}[{year}]", f"{value} exceeds {whole}[{year}] ({total})")
        if (
            self.high_tech_income is not None
            and self.total_income is not None
            and self.high_tech_income > self.total_income
        ):
            raise ProfileError(
                "high_tech_income", f"{self.high_tech_income} exceeds total_income ({self.total_income})"
            )

    @property
    def latest_year(self) -> int:
        """The last complete fiscal year before the evaluation date ("近一年", "上年度")."""
        return self.evaluated_on.year - 1

    def known_fields(self) -> list[str]:
        return [
            f.name
            for f in fields(self)
            if getattr(self, f.name) not in (None, {}) and f.name != "evaluated_on"
        ]


def _optional(name, value, parse):
    return None if value is None else parse(name, value)


def _choice(name, value, choices):
    if value not in choices:
        raise ProfileError(name, f"{value!r} is not one of {', '.join(choices)}")


def _key(name, key):
    if not isinstance(key, str) or "." not in key:
        raise ProfileError(f"{name}[{key!r}]", "keys are '<tier>.<condition or indicator>'")
    return key


def _year(where, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileError(where, f"{value!r} is not a year")
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        raise ProfileError(where, f"{value} is not a plausible year")
    return value


def _count(where, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProfileError(where, f"{value!r} is not a whole number")
    if value < minimum:
        raise ProfileError(where, f"{value} is below {minimum}")
    return value


def _amount(where, value, negative=False):
    if isinstance(value, bool):
        raise ProfileError(where, f"{value!r} is not a number")
    try:
        number = parse_decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        raise ProfileError(where, f"{value!r} is not a number") from None
    if not negative and number < 0:
        raise ProfileError(where, f"{number} is negative")
    return number


def _share(where, value):
    number = _amount(where, value)
    if number > 1:
        raise ProfileError(where, f"{number} is above 1 (shares are fractions: 0.12 for 12%)")
    return number
