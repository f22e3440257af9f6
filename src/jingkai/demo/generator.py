"""The demo zone: a faithful, deterministic model of 平湖经济技术开发区 (see facts.py for the sources).

Two phases keep it testable and reproducible:

* build_plan(seed) is pure Python (no database, no clock): it decides every row from the facts and a
  random.Random(seed), so two plans with one seed are identical;
* write_plan(plan) inserts the plan with bulk inserts that also write simple-history "created" rows.

Headline figures (254 规上 in 2022, 158/34 高企, 338/63 科小, 4 小巨人, the Nidec group's sums) are built into
the rows; nothing stores them as totals. generate_scale() adds synthetic enterprises for load tests.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jingkai.accounts.demo import enrol_demo_users
from jingkai.chains.models import Chain, ChainMembership, ChainRole
from jingkai.core import pinyin, uscc
from jingkai.core.demo import DEMO_EMAIL_DOMAIN
from jingkai.core.models import Department, Role, User
from jingkai.demo import extensions, facts
from jingkai.enterprises.choices import HMT_COUNTRIES, CapitalChangeKind, EnterpriseStatus, HonourKind, Origin
from jingkai.enterprises.models import (
    AnnualScale,
    CapitalChange,
    Contact,
    Enterprise,
    EnterpriseGroup,
    Honour,
    write_name_grams,
)
from jingkai.grids.models import AssignmentRole, Community, CommunityAssignment, Grid, GridAssignment
from jingkai.parks.models import Building, Park

DEFAULT_SEED = 2013  # the year the zone became national-level
YEARS = (2021, 2022, 2023)
REPORT_YEAR = 2022
REPORT_DAY = dt.date(2022, 12, 31)
ASSIGNMENTS_START = dt.date(2021, 1, 1)
ABOVE_FLOOR = Decimal(20_000_000)  # RULES.md §2: 规上 from 2,000万元 of revenue
TECH_SME_MAX_STAFF = 500  # RULES.md §5
TECH_SME_MAX_REVENUE = Decimal(200_000_000)
DEMO_PASSWORD = "jingkai-demo"
DEMO_USERNAMES = [
    "zone_admin",
    "grid_leader",
    "grid_officer",
    "community_officer",
    "department",
    "enterprise",
    "investment",
    # 三员分立 (docs/security.md §3): one of each, who see none of the zone's data.
    "system_admin",
    "security_admin",
    "audit_admin",
]
BATCH = 2000

# How the generated industrial enterprises move across the 规上 line: (2021, 2022, 2023) with
# "A" above, "B" below, "-" no row (not yet founded, or closed). Counts are chosen so that, with the
# named enterprises, 2022 has exactly 254 规上 (the named ones contribute the rest).
TRAJECTORIES = [
    ("AAA", 200),  # stable 规上
    ("BAA", 18),  # entered in 2022
    ("AAB", 8),  # left in 2023
    ("AA-", 4),  # moved out or deregistered in 2023
    ("ABB", 6),  # left in 2022
    ("ABA", 3),  # left in 2022, back in 2023
    ("BBA", 20),  # entered in 2023
    ("BBB", 370),  # 规下 throughout
    ("-BB", 35),  # founded in 2022
    ("BB-", 8),  # closed in 2023
    ("--B", 12),  # founded in 2023
]
SERVICE_COUNT = 24

TECH_DIVISIONS = {"C26", "C27", "C34", "C35", "C36", "C38", "C39", "C40", "I65", "M75"}
LOW_TECH_DIVISIONS = {"C18", "C19", "C21", "C22", "F51", "G59", "L72", "H61"}


# ---------------------------------------------------------------------------------------------------
# Plan


@dataclass
class HonourPlan:
    kind: str
    level: str
    title: str
    issuer: str
    certified_on: dt.date
    expires_on: dt.date | None
    certificate_no: str = ""


@dataclass
class CapitalPlan:
    changed_on: dt.date
    kind: str
    currency: str
    rc_before: Decimal | None
    rc_after: Decimal | None
    ti_before: Decimal | None
    ti_after: Decimal | None
    note: str = ""


@dataclass
class ContactPlan:
    name: str
    title: str
    phone: str
    is_primary: bool
    username: str = ""  # the portal login, if any


@dataclass
class EntPlan:
    key: str
    name: str
    short_name: str
    industry_code: str
    founded_on: dt.date
    origin_country: str = ""
    english_name: str = ""
    status: str = EnterpriseStatus.OPERATING
    main_products: str = ""
    registered_capital: Decimal | None = None
    registered_capital_currency: str = "CNY"
    total_investment: Decimal | None = None
    total_investment_currency: str = "CNY"
    land_area_mu: Decimal | None = None
    employees: int | None = None
    technical_staff: int | None = None
    listing_market: str = ""
    stock_code: str = ""
    listed_on: dt.date | None = None
    in_group: bool = False
    park: str | None = None
    building: str | None = None
    address: str = ""
    uscc: str = ""
    revenue: dict[int, Decimal] = field(default_factory=dict)
    trajectory: str = ""
    grid: str | None = None
    community: str | None = None
    capital: list[CapitalPlan] = field(default_factory=list)
    honours: list[HonourPlan] = field(default_factory=list)
    contacts: list[ContactPlan] = field(default_factory=list)
    chains: dict[str, tuple[str, str]] = field(default_factory=dict)  # chain code -> (role, note)
    named: bool = False

    @property
    def origin(self) -> str:
        if not self.origin_country:
            return Origin.DOMESTIC
        return Origin.HMT if self.origin_country in HMT_COUNTRIES else Origin.FOREIGN

    @property
    def division(self) -> str:
        return self.industry_code[:3]

    @property
    def is_industrial(self) -> bool:
        return self.industry_code[0] in "BCD"

    @property
    def operating(self) -> bool:
        return self.status == EnterpriseStatus.OPERATING

    def above(self, year: int) -> bool:
        revenue = self.revenue.get(year)
        return self.is_industrial and revenue is not None and revenue >= ABOVE_FLOOR

    def max_revenue(self) -> Decimal:
        return max(self.revenue.values(), default=Decimal(0))


@dataclass
class PersonPlan:
    username: str
    full_name: str
    role: str
    department: str | None = None
    demo_login: bool = False  # one of the contract logins with the shared password


@dataclass
class Plan:
    seed: int
    people: list[PersonPlan]
    grids: list[tuple[str, str, int, str]]  # code, name, number, description
    communities: list[tuple[str, str, int, str]]  # code, name, number, kind
    grid_staff: list[tuple[str, str, str]]  # grid code, username, role
    community_staff: list[tuple[str, str]]  # community code, username
    enterprises: list[EntPlan]


def _yuan(amount: float) -> Decimal:
    """Round to 千元, the precision statistics are reported in."""
    return Decimal(int(round(amount / 1000)) * 1000)


def _wan(amount: float) -> Decimal:
    return Decimal(int(round(amount))) * facts.WAN


def _random_day(rng: random.Random, year: int, *, not_before: dt.date | None = None) -> dt.date:
    start = dt.date(year, 1, 1)
    if not_before and not_before > start:
        start = not_before
    end = dt.date(year, 12, 28)
    if start > end:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _expiry(certified: dt.date) -> dt.date:
    """Certificates are valid 3 years: expires = certified + 3 years - 1 day."""
    return certified.replace(year=certified.year + 3) - dt.timedelta(days=1)


def _weighted_sample(rng: random.Random, items: list, weights: list[float], k: int) -> list:
    """k distinct items, each drawn with probability proportional to its weight (Efraimidis-Spirakis)."""
    if k > len(items):
        raise ValueError(f"cannot draw {k} from {len(items)} candidates")
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for _key, i in keyed[:k]]


def _allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split an integer total by weights (largest remainder) so the parts sum to it exactly."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError("total below the minimum")
    raw = [spare * w / sum(weights) for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


class _Names:
    """Unique people's names, never those of the real people in the articles."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set(facts.REAL_PEOPLE)

    def __call__(self) -> str:
        while True:
            length = self.rng.choice((1, 2, 2, 2))
            name = self.rng.choice(facts.SURNAMES) + "".join(
                self.rng.choice(facts.GIVEN_CHARS) for _i in range(length)
            )
            if name not in self.taken:
                self.taken.add(name)
                return name


def _org_body(rng: random.Random, founded: dt.date) -> str:
    """Organisation-code part of a USCC: 8 digits for older enterprises, "MA..." since the 2015 reform."""
    if founded.year >= 2016:
        return "MA2" + rng.choice("89BCDJL") + "".join(rng.choice(uscc.ALPHABET) for _i in range(4))
    first = "7" if founded.year < 2008 else rng.choice("56")
    return first + "".join(rng.choice("0123456789") for _i in range(7))


def _new_uscc(rng: random.Random, founded: dt.date, used: set[str], region: str = facts.REGION_CODE) -> str:
    while True:
        try:
            code = uscc.make_code("91", region, _org_body(rng, founded))
        except ValueError:  # the organisation check fell outside the alphabet: draw another body
            continue
        if code not in used:
            used.add(code)
            return code


def _capital_path(
    rng: random.Random,
    founded: dt.date,
    start: tuple[Decimal, Decimal | None],
    final: tuple[Decimal, Decimal | None],
    increases: int,
    currency: str,
    years: tuple[int, int] | None = None,
) -> list[CapitalPlan]:
    """Founding plus `increases` monotone capital increases ending exactly at `final` (values in 万)."""
    rows = [CapitalPlan(founded, CapitalChangeKind.FOUNDING, currency, None, start[0], None, start[1])]
    if increases == 0:
        return rows
    first, last = years or (founded.year + 1, 2022)
    chosen = sorted(rng.sample(range(first, last + 1), increases))
    dates = [_random_day(rng, y, not_before=founded + dt.timedelta(days=30)) for y in chosen]
    dates.sort()
    rc0, rc1 = start[0], final[0]
    ti0, ti1 = start[1], final[1]
    # Evenly spaced steps in log space with jitter: strictly increasing even after rounding to 万.
    steps = [(k + rng.uniform(-0.3, 0.3)) / increases for k in range(1, increases)] + [1.0]
    prev_rc, prev_ti = rc0, ti0
    for when, u in zip(dates, steps, strict=True):
        if u >= 1.0:
            rc, ti = rc1, ti1
        else:
            rc = _wan(float(rc0 / facts.WAN) * (float(rc1 / rc0) ** u))
            ti = _wan(float(ti0 / facts.WAN) * (float(ti1 / ti0) ** u)) if ti0 else None
        rows.append(CapitalPlan(when, CapitalChangeKind.INCREASE, currency, prev_rc, rc, prev_ti, ti))
        prev_rc, prev_ti = rc, ti
    return rows


def _explicit_capital(history: list, currency: str) -> list[CapitalPlan]:
    rows, prev = [], (None, None)
    for i, (when, rc, ti, note) in enumerate(history):
        kind = CapitalChangeKind.FOUNDING if i == 0 else CapitalChangeKind.INCREASE
        after = (rc * facts.WAN, ti * facts.WAN)
        rows.append(CapitalPlan(when, kind, currency, prev[0], after[0], prev[1], after[1], note))
        prev = after
    return rows


def _apply_capital(ent: EntPlan) -> None:
    last = ent.capital[-1]
    ent.registered_capital = last.rc_after
    ent.registered_capital_currency = last.currency
    ent.total_investment = last.ti_after
    ent.total_investment_currency = last.currency


# ---------------------------------------------------------------------------------------------------
# Named enterprises


def _named_enterprises(rng: random.Random) -> list[EntPlan]:
    ents: list[EntPlan] = []
    t = facts.TSUGAMI
    tsugami = EntPlan(
        key=t["key"],
        name=t["name"],
        short_name=t["short_name"],
        english_name=t["english_name"],
        industry_code=t["industry_code"],
        founded_on=t["founded_on"],
        origin_country=t["origin_country"],
        main_products=t["main_products"],
        employees=t["employees"],
        technical_staff=t["technical_staff"],
        land_area_mu=t["land_area_mu"],
        listing_market=t["listing_market"],
        stock_code=t["stock_code"],
        listed_on=t["listed_on"],
        park=t["park"],
        grid=t["grid"],
        revenue=dict(t["revenue"]),
        named=True,
    )
    tsugami.capital = _capital_path(
        rng, t["founded_on"], t["capital_founding"], t["capital_final"], t["capital_increases"], "USD",
        years=t["capital_increase_years"],
    )  # fmt: skip
    _apply_capital(tsugami)
    ents.append(tsugami)

    ents.extend(_nidec_members(rng))

    for spec in facts.OTHER_NAMED:
        ent = EntPlan(
            key=spec["key"],
            name=spec["name"],
            short_name=spec["short_name"],
            english_name=spec.get("english_name", ""),
            industry_code=spec["industry_code"],
            founded_on=spec["founded_on"],
            origin_country=spec.get("origin_country", ""),
            main_products=spec["main_products"],
            employees=spec["employees"],
            technical_staff=spec["technical_staff"],
            land_area_mu=spec.get("land_area_mu"),
            park=spec.get("park"),
            building=spec.get("building"),
            grid=spec.get("grid"),
            community=spec.get("community"),
            revenue=dict(spec["revenue"]),
            named=True,
        )
        if "capital_history" in spec:
            ent.capital = _explicit_capital(spec["capital_history"], "USD")
        else:
            rc = spec["registered_capital_cny"] * facts.WAN
            ent.capital = [
                CapitalPlan(ent.founded_on, CapitalChangeKind.FOUNDING, "CNY", None, rc, None, None)
            ]
        _apply_capital(ent)
        ents.append(ent)
    return ents


def _nidec_members(rng: random.Random) -> list[EntPlan]:
    targets = facts.ZONE_TARGETS
    members = []
    for spec in facts.NIDEC_MEMBERS:
        members.append(
            EntPlan(
                key=spec["key"],
                name=spec["name"],
                short_name=spec["short_name"],
                english_name=spec.get("english_name", ""),
                industry_code=spec["industry_code"],
                founded_on=spec["founded_on"],
                origin_country="JP",
                main_products=spec["main_products"],
                park=spec.get("park"),
                building=spec.get("building"),
                grid=spec.get("grid"),
                community=spec.get("community"),
                revenue=dict(spec["revenue"]) if spec.get("revenue") else {},
                employees=spec.get("employees"),
                technical_staff=spec.get("technical_staff"),
                in_group=True,
                named=True,
            )
        )
    # 2022 output of the 14 industrial members sums to the group's 159.7亿元 (file 000); members whose
    # figures the documents give keep them, the others share the rest.
    industrial = [m for m in members if m.is_industrial]
    open_share = [m for m in industrial if not m.revenue]
    fixed = sum(m.revenue[2022] for m in industrial if m.revenue)
    rest = int((targets["nidec_output_2022"] - fixed) / 1000)
    shares = _allocate(rest, [rng.uniform(0.5, 2.0) for _m in open_share])
    for m, share in zip(open_share, shares, strict=True):
        r22 = Decimal(share * 1000)
        m.revenue = {
            2021: _yuan(float(r22) / rng.uniform(1.05, 1.25)),
            2022: r22,
            2023: _yuan(float(r22) * rng.uniform(1.02, 1.15)),
        }
        m.employees = max(150, int(float(r22) / rng.uniform(1.2e6, 2.2e6)))
        m.technical_staff = int(m.employees * rng.uniform(0.10, 0.2))
    # Registered capital and total investment sum to the group's 55475万 / 142987万美元 (file 000).
    fixed_cap = facts.NIDEC_FIXED_CAPITAL
    open_cap = [m for m in members if m.key not in fixed_cap]
    rc_rest = int(targets["nidec_registered_capital"] / facts.WAN) - sum(v[0] for v in fixed_cap.values())
    ti_rest = int(targets["nidec_total_investment"] / facts.WAN) - sum(v[1] for v in fixed_cap.values())
    weights = [math.sqrt(float(m.revenue.get(2022) or 0) or 4e8) * rng.uniform(0.7, 1.3) for m in open_cap]
    rcs = _allocate(rc_rest, weights, minimum=300)
    ratios = [rng.uniform(2.0, 3.2) for _m in open_cap]
    tis = _allocate(ti_rest, [rc * r for rc, r in zip(rcs, ratios, strict=True)])
    capital = {m.key: (rc, ti) for m, rc, ti in zip(open_cap, rcs, tis, strict=True)} | fixed_cap
    for m in members:
        rc, ti = capital[m.key]
        assert ti >= rc, (m.key, rc, ti)  # total investment never below registered capital
        final = (rc * facts.WAN, ti * facts.WAN)
        if m.founded_on.year >= 2021 or m.key in fixed_cap:
            m.capital = _capital_path(rng, m.founded_on, final, final, 0, "USD")
        else:
            start_rc = _wan(rc * rng.uniform(0.2, 0.5))
            start = (start_rc, max(start_rc, _wan(ti * rng.uniform(0.2, 0.5))))
            m.capital = _capital_path(rng, m.founded_on, start, final, rng.choice((1, 2, 3)), "USD")
        _apply_capital(m)
    return members


# ---------------------------------------------------------------------------------------------------
# Generated enterprises


def _pick_origin(rng: random.Random, above: bool) -> str:
    # 规上 enterprises are more often foreign-funded (the zone's 中日/中德 parks); 内资 is the majority.
    table = (
        [("", 52), ("JP", 20), ("DE", 10), ("US", 4), ("KR", 3), ("HK", 4), ("TW", 3), ("SG", 2), ("FR", 1),
         ("CH", 1)]
        if above
        else [("", 80), ("JP", 7), ("DE", 3), ("US", 1), ("KR", 2), ("HK", 3), ("TW", 3), ("SG", 1)]
    )  # fmt: skip
    return rng.choices([c for c, _w in table], [w for _c, w in table])[0]


def _enterprise_name(rng: random.Random, country: str, word: str, taken: set[str]) -> tuple[str, str]:
    for _attempt in range(200):
        if country:
            trade = rng.choice(facts.FOREIGN_TRADES.get(country, facts.FOREIGN_TRADES["US"]))
            name = f"{trade}{word}{rng.choice(facts.FOREIGN_SUFFIXES)}"
        else:
            trade = rng.choice(facts.TRADE_CHARS) + rng.choice(facts.TRADE_CHARS)
            if trade[0] == trade[1]:
                continue
            name = f"{rng.choice(facts.DOMESTIC_PREFIXES)}{trade}{word}{facts.DOMESTIC_SUFFIX}"
        if name not in taken:
            taken.add(name)
            return name, f"{trade}{word}"
    raise RuntimeError("ran out of enterprise names")


def _founded(rng: random.Random, trajectory: str) -> dt.date:
    if trajectory.startswith("--"):
        year = 2023
    elif trajectory.startswith("-"):
        year = 2022
    elif trajectory == "BAA":
        year = rng.randint(2008, 2021)
    elif trajectory.startswith("A"):
        year = rng.randint(1994, 2017)
    else:
        year = rng.choices(range(1998, 2022), [1 + (y - 1998) // 3 for y in range(1998, 2022)])[0]
    return _random_day(rng, year)


def _revenues(rng: random.Random, trajectory: str) -> dict[int, Decimal]:
    """Revenue per year consistent with the trajectory's 规上/规下 letters (RULES.md §2)."""
    out: dict[int, float] = {}
    if trajectory == "AAA":
        # Long-tailed like real zones: a median of 8,500万元, a few at 十亿 scale.
        r22 = max(2.6e7, rng.lognormvariate(math.log(8.5e7), 1.1))
        out = {2021: r22 / rng.uniform(0.92, 1.30), 2022: r22, 2023: r22 * rng.uniform(0.88, 1.25)}
        out = {y: max(2.15e7, v) for y, v in out.items()}
        return {y: _yuan(v) for y, v in out.items()}
    for year, letter in zip(YEARS, trajectory, strict=True):
        if letter == "A":
            out[year] = rng.uniform(2.1e7, 6.5e7)
        elif letter == "B":
            previous = out.get(year - 1)
            if previous is not None and previous < 2e7:
                out[year] = min(1.96e7, previous * rng.uniform(0.85, 1.25))
            elif "A" in trajectory:
                out[year] = rng.uniform(1.2e7, 1.95e7)  # near the line it crosses
            else:
                out[year] = min(1.95e7, rng.lognormvariate(math.log(4.5e6), 0.9))
    if trajectory.startswith("-"):
        first = min(out)
        out[first] = out[first] * rng.uniform(0.2, 0.6)  # a part year
    return {y: _yuan(v) for y, v in out.items()}


def _generated_industrial(rng: random.Random, taken: set[str]) -> list[EntPlan]:
    ents = []
    industries = facts.INDUSTRIES
    weights = [w for _code, w, *_rest in industries]
    serial = 0
    for trajectory, count in TRAJECTORIES:
        for _i in range(count):
            serial += 1
            ever_above = "A" in trajectory
            if ever_above and trajectory == "AAA" and rng.random() < 0.01:
                code, words, products = facts.UTILITIES[0]
            else:
                code, _w, words, products, _chain = rng.choices(industries, weights)[0]
            country = _pick_origin(rng, ever_above)
            word = rng.choice(words)
            name, short = _enterprise_name(rng, country, word, taken)
            ent = EntPlan(
                key=f"gen{serial:04d}",
                name=name,
                short_name=short,
                industry_code=code,
                founded_on=_founded(rng, trajectory),
                origin_country=country,
                main_products=products,
                trajectory=trajectory,
                revenue=_revenues(rng, trajectory),
            )
            if trajectory.endswith("-"):
                ent.status = rng.choice([EnterpriseStatus.RELOCATED, EnterpriseStatus.DEREGISTERED])
            ents.append(ent)
    return ents


def _generated_services(rng: random.Random, taken: set[str]) -> list[EntPlan]:
    ents = []
    for serial in range(1, SERVICE_COUNT + 1):
        code, words, products = rng.choice(facts.SERVICES)
        country = "" if rng.random() < 0.85 else rng.choice(["JP", "DE", "HK"])
        name, short = _enterprise_name(rng, country, rng.choice(words), taken)
        ents.append(
            EntPlan(
                key=f"svc{serial:03d}",
                name=name,
                short_name=short,
                industry_code=code,
                founded_on=_random_day(rng, rng.randint(2005, 2022)),
                origin_country=country,
                main_products=products,
            )
        )
    return ents


def _fit_report_year_output(ents: list[EntPlan]) -> None:
    """Scale generated 2022 规上 revenue so the year's 规上 total is the documents' 645亿元."""
    target = facts.ZONE_TARGETS["above_size_output_2022"]
    fixed = sum(e.revenue[REPORT_YEAR] for e in ents if e.named and e.above(REPORT_YEAR))
    scalable = [e for e in ents if not e.named and e.above(REPORT_YEAR)]
    raw = sum(e.revenue[REPORT_YEAR] for e in scalable)
    factor = float((target - fixed) / raw)
    floor = Decimal(21_000_000)
    for e in scalable:
        old = e.revenue[REPORT_YEAR]
        new = max(floor, _yuan(float(old) * factor))
        if e.trajectory == "AAA":  # keep the enterprise's growth path around the new level
            for year in (2021, 2023):
                e.revenue[year] = max(floor, _yuan(float(e.revenue[year]) * float(new / old)))
        e.revenue[REPORT_YEAR] = new
    largest = max(scalable, key=lambda e: (e.revenue[REPORT_YEAR], e.key))
    largest.revenue[REPORT_YEAR] += target - fixed - sum(e.revenue[REPORT_YEAR] for e in scalable)
    assert largest.revenue[REPORT_YEAR] >= floor


def _profile(rng: random.Random, ent: EntPlan) -> None:
    """Staff, land, capital, park and address of a generated enterprise."""
    revenue = float(ent.revenue.get(2022) or ent.revenue.get(2023) or ent.max_revenue() or 5e6)
    big = revenue >= 2e7
    ent.employees = int(min(3000, max(8, revenue / rng.uniform(6e5, 1.8e6))))
    if ent.industry_code[0] in "IM":
        ent.employees = rng.randint(12, 90)
    ent.technical_staff = max(1, int(ent.employees * rng.uniform(0.05, 0.25)))
    if ent.is_industrial and (big or rng.random() < 0.6):
        ent.land_area_mu = Decimal(round(rng.uniform(15, 220) if big else rng.uniform(3, 30), 1)).quantize(
            Decimal("0.01")
        )
    # Parks: the country-themed parks gather Japanese and German capital; small firms rent in platforms.
    roll = rng.random()
    if ent.origin_country == "JP":
        ent.park = "sino-japan" if roll < 0.75 else ("yingyuan" if roll < 0.85 and not big else None)
    elif ent.origin_country == "DE":
        ent.park = "sino-german" if roll < 0.8 else None
    elif not big and ent.is_industrial:
        ent.park = (
            "zhichuang" if roll < 0.08 else "yingyuan" if roll < 0.12 else "liangchuang" if roll < 0.2 else
            "youxianfeng" if roll < 0.23 and ent.division in TECH_DIVISIONS else "qingtian-enclave" if roll < 0.25
            else None
        )  # fmt: skip
    if ent.park in facts.BUILDINGS and not big:
        ent.building = rng.choice(facts.BUILDINGS[ent.park])[0]
        ent.land_area_mu = None  # tenants of standard plants hold no land of their own
    ent.address = facts.ADDRESS.format(road=rng.choice(facts.ROADS), number=rng.randint(1, 1999))
    # Capital: foreign-funded enterprises register in USD with a total investment; domestic ones in CNY.
    # Increases fall in distinct years after the founding year, up to 2022.
    increases = min(rng.choices((0, 1, 2, 3), (55, 25, 15, 5))[0], max(0, 2022 - ent.founded_on.year))
    if ent.origin_country:
        rc = math.exp(rng.uniform(math.log(300), math.log(8000))) if big else rng.uniform(50, 800)
        ti = rc * rng.uniform(1.3, 2.8)
        start_rc = max(20.0, rc * rng.uniform(0.3, 0.7)) if increases else rc
        start = (_wan(start_rc), _wan(max(start_rc, ti * rng.uniform(0.3, 0.7)) if increases else ti))
        ent.capital = _capital_path(rng, ent.founded_on, start, (_wan(rc), _wan(ti)), increases, "USD")
    else:
        rc = math.exp(rng.uniform(math.log(1000), math.log(20000))) if big else rng.uniform(50, 2000)
        rc = round(rc / 10) * 10
        start_rc = max(10, round(rc * rng.uniform(0.3, 0.7) / 10) * 10) if increases else rc
        ent.capital = _capital_path(
            rng, ent.founded_on, (_wan(start_rc), None), (_wan(rc), None), increases, "CNY"
        )
    _apply_capital(ent)


# ---------------------------------------------------------------------------------------------------
# Coverage, honours, chains, contacts


def _cover(rng: random.Random, ents: list[EntPlan], grids: list[str], communities: list[str]) -> None:
    """Every 规上 enterprise of the latest year in a grid, every other one in a community (balanced)."""
    latest = YEARS[-1]
    load = dict.fromkeys(grids + communities, 0)
    for e in ents:
        for code in (e.grid, e.community):
            if code:
                load[code] += 1
    for e in ents:
        if e.named:
            covered = e.grid if (e.above(latest) or not e.operating) else e.community
            assert covered, f"named enterprise {e.key} breaks the coverage invariant"
            continue
        above = e.above(latest) if e.operating else any(e.above(y) for y in YEARS)
        pool = grids if above else communities
        code = min(pool, key=lambda c: (load[c], rng.random()))
        load[code] += 1
        if above:
            e.grid = code
        else:
            e.community = code


def _batch_date(kind: str, year: int, batch: int = 0) -> dt.date:
    days = facts.BATCH_DAYS[kind]
    if isinstance(days, dict):
        month, day = days[year]
    elif isinstance(days, list):
        month, day = days[batch]
    else:
        month, day = days
    return dt.date(year, month, day)


class _Certificates:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def number(self, kind: str, year: int) -> str:
        while True:
            if kind == HonourKind.HIGH_TECH:
                code = f"GR{year}33{self.rng.randint(100, 9999):06d}"
            elif kind == HonourKind.TECH_SME:
                code = f"{year}{facts.REGION_CODE}{self.rng.randint(1, 99999):05d}"
            else:
                return ""
            if code not in self.used:
                self.used.add(code)
                return code


def _honour(
    certs: _Certificates, kind: str, level: str, text_key: str, certified: dt.date, expires: bool = True
):
    title, issuer = facts.HONOUR_TEXT[text_key]
    return HonourPlan(
        kind=kind,
        level=level,
        title=title,
        issuer=issuer,
        certified_on=certified,
        expires_on=_expiry(certified) if expires else None,
        certificate_no=certs.number(kind, certified.year),
    )


def _holds_on(ent: EntPlan, kind: str, day: dt.date) -> bool:
    return any(h.kind == kind and h.certified_on <= day <= (h.expires_on or day) for h in ent.honours)


def _eligible_since(ent: EntPlan, certified: dt.date, years: int = 1) -> bool:
    try:
        anniversary = ent.founded_on.replace(year=ent.founded_on.year + years)
    except ValueError:  # 29 February
        anniversary = ent.founded_on.replace(year=ent.founded_on.year + years, day=28)
    return anniversary <= certified


def _tech_weight(ent: EntPlan, above_bonus: float) -> float:
    weight = 1.0
    if ent.division in TECH_DIVISIONS:
        weight *= 2.5
    if ent.division in LOW_TECH_DIVISIONS:
        weight *= 0.2
    if ent.above(REPORT_YEAR):
        weight *= above_bonus
    return weight


def _certify_series(
    rng: random.Random,
    certs: _Certificates,
    ent: EntPlan,
    kind: str,
    level: str,
    year: int,
    batch: int,
    renew_probability: float,
) -> None:
    """A certificate in `year`, sometimes preceded by the ones it renewed (3 and 6 years earlier)."""
    text_key = kind
    ent.honours.append(_honour(certs, kind, level, text_key, _batch_date(kind, year, batch)))
    earlier = year - 3
    while earlier >= 2014 and rng.random() < renew_probability:
        when = _batch_date(kind, earlier, batch)
        if not _eligible_since(ent, when):
            break
        ent.honours.append(_honour(certs, kind, level, text_key, when))
        earlier -= 3
        renew_probability *= 0.6


def _assign_ladder(
    rng: random.Random,
    certs: _Certificates,
    ents: list[EntPlan],
    *,
    kind: str,
    level: str,
    valid_target: int,
    new_target: int,
    eligible,
    above_bonus: float,
    lapsed: int,
    batches: int = 1,
) -> None:
    """Certificates of one kind so that exactly `valid_target` enterprises hold a valid one on
    2022-12-31, `new_target` of them first certified in 2022; plus some that lapsed at the end of 2022."""
    holders = [e for e in ents if _holds_on(e, kind, REPORT_DAY)]
    named_new = sum(
        1 for e in holders if any(h.kind == kind and h.certified_on.year == REPORT_YEAR for h in e.honours)
    )
    free = [e for e in ents if not e.named and e.operating and not any(h.kind == kind for h in e.honours)]

    # First certified in 2022: registered for a year before its batch.
    new_pool = [e for e in free if eligible(e) and _eligible_since(e, _batch_date(kind, REPORT_YEAR, 0))]
    chosen_new = _weighted_sample(
        rng, new_pool, [_tech_weight(e, above_bonus) for e in new_pool], new_target - named_new
    )
    for e in chosen_new:
        batch = rng.randrange(batches)
        e.honours.append(_honour(certs, kind, level, kind, _batch_date(kind, REPORT_YEAR, batch)))

    # Certified in 2020 or 2021, hence still valid at the end of 2022 (3-year certificates).
    taken = {id(e) for e in chosen_new}
    old_pool = [
        e
        for e in free
        if id(e) not in taken and eligible(e) and _eligible_since(e, _batch_date(kind, 2020, 0))
    ]
    old_needed = valid_target - new_target - (len(holders) - named_new)
    chosen_old = _weighted_sample(rng, old_pool, [_tech_weight(e, above_bonus) for e in old_pool], old_needed)
    for e in chosen_old:
        _certify_series(rng, certs, e, kind, level, rng.choice((2020, 2021)), rng.randrange(batches), 0.5)

    # Certified in 2019 and not renewed: expired during 2022.
    taken |= {id(e) for e in chosen_old}
    lapsed_pool = [
        e
        for e in ents
        if id(e) not in taken and not e.named and eligible(e) and _eligible_since(e, _batch_date(kind, 2019, 0))
        and not any(h.kind == kind for h in e.honours)
    ]  # fmt: skip
    for e in _weighted_sample(rng, lapsed_pool, [1.0] * len(lapsed_pool), lapsed):
        _certify_series(rng, certs, e, kind, level, 2019, rng.randrange(batches), 0.3)


def _honours(rng: random.Random, ents: list[EntPlan]) -> None:
    certs = _Certificates(rng)
    by_key = {e.key: e for e in ents}
    for key, kind, level, text_key, certified in facts.NAMED_HONOURS:
        expires = kind not in (HonourKind.RND_CENTRE, HonourKind.MU_LEADER)
        by_key[key].honours.append(_honour(certs, kind, level, text_key, certified, expires))
    targets = facts.ZONE_TARGETS

    def high_tech_ok(e: EntPlan) -> bool:
        return e.is_industrial or e.division in TECH_DIVISIONS

    _assign_ladder(
        rng, certs, ents, kind=HonourKind.HIGH_TECH, level="national",
        valid_target=targets["high_tech_valid_end_2022"], new_target=targets["high_tech_new_2022"],
        eligible=high_tech_ok, above_bonus=4.0, lapsed=10,
    )  # fmt: skip

    def tech_sme_ok(e: EntPlan) -> bool:  # RULES.md §5: staff ≤ 500, sales ≤ 2亿
        return (
            (e.employees or 0) <= TECH_SME_MAX_STAFF
            and e.max_revenue() <= TECH_SME_MAX_REVENUE
            and (e.is_industrial or e.division in TECH_DIVISIONS)
        )

    _assign_ladder(
        rng, certs, ents, kind=HonourKind.TECH_SME, level="provincial",
        valid_target=targets["tech_sme_valid_end_2022"], new_target=targets["tech_sme_new_2022"],
        eligible=tech_sme_ok, above_bonus=0.6, lapsed=15, batches=len(facts.BATCH_DAYS["tech_sme"]),
    )  # fmt: skip

    # 小巨人 (RULES.md §6): established 规上 manufacturers with ≥ 1亿 revenue; each first held 专精特新.
    giants_needed = targets["little_giant_new_2022"] - sum(
        1
        for e in ents
        for h in e.honours
        if h.kind == HonourKind.LITTLE_GIANT and h.certified_on.year == REPORT_YEAR
    )
    pool = [
        e
        for e in ents
        if not e.named and e.operating and e.trajectory == "AAA" and e.industry_code[0] == "C"
        and e.revenue[REPORT_YEAR] >= Decimal(100_000_000) and e.founded_on.year <= 2018
    ]  # fmt: skip
    giants = _weighted_sample(rng, pool, [_tech_weight(e, 1.0) for e in pool], giants_needed + 2)
    for i, e in enumerate(giants):
        year = REPORT_YEAR if i < giants_needed else 2021
        e.honours.append(_honour(certs, HonourKind.LITTLE_GIANT, "national", "little_giant",
                                 _batch_date(HonourKind.LITTLE_GIANT, year)))  # fmt: skip
        e.honours.append(_honour(certs, HonourKind.SPECIALISED, "provincial", "specialised",
                                 _batch_date(HonourKind.SPECIALISED, year - 1)))  # fmt: skip
    # Further provincial 专精特新 (revenue ≥ 1,000万, two years in its niche).
    pool = [
        e
        for e in ents
        if not e.named and e.operating and e.is_industrial and e.founded_on.year <= 2018
        and e.revenue.get(REPORT_YEAR, Decimal(0)) >= Decimal(10_000_000)
        and not any(h.kind == HonourKind.SPECIALISED for h in e.honours)
    ]  # fmt: skip
    for e in _weighted_sample(rng, pool, [_tech_weight(e, 2.0) for e in pool], 36):
        year = rng.choice((2020, 2021, 2022))
        e.honours.append(_honour(certs, HonourKind.SPECIALISED, "provincial", "specialised",
                                 _batch_date(HonourKind.SPECIALISED, year)))  # fmt: skip
    # R&D centres and per-mu leaders carry no expiry.
    pool = [
        e for e in ents if not e.named and e.operating and e.above(REPORT_YEAR) and e.industry_code[0] == "C"
    ]
    for i, e in enumerate(_weighted_sample(rng, pool, [_tech_weight(e, 1.0) for e in pool], 18)):
        text_key = "rnd_centre_provincial" if i % 2 == 0 else "rnd_centre_city"
        level = "provincial" if i % 2 == 0 else "city"
        when = _random_day(rng, rng.randint(2012, 2022))
        e.honours.append(_honour(certs, HonourKind.RND_CENTRE, level, text_key, when, expires=False))
    for e in _weighted_sample(rng, pool, [1.0] * len(pool), 4):
        when = _random_day(rng, 2022)
        e.honours.append(
            _honour(certs, HonourKind.MU_LEADER, "county", "mu_leader_county", when, expires=False)
        )
    _renewals(certs, ents)
    # Holders of 高企 and 科小 meet the staff rules (RULES.md §4: S&T staff ≥ 10%; §5: a non-zero staff score).
    for e in ents:
        if e.employees and any(h.kind in (HonourKind.HIGH_TECH, HonourKind.TECH_SME) for h in e.honours):
            e.technical_staff = max(e.technical_staff or 0, math.ceil(e.employees * 0.12))


RENEWAL_RATES = {HonourKind.HIGH_TECH: 0.85, HonourKind.TECH_SME: 0.8}  # share re-certified at expiry


def _renewals(certs: _Certificates, ents: list[EntPlan]) -> None:
    """高企 and 科小 certificates expiring after the documents' periods are mostly renewed at expiry, and
    again three years on, up to the day the demo is loaded: valid counts on later dates stay plausible (issue 11
    §1). Certificates expiring up to 2022 are as the documents' counts need them. Drawn from a stream of their own,
    so every other figure of the demo is unchanged; numbers stay unique across both streams."""
    rng = random.Random("honour-renewals")
    renewing = _Certificates(rng)
    renewing.used = certs.used
    today = timezone.localdate()
    for e in ents:
        if not e.operating:
            continue
        for kind, rate in RENEWAL_RATES.items():
            held = [h for h in e.honours if h.kind == kind and h.expires_on]
            if not held:
                continue
            last = max(held, key=lambda h: h.certified_on)
            while last.expires_on.year >= REPORT_YEAR + 1 and last.expires_on < today:
                # Re-certified in the year it expires: the new certificate takes over the day after (no gap,
                # no overlap: an enterprise holds one certificate of a kind at a time).
                certified = last.expires_on + dt.timedelta(days=1)
                if (certified.month, certified.day) == (2, 29):  # three years on has no 29 February
                    certified += dt.timedelta(days=1)
                if certified > today or rng.random() >= rate:
                    break
                level = "national" if kind == HonourKind.HIGH_TECH else "provincial"
                last = _honour(renewing, kind, level, kind, certified)
                e.honours.append(last)


def _chains(rng: random.Random, ents: list[EntPlan]) -> None:
    by_key = {e.key: e for e in ents}
    for chain, key, role in facts.NAMED_CHAIN_ROLES:
        note = facts.SUPPLIER_NOTE_NIDEC if role == "supplier" else ""
        by_key[key].chains[chain] = (role, note)
    chain_of = {code: chain for code, _w, _words, _p, chain in facts.INDUSTRIES}
    generated = [e for e in ents if not e.named and e.industry_code in chain_of]
    for e in generated:
        chain = chain_of[e.industry_code]
        if chain and rng.random() < (0.8 if any(e.above(y) for y in YEARS) else 0.35):
            e.chains[chain] = (ChainRole.MEMBER, "")
    # 津上's 40+ long-term local partners (file 000): machining, castings, sheet metal, parts.
    supplier_codes = {"C3425", "C3484", "C3391", "C3311", "C3360", "C3451", "C3444", "C3130"}
    pool = [e for e in generated if e.industry_code in supplier_codes and e.operating]
    for e in _weighted_sample(rng, pool, [3.0 if e.above(REPORT_YEAR) else 1.0 for e in pool], 43):
        e.chains["machine-tools"] = (ChainRole.SUPPLIER, facts.SUPPLIER_NOTE_TSUGAMI)
    pool = [e for e in generated if chain_of[e.industry_code] == "auto-electronics" and e.operating]
    for e in _weighted_sample(rng, pool, [3.0 if e.above(REPORT_YEAR) else 1.0 for e in pool], 12):
        e.chains["auto-electronics"] = (ChainRole.SUPPLIER, facts.SUPPLIER_NOTE_NIDEC)
    # Chains the documents name no leader for: their largest 规上 member leads.
    for chain, *_rest in facts.CHAINS:
        members = [e for e in ents if chain in e.chains and e.operating and e.above(REPORT_YEAR)]
        if not any(e.chains[chain][0] == ChainRole.LEADER for e in ents if chain in e.chains) and members:
            leader = max(members, key=lambda e: (e.revenue[REPORT_YEAR], e.key))
            leader.chains[chain] = (ChainRole.LEADER, "")


def _contacts(rng: random.Random, ents: list[EntPlan], names: _Names) -> None:
    def phone() -> str:
        return f"0573-85{rng.randint(0, 999999):06d}"

    for e in ents:
        if e.named or rng.random() < 0.45:
            title = rng.choice(facts.CONTACT_TITLES)
            e.contacts.append(ContactPlan(names(), title, phone(), True))
            if rng.random() < 0.2:
                e.contacts.append(ContactPlan(names(), rng.choice(facts.CONTACT_TITLES), phone(), False))
    tsugami = next(e for e in ents if e.key == facts.TSUGAMI["key"])
    tsugami.contacts[0].username = "enterprise"


# ---------------------------------------------------------------------------------------------------
# People, grids, communities


def _people_and_areas(rng: random.Random, names: _Names):
    people = [
        PersonPlan("zone_admin", names(), Role.ZONE_ADMIN, demo_login=True),
        PersonPlan("grid_leader", names(), Role.GRID_LEADER, demo_login=True),
        PersonPlan("grid_officer", names(), Role.GRID_OFFICER, demo_login=True),
        PersonPlan("community_officer", names(), Role.COMMUNITY_OFFICER, demo_login=True),
        PersonPlan("department", names(), Role.DEPARTMENT, department="econ", demo_login=True),
        PersonPlan("enterprise", names(), Role.ENTERPRISE, demo_login=True),
        # A fixed name, so that the random draws (and every generated row) stay as they were.
        PersonPlan(
            "investment", facts.INVESTMENT_STAFF_NAME, Role.DEPARTMENT, department="invest", demo_login=True
        ),
        # Fixed names too (no draw): the three administrators of the system itself.
        PersonPlan("system_admin", "系统管理员", Role.SYSTEM_ADMIN, demo_login=True),
        PersonPlan("security_admin", "安全管理员", Role.SECURITY_ADMIN, demo_login=True),
        PersonPlan("audit_admin", "审计管理员", Role.AUDIT_ADMIN, demo_login=True),
    ]
    grids, grid_staff = [], []
    for number in range(1, 17):
        code = f"G{number:02d}"
        road_a, road_b = rng.sample(facts.ROADS, 2)
        name = facts.GRID_NAME.format(numeral=facts.CHINESE_NUMERALS[number - 1])
        grids.append((code, name, number, facts.GRID_DESCRIPTION.format(road_a=road_a, road_b=road_b)))
        if number == 1:
            grid_staff += [
                (code, "grid_leader", AssignmentRole.LEADER),
                (code, "grid_officer", AssignmentRole.OFFICER),
            ]
            extra_officers = 1
        else:
            leader = f"leader_{code.lower()}"
            people.append(PersonPlan(leader, names(), Role.GRID_LEADER))
            grid_staff.append((code, leader, AssignmentRole.LEADER))
            officer = f"officer_{code.lower()}"
            people.append(PersonPlan(officer, names(), Role.GRID_OFFICER))
            grid_staff.append((code, officer, AssignmentRole.OFFICER))
            extra_officers = 1 if rng.random() < 0.5 else 0
        if extra_officers:
            officer = f"officer_{code.lower()}b"
            people.append(PersonPlan(officer, names(), Role.GRID_OFFICER))
            grid_staff.append((code, officer, AssignmentRole.OFFICER))
    communities, community_staff = [], []
    for number, (name, kind) in enumerate(facts.COMMUNITIES, start=1):
        code = f"C{number:02d}"
        communities.append((code, name, number, kind))
        if number == 1:
            community_staff.append((code, "community_officer"))
        else:
            officer = f"officer_{code.lower()}"
            people.append(PersonPlan(officer, names(), Role.COMMUNITY_OFFICER))
            community_staff.append((code, officer))
    return people, grids, grid_staff, communities, community_staff


def build_plan(seed: int = DEFAULT_SEED) -> Plan:
    """Decide every row of the demo zone; pure and deterministic for a seed."""
    rng = random.Random(seed)
    names = _Names(rng)
    people, grids, grid_staff, communities, community_staff = _people_and_areas(rng, names)
    ents = _named_enterprises(rng)
    taken_names = {e.name for e in ents}
    generated = _generated_industrial(rng, taken_names) + _generated_services(rng, taken_names)
    ents += generated
    _fit_report_year_output(ents)
    for e in generated:
        _profile(rng, e)
    for e in ents:
        if not e.address:
            e.address = facts.ADDRESS.format(road=rng.choice(facts.ROADS), number=rng.randint(1, 1999))
    used: set[str] = set()
    for e in ents:
        e.uscc = _new_uscc(rng, e.founded_on, used)
    _cover(rng, ents, [g[0] for g in grids], [c[0] for c in communities])
    _honours(rng, ents)
    _chains(rng, ents)
    _contacts(rng, ents, names)
    return Plan(seed, people, grids, communities, grid_staff, community_staff, ents)


# ---------------------------------------------------------------------------------------------------
# Writing


def _bulk(model, objs: list, admin, batch_size: int = BATCH) -> list:
    if not objs:
        return []
    return bulk_create_with_history(objs, model, batch_size=batch_size, default_user=admin)


@transaction.atomic
def write_plan(plan: Plan) -> dict:
    people = {p.username: p for p in plan.people}
    # One hash for the demo logins: they share the password, and hashing six times costs seconds.
    password = make_password(DEMO_PASSWORD)
    admin_plan = people["zone_admin"]
    admin = User(
        username=admin_plan.username,
        full_name=admin_plan.full_name,
        role=admin_plan.role,
        email=f"zone_admin@{DEMO_EMAIL_DOMAIN}",
        is_staff=True,  # its role admits it to the admin site (core.can_use_admin_site); no superuser (三员分立)
        password=password,
    )
    admin.save()
    admin.history.update(history_user=admin)

    departments = _bulk(
        Department,
        [Department(code=c, name=n, handles_investment=c == "invest") for c, n in facts.DEPARTMENTS],
        admin,
    )
    dept_by_code = {d.code: d for d in departments}
    users = []
    for p in plan.people:
        if p.username == "zone_admin":
            continue
        user = User(
            username=p.username,
            full_name=p.full_name,
            role=p.role,
            email=f"{p.username}@{DEMO_EMAIL_DOMAIN}",
            department=dept_by_code.get(p.department) if p.department else None,
            is_staff=p.role == Role.SYSTEM_ADMIN,  # the user pages of the admin site
        )
        if p.demo_login:
            user.password = password
        else:
            user.set_unusable_password()
        users.append(user)
    user_by_name = {u.username: u for u in _bulk(User, users, admin)} | {"zone_admin": admin}

    grids = _bulk(
        Grid, [Grid(code=c, name=n, number=num, description=d) for c, n, num, d in plan.grids], admin
    )
    grid_by_code = {g.code: g for g in grids}
    communities = _bulk(
        Community, [Community(code=c, name=n, number=num, kind=k) for c, n, num, k in plan.communities], admin
    )
    community_by_code = {c.code: c for c in communities}
    _bulk(
        GridAssignment,
        [
            GridAssignment(grid=grid_by_code[g], user=user_by_name[u], role=r, start_date=ASSIGNMENTS_START)
            for g, u, r in plan.grid_staff
        ],
        admin,
    )
    _bulk(
        CommunityAssignment,
        [
            CommunityAssignment(
                community=community_by_code[c], user=user_by_name[u], start_date=ASSIGNMENTS_START
            )
            for c, u in plan.community_staff
        ],
        admin,
    )

    parks = _bulk(
        Park,
        [Park(code=c, name=n, kind=k, status=s, description=d) for c, n, k, s, d in facts.PARKS],
        admin,
    )
    park_by_code = {p.code: p for p in parks}
    buildings = _bulk(
        Building,
        [
            Building(park=park_by_code[code], name=name, floor_area_m2=Decimal(area))
            for code, rows in facts.BUILDINGS.items()
            for name, area in rows
        ],
        admin,
    )
    building_by_key = {(b.park.code, b.name): b for b in buildings}

    chains = _bulk(
        Chain,
        [Chain(code=c, name=n, is_digital_economy=d, description=desc) for c, n, d, desc in facts.CHAINS],
        admin,
    )
    chain_by_code = {c.code: c for c in chains}
    group = _bulk(EnterpriseGroup, [EnterpriseGroup(**facts.NIDEC_GROUP)], admin)[0]

    enterprises = _bulk(
        Enterprise,
        [
            Enterprise(
                uscc=e.uscc,
                name=e.name,
                # bulk_create skips Enterprise.save(), which derives these keys on every other write.
                **pinyin.name_keys(e.name),
                short_name=e.short_name,
                english_name=e.english_name,
                founded_on=e.founded_on,
                status=e.status,
                industry_code=e.industry_code,
                main_products=e.main_products,
                origin=e.origin,
                origin_country=e.origin_country,
                registered_capital=e.registered_capital,
                registered_capital_currency=e.registered_capital_currency,
                total_investment=e.total_investment,
                total_investment_currency=e.total_investment_currency,
                land_area_mu=e.land_area_mu,
                employees=e.employees,
                technical_staff=e.technical_staff,
                listing_market=e.listing_market,
                stock_code=e.stock_code,
                listed_on=e.listed_on,
                group=group if e.in_group else None,
                park=park_by_code.get(e.park) if e.park else None,
                building=building_by_key.get((e.park, e.building)) if e.building else None,
                grid=grid_by_code.get(e.grid) if e.grid else None,
                community=community_by_code.get(e.community) if e.community else None,
                address=e.address,
                created_by=admin,
            )
            for e in plan.enterprises
        ],
        admin,
    )
    # bulk_create skips Enterprise.save(), which keeps the name search's bigrams on every other write.
    write_name_grams({e.pk: (e.name, e.short_name, e.english_name) for e in enterprises}, replace=False)
    ent_by_uscc = {ent.uscc: ent for ent in enterprises}
    pairs = [(e, ent_by_uscc[e.uscc]) for e in plan.enterprises]

    scales, capital, honours, contacts, memberships = [], [], [], [], []
    for e, ent in pairs:
        for year in sorted(e.revenue):
            if e.is_industrial:
                scales.append(
                    AnnualScale(enterprise=ent, year=year, above_size=e.above(year), revenue=e.revenue[year])
                )
        for c in e.capital:
            capital.append(
                CapitalChange(
                    enterprise=ent,
                    changed_on=c.changed_on,
                    kind=c.kind,
                    currency=c.currency,
                    registered_capital_before=c.rc_before,
                    registered_capital_after=c.rc_after,
                    total_investment_before=c.ti_before,
                    total_investment_after=c.ti_after,
                    note=c.note,
                )
            )
        for h in e.honours:
            honours.append(
                Honour(
                    enterprise=ent,
                    kind=h.kind,
                    level=h.level,
                    title=h.title,
                    certificate_no=h.certificate_no,
                    certified_on=h.certified_on,
                    expires_on=h.expires_on,
                    issuer=h.issuer,
                )
            )
        for c in e.contacts:
            contacts.append(
                Contact(
                    enterprise=ent,
                    name=c.name,
                    title=c.title,
                    phone=c.phone,
                    is_primary=c.is_primary,
                    user=user_by_name[c.username] if c.username else None,
                )
            )
        for chain, (role, note) in sorted(e.chains.items()):
            memberships.append(
                ChainMembership(chain=chain_by_code[chain], enterprise=ent, role=role, note=note)
            )
    _bulk(AnnualScale, scales, admin)
    _bulk(CapitalChange, capital, admin)
    _bulk(Honour, honours, admin)
    _bulk(Contact, contacts, admin)
    _bulk(ChainMembership, memberships, admin)
    return {
        "users": len(user_by_name),
        "enterprises": len(enterprises),
        "annual_scales": len(scales),
        "honours": len(honours),
        "capital_changes": len(capital),
        "contacts": len(contacts),
        "chain_memberships": len(memberships),
    }


def load_demo(seed: int = DEFAULT_SEED, stdout=None) -> dict:
    """Build and write the demo zone into an empty database; returns row counts."""
    started = time.perf_counter()
    plan = build_plan(seed)
    counts = write_plan(plan)
    counts.update(extensions.load_all(seed, stdout=stdout))
    # The demo administrators' second factor: the documented demo secret (README, accounts/demo.py).
    enrol_demo_users(User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}"))
    counts["seconds"] = time.perf_counter() - started
    if stdout is not None:
        above = AnnualScale.objects.filter(year=REPORT_YEAR, above_size=True).count()
        stdout.write(
            _(
                "Loaded the demo zone: %(enterprises)d enterprises (%(above)d above designated size in %(year)d), "
                "%(honours)d honours, %(users)d users in %(seconds).1f s"
            )
            % {**counts, "above": above, "year": REPORT_YEAR}
        )
    return counts


# ---------------------------------------------------------------------------------------------------
# Scale


def _insert_with_history(model, rows: list[dict], admin, now) -> None:
    """Insert rows (dicts of attname -> value, primary key included) and their "created" history rows.

    The rows are those bulk_create_with_history writes (history_type "+", the zone admin as history_user,
    columns not given take the field default), but with one prepared statement per table and each value
    converted once: Django compiles SQL per batch of 33 rows on SQLite (999 parameters), which made
    100,000 enterprises take over a minute.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    history = model.history.model
    history_fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    constants = {"history_date": now, "history_change_reason": None, "history_type": "+",
                 "history_user_id": admin.pk if admin else None}  # fmt: skip
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[f.attname] = now
        elif f.attname not in rows[0]:
            constants[f.attname] = f.get_default()
    # A column is either the same prepared value on every row, or converted row by row.
    prepared = {
        f.attname: f.get_db_prep_save(constants[f.attname], connection)
        for f in [*fields, *history_fields]
        if f.attname in constants
    }
    varying = [f for f in fields if f.attname not in constants]
    main_rows, history_rows = [], []
    for row in rows:
        values = prepared | {f.attname: f.get_db_prep_save(row[f.attname], connection) for f in varying}
        main_rows.append([values[f.attname] for f in fields])
        history_rows.append([values[f.attname] for f in history_fields])

    def insert(cursor, table, columns, values) -> None:
        names = ", ".join(quote(f.column) for f in columns)
        if connection.vendor == "postgresql":
            # COPY streams the rows in one round trip; row-by-row inserts are bound by network latency.
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        # SQLite runs in-process: one prepared statement executed per row is its fastest path.
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", values
        )

    with connection.cursor() as cursor:
        insert(cursor, model._meta.db_table, fields, main_rows)
        insert(cursor, history._meta.db_table, history_fields, history_rows)


def _next_pk(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def generate_scale(n: int, seed: int = DEFAULT_SEED, stdout=None, batch_size: int = 5000) -> int:
    """Add n synthetic enterprises (valid unique USCCs, covered, latest-year 规上/规下, some honours).

    Meant for load tests: rows go in batch by batch (each batch one transaction), each with its history
    row. The demo zone must be loaded first (it provides the grids, communities and the zone admin).
    """
    if n <= 0:
        return 0
    started = time.perf_counter()
    rng = random.Random(f"scale-{seed}-{n}")
    admin = User.objects.filter(role=Role.ZONE_ADMIN).order_by("pk").first()
    grids = list(Grid.objects.filter(is_active=True).order_by("number").values_list("pk", flat=True))
    communities = list(
        Community.objects.filter(is_active=True).order_by("number").values_list("pk", flat=True)
    )
    if not grids or not communities:
        raise RuntimeError("load the demo zone before generating scale data")
    year = AnnualScale.objects.order_by("-year").values_list("year", flat=True).first() or YEARS[-1]
    used = set(Enterprise.objects.values_list("uscc", flat=True))
    taken = set(Enterprise.objects.values_list("name", flat=True))
    industries = facts.INDUSTRIES
    weights = [w for _code, w, *_rest in industries]
    honour_days = {HonourKind.TECH_SME: dt.date(year, *facts.BATCH_DAYS["tech_sme"][0])}
    if year in facts.BATCH_DAYS["high_tech"]:
        honour_days[HonourKind.HIGH_TECH] = _batch_date(HonourKind.HIGH_TECH, year)
    honour_text = {HonourKind.HIGH_TECH: ("national", *facts.HONOUR_TEXT["high_tech"]),
                   HonourKind.TECH_SME: ("provincial", *facts.HONOUR_TEXT["tech_sme"])}  # fmt: skip
    made = 0
    serial = 0
    while made < n:
        count = min(batch_size, n - made)
        with transaction.atomic():
            # Primary keys are assigned here, inside the write transaction, so that one statement per
            # table inserts the rows and their history without reading ids back.
            ent_pk, scale_pk, honour_pk = _next_pk(Enterprise), _next_pk(AnnualScale), _next_pk(Honour)
            ents, scales, honours = [], [], []
            for _i in range(count):
                code, _w, words, products, _chain = rng.choices(industries, weights)[0]
                above = rng.random() < 0.3
                country = _pick_origin(rng, above)
                founded = dt.date(rng.randint(1995, year), rng.randint(1, 12), rng.randint(1, 28))
                for _attempt in range(8):
                    trade = rng.choice(facts.TRADE_CHARS) + rng.choice(facts.TRADE_CHARS)
                    word = rng.choice(words)
                    name = f"{rng.choice(facts.SCALE_PREFIXES)}{trade}{word}{facts.DOMESTIC_SUFFIX}"
                    if name not in taken:
                        break
                while name in taken:
                    # Past a few million names the word lists run dry: a serial keeps names unique.
                    serial += 1
                    name = f"{rng.choice(facts.SCALE_PREFIXES)}{trade}{word}{serial}{facts.DOMESTIC_SUFFIX}"
                taken.add(name)
                revenue = (
                    _yuan(max(2.1e7, rng.lognormvariate(math.log(6e7), 0.9)))
                    if above
                    else _yuan(min(1.95e7, rng.lognormvariate(math.log(4e6), 0.9)))
                )
                employees = int(min(3000, max(8, float(revenue) / rng.uniform(6e5, 1.8e6))))
                ents.append(
                    {
                        "id": ent_pk,
                        "uscc": _new_uscc(rng, founded, used),
                        "name": name,
                        **pinyin.name_keys(name),  # what Enterprise.save() would derive
                        "short_name": f"{trade}{word}",
                        "industry_code": code,
                        "founded_on": founded,
                        "main_products": products,
                        "origin": Origin.HMT
                        if country in HMT_COUNTRIES
                        else Origin.FOREIGN
                        if country
                        else Origin.DOMESTIC,
                        "origin_country": country,
                        "registered_capital": _wan(rng.uniform(50, 5000)),
                        "registered_capital_currency": "USD" if country else "CNY",
                        "employees": employees,
                        "technical_staff": max(1, int(employees * rng.uniform(0.1, 0.25))),
                        "grid_id": rng.choice(grids) if above else None,
                        "community_id": None if above else rng.choice(communities),
                        "address": facts.ADDRESS.format(
                            road=rng.choice(facts.ROADS), number=rng.randint(1, 1999)
                        ),
                        "created_by_id": admin.pk if admin else None,
                    }
                )
                scales.append(
                    {
                        "id": scale_pk,
                        "enterprise_id": ent_pk,
                        "year": year,
                        "above_size": above,
                        "revenue": revenue,
                    }
                )
                scale_pk += 1
                roll = rng.random()
                kind = None
                if roll < 0.08 and HonourKind.HIGH_TECH in honour_days and founded.year < year:
                    kind = HonourKind.HIGH_TECH
                elif roll < 0.25 and not above and founded < honour_days[HonourKind.TECH_SME]:
                    kind = HonourKind.TECH_SME
                if kind is not None:
                    level, title, issuer = honour_text[kind]
                    day = honour_days[kind]
                    honours.append(
                        {"id": honour_pk, "enterprise_id": ent_pk, "kind": kind, "level": level, "title": title,
                         "issuer": issuer, "certified_on": day, "expires_on": _expiry(day)}
                    )  # fmt: skip
                    honour_pk += 1
                ent_pk += 1
            now = timezone.now()
            _insert_with_history(Enterprise, ents, admin, now)
            write_name_grams({e["id"]: (e["name"], e["short_name"], "") for e in ents}, replace=False)
            _insert_with_history(AnnualScale, scales, admin, now)
            _insert_with_history(Honour, honours, admin, now)
        made += count
    _reset_sequences([Enterprise, AnnualScale, Honour])
    if stdout is not None:
        stdout.write(
            _("Added %(count)d synthetic enterprises in %(seconds).1f s")
            % {"count": n, "seconds": time.perf_counter() - started}
        )
    return n


def _reset_sequences(models: list) -> None:
    """After inserts with explicit keys, PostgreSQL's sequences must move past them (SQLite needs nothing)."""
    connection = connections["default"]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
