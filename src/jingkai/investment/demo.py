"""Demo data of this app, loaded by jingkai demo after the registry (see jingkai.demo.extensions).

The documents' projects (SEED-FACTS.md: the 日本电产 drive-motor flagship factory, 尼得科机床, 日本电产理德,
浙江川电钢板's capital increase, 中津精密机床, 嘉吉's 2023 line, 轩田's own land, 考泰斯's Asia technical centre)
plus generated ones, chosen so that 2022's official figures are exactly the zone's: 报批内外资项目 62, 合同外资
2.88亿美元, 实到外资 2.1亿美元, 新认定招大引强项目 5, 实到内资 12亿元, 备案亿元以上投资项目 17.
Exchange rates and the year's targets are invented demo values (docs/decisions/0008-investment.md).

After the documents the ledger lives up to the load day (`today`): every year from 2023 gets about as many
approved projects as 2022 (the year under way in proportion to the days gone), with arrivals, follow-ups and
milestones dated up to today (the next milestones around it: some late, some due within a week), open leads and
negotiations first contacted in the last year, and targets for every year up to the current one.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from jingkai.chains.models import Chain
from jingkai.core.models import Department, Role, User
from jingkai.core.money import WAN, YI, Currency
from jingkai.enterprises.choices import Origin
from jingkai.enterprises.models import CapitalChange, Enterprise
from jingkai.investment import services
from jingkai.investment.models import (
    STAGE_ORDER,
    Arrival,
    ArrivalKind,
    ExchangeRate,
    Figure,
    FollowUp,
    Milestone,
    Project,
    ProjectKind,
    ReminderSettings,
    Stage,
    StageEvent,
    Status,
    Target,
)
from jingkai.parks.models import Park

D = dt.date
# The official 2022 figures (SEED-FACTS.md), in base units.
FIGURES_2022 = {
    Figure.APPROVED: 62,
    Figure.CONTRACT_FOREIGN: Decimal("2.88") * YI,
    Figure.FOREIGN_ARRIVED: Decimal("2.1") * YI,
    Figure.KEY_PROJECTS: 5,
    Figure.DOMESTIC_ARRIVED: 12 * YI,
    Figure.ABOVE_YI: 17,
}
# Invented targets (documented as such): 2022 slightly above what was achieved, 2023 higher.
TARGETS = {
    2022: {
        "approved_projects": 60,
        "contract_foreign": 3 * YI,
        "foreign_arrived": 2 * YI,
        "key_projects": 5,
        "domestic_arrived": 12 * YI,
        "above_yi_filed": 15,
    },
    2023: {
        "approved_projects": 65,
        "contract_foreign": Decimal("3.2") * YI,
        "foreign_arrived": Decimal("2.3") * YI,
        "key_projects": 6,
        "domestic_arrived": 14 * YI,
        "above_yi_filed": 18,
    },
}
# Later years' targets: 2023's raised by this much a year (counts rounded, amounts to 0.1亿).
LATER_TARGET_GROWTH = Decimal("0.05")
# Approved projects a year after the documents (2022 had 62); the year under way in proportion.
YEARLY_PROJECTS = {2023: 64, 2024: 66, 2025: 68}
LATER_YEARLY_PROJECTS = 70
# Approximate monthly USD→RMB rates (invented demo values near the published central parity).
USD_RATES = {
    2021: [6.47, 6.46, 6.51, 6.52, 6.44, 6.43, 6.47, 6.48, 6.46, 6.43, 6.39, 6.37],
    2022: [6.37, 6.34, 6.35, 6.42, 6.66, 6.69, 6.73, 6.79, 6.92, 7.11, 7.16, 6.98],
    2023: [6.79, 6.85, 6.90, 6.88, 6.99, 7.13, 7.18, 7.17, 7.18, 7.18, 7.17, 7.10],
    2024: [7.11, 7.11, 7.10, 7.10, 7.11, 7.12, 7.13, 7.14, 7.10, 7.13, 7.18, 7.19],
    2025: [7.19, 7.17, 7.17, 7.20, 7.19, 7.18, 7.15, 7.13, 7.11, 7.10, 7.08, 7.07],
    2026: [7.06, 7.05, 7.04, 7.03, 7.02, 7.01, 7.00, 7.00, 6.99, 6.99, 6.98, 6.98],
}
RATE_SOURCE = "演示数据（近似月平均汇率，非官方）"
CHUANDIAN = "浙江川电钢板加工有限公司"

FOREIGN_INVESTORS = {
    "JP": [
        "大和精工株式会社",
        "三井精机工业株式会社",
        "东洋电装株式会社",
        "山本化学株式会社",
        "日立精密株式会社",
    ],
    "DE": [
        "舍弗勒投资（中国）有限公司",
        "博世汽车部件有限公司",
        "莱茵精密机械有限公司",
        "巴登传动技术有限公司",
    ],
    "US": ["美国联合材料公司", "太平洋电子公司", "北美食品科技公司"],
    "KR": ["韩国大元电子株式会社", "东亚汽车零部件株式会社"],
    "SG": ["新加坡星岛投资有限公司"],
}
HMT_INVESTORS = {"HK": ["香港恒泰实业有限公司", "香港华盛投资有限公司"], "TW": ["台湾精诚电子股份有限公司"]}
DOMESTIC_INVESTORS = ["上海", "杭州", "宁波", "苏州", "嘉兴", "深圳", "无锡", "温州", "合肥", "南京"]
PRODUCTS = [
    ("汽车电子控制器", "auto-electronics", "C3670"),
    ("新能源汽车电机", "auto-electronics", "C3812"),
    ("高档数控机床", "machine-tools", "C3421"),
    ("精密机械零部件", "machine-tools", "C3484"),
    ("功率半导体模块", "semiconductor", "C3972"),
    ("光通信器件", "optoelectronics", "C3976"),
    ("功能性食品配料", "food", "C1495"),
    ("高性能复合材料", None, "C2929"),
    ("智能装备", None, "C3562"),
]


@dataclass
class P:
    """One planned project."""

    name: str
    investor: str
    origin: str
    country: str
    kind: str
    stage: str
    total: Decimal | None
    currency: str = Currency.CNY
    contract_on: dt.date | None = None
    contract_foreign: Decimal | None = None
    approval_on: dt.date | None = None
    started_on: dt.date | None = None
    production_on: dt.date | None = None
    full_on: dt.date | None = None
    key_on: dt.date | None = None
    first_contact_on: dt.date | None = None
    enterprise: str | None = None  # a facts key, or an enterprise name
    park: str | None = None
    chain: str | None = None
    industry_code: str = ""
    expected_output: Decimal | None = None
    land_mu: Decimal | None = None
    leased_sqm: Decimal | None = None
    status: str = Status.NORMAL
    status_reason: str = ""
    planned: dict = field(default_factory=dict)  # stage -> planned date
    note: str = ""


def _named() -> list[P]:
    w = WAN
    return [
        P(
            "日本电产汽车马达驱动电机旗舰工厂",
            "日本电产株式会社（尼得科）",
            Origin.FOREIGN,
            "JP",
            ProjectKind.NEW,
            Stage.STARTED,
            250_000 * w,
            contract_on=D(2022, 3, 18),
            contract_foreign=10_000 * w,
            approval_on=D(2022, 4, 22),
            started_on=D(2022, 6, 28),
            key_on=D(2022, 5, 10),
            first_contact_on=D(2021, 9, 6),
            enterprise="日本电产汽车马达（浙江）有限公司",
            park="sino-japan",
            chain="auto-electronics",
            industry_code="C3812",
            expected_output=500_000 * w,
            land_mu=Decimal(220),
            planned={Stage.PRODUCING: D(2027, 3, 31), Stage.FULL: D(2028, 12, 31)},
            note="总投资25亿元，2022年签约并开工。",
        ),
        P(
            "尼得科机床（浙江）有限公司数控机床项目",
            "尼得科株式会社",
            Origin.FOREIGN,
            "JP",
            ProjectKind.NEW,
            Stage.PRODUCING,
            5_000 * w,
            Currency.USD,
            contract_on=D(2022, 5, 20),
            contract_foreign=3_000 * w,
            approval_on=D(2022, 7, 5),
            started_on=D(2022, 9, 1),
            production_on=D(2022, 12, 16),
            key_on=D(2022, 8, 30),
            first_contact_on=D(2022, 1, 12),
            enterprise="尼得科机床（浙江）有限公司",
            park="qingtian-enclave",
            chain="machine-tools",
            industry_code="C3421",
            expected_output=80_000 * w,
            leased_sqm=Decimal(12_000),
            planned={Stage.FULL: D(2027, 6, 30)},
            note="2022年9月起租赁“飞地”产业园厂房。",
        ),
        P(
            "日本电产理德半导体检测设备项目",
            "日本电产理德株式会社",
            Origin.FOREIGN,
            "JP",
            ProjectKind.NEW,
            Stage.PRODUCING,
            3_000 * w,
            Currency.USD,
            contract_on=D(2022, 6, 8),
            contract_foreign=2_000 * w,
            approval_on=D(2022, 7, 20),
            started_on=D(2022, 10, 10),
            production_on=D(2023, 6, 30),
            first_contact_on=D(2022, 2, 15),
            enterprise="日本电产理德机器装置（浙江）有限公司",
            park="sino-japan",
            chain="semiconductor",
            industry_code="C3562",
            expected_output=60_000 * w,
            planned={Stage.FULL: D(2026, 12, 31)},
        ),
        P(
            "浙江川电钢板加工有限公司增资扩产项目",
            "川崎电工株式会社",
            Origin.FOREIGN,
            "JP",
            ProjectKind.INCREASE,
            Stage.APPROVED,
            3_400 * w,
            Currency.USD,
            contract_on=D(2022, 9, 26),
            contract_foreign=1_200 * w,
            approval_on=D(2022, 11, 15),
            first_contact_on=D(2022, 6, 1),
            enterprise=CHUANDIAN,
            park="sino-japan",
            chain="auto-electronics",
            industry_code="C3130",
            expected_output=30_000 * w,
            planned={Stage.STARTED: D(2026, 12, 20)},
            note="增资新项目，为日本电产汽车马达驱动电机旗舰工厂配套。",
        ),
        P(
            "中津精密机床厂房改造及扩产项目",
            "津上精密机床（浙江）有限公司",
            Origin.FOREIGN,
            "JP",
            ProjectKind.NEW,
            Stage.STARTED,
            6_000 * w,
            Currency.USD,
            contract_on=D(2023, 2, 16),
            contract_foreign=3_000 * w,
            approval_on=D(2023, 3, 20),
            started_on=D(2023, 4, 10),
            key_on=D(2023, 3, 28),
            first_contact_on=D(2022, 10, 18),
            enterprise="津上精密机床（浙江）有限公司",
            chain="machine-tools",
            industry_code="C3421",
            expected_output=150_000 * w,
            planned={Stage.PRODUCING: D(2024, 6, 30)},
            status=Status.DELAYED,
            status_reason="厂房改造与设备进场顺延",
            note="2023年4月起厂房改造及扩产。",
        ),
        P(
            "嘉吉食品科技2023年新生产线项目",
            "嘉吉公司",
            Origin.FOREIGN,
            "US",
            ProjectKind.NEW,
            Stage.PRODUCING,
            4_000 * w,
            Currency.USD,
            contract_on=D(2022, 12, 12),
            contract_foreign=1_500 * w,
            approval_on=D(2023, 1, 9),
            started_on=D(2023, 2, 20),
            production_on=D(2023, 6, 18),
            first_contact_on=D(2022, 7, 1),
            enterprise="嘉吉食品科技（平湖）有限公司",
            chain="food",
            industry_code="C1495",
            expected_output=30_000 * w,
            planned={Stage.FULL: D(2027, 6, 30)},
            note="新增产能达产后新增产值3亿元。",
        ),
        P(
            "浙江轩田智能科技自有土地项目",
            "浙江轩田智能科技有限公司",
            Origin.DOMESTIC,
            "",
            ProjectKind.NEW,
            Stage.APPROVED,
            60_000 * w,
            contract_on=D(2023, 5, 18),
            approval_on=D(2023, 8, 8),
            first_contact_on=D(2022, 11, 3),
            enterprise="浙江轩田智能科技有限公司",
            park="liangchuang",
            industry_code="C3562",
            expected_output=100_000 * w,
            land_mu=Decimal(60),
            planned={Stage.STARTED: D(2023, 12, 15), Stage.PRODUCING: D(2025, 12, 31)},
            note="现租赁两创产业园3号楼约1.5万㎡；自有土地项目2023年四季度开工，2025年搬迁。",
        ),
        P(
            "考泰斯亚洲技术中心",
            "考泰斯（Kautex Textron）",
            Origin.FOREIGN,
            "DE",
            ProjectKind.RND,
            Stage.PRODUCING,
            2_500 * w,
            Currency.USD,
            contract_on=D(2022, 12, 20),
            contract_foreign=800 * w,
            approval_on=D(2023, 1, 16),
            started_on=D(2023, 2, 1),
            production_on=D(2023, 9, 20),
            first_contact_on=D(2022, 5, 9),
            enterprise="考泰斯（平湖）塑料技术有限公司",
            park="sino-german",
            chain="auto-electronics",
            industry_code="C2929",
            note="2023年投用。",
        ),
    ]


def _split(rng: random.Random, total: Decimal, parts: int, unit: Decimal = WAN) -> list[Decimal]:
    """total (a multiple of unit) as `parts` positive multiples of unit, in random proportions."""
    units = int(total / unit)
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    raw = [max(1, int(units * w / sum(weights))) for w in weights]
    raw[-1] = units - sum(raw[:-1])
    assert raw[-1] > 0
    return [Decimal(r) * unit for r in raw]


def _usd_rate(day: dt.date) -> Decimal:
    """The demo's rate for a month; after the table, its last year's rate of the same month."""
    months = USD_RATES.get(day.year) or USD_RATES[max(USD_RATES)]
    return Decimal(str(months[day.month - 1]))


def _targets(today: dt.date) -> dict[int, dict]:
    """The invented targets (TARGETS), and each later year's up to today's: the year before's + 5%."""
    out = dict(TARGETS)
    for year in range(max(TARGETS) + 1, today.year + 1):
        out[year] = {
            figure: (
                Decimal(round(value * (1 + LATER_TARGET_GROWTH)))
                if value < 1000
                else (value * (1 + LATER_TARGET_GROWTH) / (YI / 10)).quantize(Decimal(1)) * (YI / 10)
            )
            for figure, value in out[year - 1].items()
        }
    return out


def _day(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
    start = D(year, first_month, 1)
    end = D(year, last_month, 28)
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _later_counts(today: dt.date) -> list[tuple[int, int]]:
    """(year, approved projects) from 2023 to today's year, the year under way in proportion to its days."""
    out = []
    for year in range(2023, today.year + 1):
        count = YEARLY_PROJECTS.get(year, LATER_YEARLY_PROJECTS)
        if year == today.year:
            count = round(count * (today - D(year, 1, 1)).days / 365)
        out.append((year, count))
    return out


def _generated(rng: random.Random, named: list[P], today: dt.date) -> list[P]:
    """Projects that, with the named ones, give 2022 its official figures; plus 2021 and 2023 … today's year."""
    out: list[P] = []
    approved_2022 = [p for p in named if p.approval_on and p.approval_on.year == 2022]
    big_named = sum(1 for p in approved_2022 if _is_big(p))
    key_named = sum(1 for p in named if p.key_on and p.key_on.year == 2022)
    contract_named = sum(
        (
            p.contract_foreign
            for p in named
            if p.contract_on and p.contract_on.year == 2022 and p.contract_foreign
        ),
        Decimal(0),
    )
    n = FIGURES_2022[Figure.APPROVED] - len(approved_2022)
    n_big = FIGURES_2022[Figure.ABOVE_YI] - big_named
    n_key = FIGURES_2022[Figure.KEY_PROJECTS] - key_named
    foreign_count = 20
    foreign_amounts = _split(rng, FIGURES_2022[Figure.CONTRACT_FOREIGN] - contract_named, foreign_count)
    big_flags = [True] * n_big + [False] * (n - n_big)
    rng.shuffle(big_flags)
    foreign_flags = [True] * foreign_count + [False] * (n - foreign_count)
    rng.shuffle(foreign_flags)
    key_indexes = set(rng.sample([i for i in range(n) if big_flags[i]], n_key))
    for i in range(n):
        out.append(
            _make(
                rng,
                i,
                2022,
                foreign_flags[i],
                big_flags[i],
                i in key_indexes,
                foreign_amounts.pop() if foreign_flags[i] else None,
                today,
            )
        )
    # Other years: 2021 (before), 2023 … today's year (after), and open leads/negotiations.
    for year, count in ((2021, 12), *_later_counts(today)):
        for i in range(count):
            foreign = rng.random() < 0.35
            out.append(
                _make(
                    rng,
                    1000 * year + i,
                    year,
                    foreign,
                    big := rng.random() < 0.3,
                    big and rng.random() < 0.25,  # 新认定招大引强: about five a year
                    Decimal(rng.randint(200, 3000)) * WAN if foreign else None,
                    today,
                )
            )
    for i in range(14):
        stage = Stage.LEAD if i < 8 else Stage.NEGOTIATING
        foreign = rng.random() < 0.5
        out.append(_open(rng, i, stage, foreign, today))
    return out


def _is_big(p: P) -> bool:
    rate = _usd_rate(p.approval_on)
    return bool(services.above_yi(p.total, p.currency, rate if p.currency == Currency.USD else None))


def _investor(rng, foreign: bool) -> tuple[str, str, str]:
    if foreign:
        if rng.random() < 0.15:
            country = rng.choice(sorted(HMT_INVESTORS))
            return rng.choice(HMT_INVESTORS[country]), Origin.HMT, country
        country = rng.choice(["JP", "JP", "JP", "DE", "DE", "US", "KR", "SG"])
        return rng.choice(FOREIGN_INVESTORS[country]), Origin.FOREIGN, country
    city = rng.choice(DOMESTIC_INVESTORS)
    return (
        f"{city}{rng.choice(['恒', '华', '瑞', '聚', '鼎', '创'])}{rng.choice(['达', '新', '科', '拓', '源'])}科技有限公司",
        Origin.DOMESTIC,
        "",
    )


def _make(rng, i, year, foreign, big, key, contract_foreign, today: dt.date) -> P:
    investor, origin, country = _investor(rng, foreign)
    product, chain, industry_code = rng.choice(PRODUCTS)
    if year == today.year:  # the year under way: approved by three days ago
        first = D(year, 1, 20)
        approval_on = first + dt.timedelta(days=rng.randint(0, max(0, (today - first).days - 3)))
    else:
        approval_on = _day(rng, year, 2, 12)
    contract_on = approval_on - dt.timedelta(days=rng.randint(5, 30))
    if contract_on.year != year:
        contract_on = D(year, 1, rng.randint(2, 20))
    if foreign:
        currency = Currency.USD
        total = Decimal(rng.randint(2_000, 12_000) if big else rng.randint(200, 1_200)) * WAN
    else:
        currency = Currency.CNY
        total = Decimal(rng.randint(15_000, 200_000) if big else rng.randint(1_000, 8_000)) * WAN
    started_on = production_on = None
    stage = Stage.APPROVED
    planned = {}
    if approval_on + dt.timedelta(days=120) < today and rng.random() < 0.75:
        started_on = approval_on + dt.timedelta(days=rng.randint(20, 120))
        stage = Stage.STARTED
        if started_on + dt.timedelta(days=420) < today and rng.random() < 0.6:
            production_on = started_on + dt.timedelta(days=rng.randint(180, 420))
            stage = Stage.PRODUCING
    next_stage = STAGE_ORDER[STAGE_ORDER.index(stage) + 1]
    # The next milestone: most ahead of plan, some late (red) and some due soon (amber).
    roll = rng.random()
    planned[next_stage] = (
        today - dt.timedelta(days=rng.randint(10, 200))
        if roll < 0.2
        else today + dt.timedelta(days=rng.randint(1, 7))
        if roll < 0.3
        else today + dt.timedelta(days=rng.randint(30, 400))
    )
    return P(
        name=f"{investor.split('有限公司')[0].split('株式会社')[0]}{product}项目",
        investor=investor,
        origin=origin,
        country=country,
        kind=rng.choice(
            [ProjectKind.NEW, ProjectKind.NEW, ProjectKind.NEW, ProjectKind.HEADQUARTERS, ProjectKind.RND]
        ),
        stage=stage,
        total=total,
        currency=currency,
        contract_on=contract_on,
        contract_foreign=contract_foreign,
        approval_on=approval_on,
        started_on=started_on,
        production_on=production_on,
        key_on=min(approval_on + dt.timedelta(days=rng.randint(0, 20)), D(year, 12, 31), today)
        if key
        else None,
        first_contact_on=contract_on - dt.timedelta(days=rng.randint(30, 240)),
        enterprise=None,
        chain=chain,
        industry_code=industry_code,
        expected_output=total * rng.choice([1, 2, 3]) if not foreign else None,
        planned=planned,
    )


def _open(rng, i, stage, foreign, today: dt.date) -> P:
    investor, origin, country = _investor(rng, foreign)
    product, chain, industry_code = rng.choice(PRODUCTS)
    status = rng.choice([Status.NORMAL] * 5 + [Status.STALLED])
    return P(
        name=f"{investor.split('有限公司')[0].split('株式会社')[0]}{product}项目（洽谈）",
        investor=investor,
        origin=origin,
        country=country,
        kind=ProjectKind.NEW,
        stage=stage,
        total=Decimal(rng.randint(3_000, 50_000)) * WAN
        if not foreign
        else Decimal(rng.randint(500, 5_000)) * WAN,
        currency=Currency.USD if foreign else Currency.CNY,
        first_contact_on=today - dt.timedelta(days=rng.randint(30, 330)),
        chain=chain,
        industry_code=industry_code,
        status=status,
        status_reason="投资方暂缓决策" if status == Status.STALLED else "",
        planned={Stage.SIGNED: today + dt.timedelta(days=rng.randint(-60, 180))},
    )


STAFF = [("zs_wang", "王思远"), ("zs_li", "李晓雯")]  # more 招商 staff (no login), so "by owner" has owners


def _owners(invest, admin) -> list:
    from django.contrib.auth.hashers import make_password

    from jingkai.core.demo import DEMO_EMAIL_DOMAIN

    if invest is None:
        return [admin]
    extra = [
        User(
            username=u,
            full_name=n,
            role=Role.DEPARTMENT,
            department=invest,
            email=f"{u}@{DEMO_EMAIL_DOMAIN}",
            password=make_password(None),
        )
        for u, n in STAFF
        if not User.objects.filter(username=u).exists()
    ]
    bulk_create_with_history(extra, User, default_user=admin)
    return list(User.objects.filter(department=invest, role=Role.DEPARTMENT).order_by("pk")) or [admin]


def load(seed: int, stdout=None) -> dict:
    rng = random.Random(seed * 7919 + 4)
    admin = User.objects.filter(role=Role.ZONE_ADMIN).order_by("pk").first()
    if admin is None:
        return {}
    invest = Department.objects.filter(handles_investment=True).first()
    owners = _owners(invest, admin)
    owners = owners or [admin]
    named = _named()
    today = timezone.localdate()
    plans = named + _generated(rng, named, today)

    # Exchange rates first: the 亿元以上 rule reads them.
    rates = [
        ExchangeRate(
            month=D(year, m + 1, 1), currency=Currency.USD, rate_to_cny=_usd_rate(D(year, m + 1, 1)),
            source=RATE_SOURCE,
        )
        for year in range(min(USD_RATES), max(max(USD_RATES), today.year) + 1)
        for m in range(12)
    ]  # fmt: skip
    bulk_create_with_history(rates, ExchangeRate, default_user=admin)
    bulk_create_with_history(
        [
            Target(year=y, figure=f, value=Decimal(v))
            for y, values in _targets(today).items()
            for f, v in values.items()
        ],
        Target,
        default_user=admin,
    )
    ReminderSettings.objects.get_or_create(pk=1)

    by_name = dict(
        Enterprise.objects.filter(name__in={p.enterprise for p in plans if p.enterprise}).values_list(
            "name", "pk"
        )
    )
    parks = dict(Park.objects.values_list("code", "pk"))
    chains = dict(Chain.objects.values_list("code", "pk"))
    # Generated projects at signing or later mostly build or expand an enterprise of the registry (so grid
    # staff see them); a third are not yet linked.
    candidates = list(
        Enterprise.objects.filter(grid__isnull=False)
        .exclude(name__in=by_name)
        .order_by("pk")
        .values_list("pk", "origin")
    )
    increase_plan = next(p for p in plans if p.kind == ProjectKind.INCREASE)
    # The registry already records 川电钢板's 2022-11-15 increase (its facts are pinned): the approved
    # project is linked to that CapitalChange instead of adding a second one.
    increase_change = (
        CapitalChange.objects.filter(
            enterprise__name=CHUANDIAN, kind="increase", changed_on=increase_plan.approval_on
        )
        .values_list("pk", flat=True)
        .first()
    )
    rows = []
    for index, p in enumerate(plans, start=1):
        ent_id = by_name.get(p.enterprise) if p.enterprise else None
        if ent_id is None and p.approval_on and rng.random() < 0.65:
            ent_id = rng.choice(candidates)[0]
        rows.append(
            Project(
                code=f"ZS{(p.approval_on or p.first_contact_on).year}{index:04d}",
                name=p.name,
                investor=p.investor,
                country=p.country,
                origin=p.origin,
                industry_code=p.industry_code,
                chain_id=chains.get(p.chain),
                kind=p.kind,
                total_investment=p.total,
                total_investment_currency=p.currency,
                registered_capital_increase=1_200 * WAN if p is increase_plan else None,
                expected_output=p.expected_output,
                owner=owners[index % len(owners)] if index > 8 else owners[0],
                enterprise_id=ent_id,
                park_id=parks.get(p.park),
                land_area_mu=p.land_mu,
                leased_area_sqm=p.leased_sqm,
                stage=p.stage,
                status=p.status,
                status_reason=p.status_reason,
                status_on=(
                    max(
                        p.first_contact_on,
                        min(today - dt.timedelta(days=7), p.first_contact_on + dt.timedelta(days=60)),
                    )
                    if p.status != Status.NORMAL
                    else None
                ),
                first_contact_on=p.first_contact_on,
                contract_on=p.contract_on,
                contract_foreign_capital=p.contract_foreign,
                approval_on=p.approval_on,
                capital_change_id=(increase_change if p is increase_plan else None),
                approval_number=(f"平经开备〔{p.approval_on.year}〕{index}号" if p.approval_on else ""),
                started_on=p.started_on,
                production_on=p.production_on,
                full_production_on=p.full_on,
                key_project_on=p.key_on,
                note=p.note,
            )
        )
    projects = bulk_create_with_history(rows, Project, default_user=admin)
    if projects[0].pk is None:  # backends that do not return ids
        projects = list(Project.objects.filter(code__in=[r.code for r in rows]).order_by("pk"))
    events, milestones, follow_ups = [], [], []
    for project, p in zip(projects, plans, strict=True):
        reached = STAGE_ORDER[: STAGE_ORDER.index(project.stage) + 1]
        previous = ""
        for stage in reached:
            date_field = services.STAGE_DATE_FIELD.get(stage)
            on = (
                getattr(
                    p,
                    {
                        "contract_on": "contract_on",
                        "approval_on": "approval_on",
                        "started_on": "started_on",
                        "production_on": "production_on",
                        "full_production_on": "full_on",
                    }[date_field],
                )
                if date_field
                else p.first_contact_on
            )
            events.append(
                StageEvent(project=project, from_stage=previous, to_stage=stage, on=on, by=project.owner)
            )
            if date_field:
                milestones.append(
                    Milestone(
                        project=project,
                        stage=stage,
                        planned_on=on + dt.timedelta(days=rng.choice([-10, 0, 0, 15])),
                        actual_on=on,
                    )
                )
            previous = stage
        for stage, planned in p.planned.items():
            milestones.append(Milestone(project=project, stage=stage, planned_on=planned))
        last = p.first_contact_on
        for _ in range(rng.randint(1, 4)):
            last = last + dt.timedelta(days=rng.randint(10, 120))
            if last > today:
                break
            follow_ups.append(
                FollowUp(
                    project=project,
                    on=last,
                    kind=rng.choice(FollowUp.Kind.values),
                    note="走访洽谈，了解项目进展",
                    by=project.owner,
                )
            )
    bulk_create_with_history(events, StageEvent, default_user=admin)
    bulk_create_with_history(milestones, Milestone, default_user=admin)
    bulk_create_with_history(follow_ups, FollowUp, default_user=admin)
    arrivals = _arrivals(rng, projects, plans, today)
    bulk_create_with_history(arrivals, Arrival, default_user=admin)

    return {"investment projects": len(projects), "capital arrivals": len(arrivals)}


def _arrivals(rng, projects, plans, today: dt.date) -> list[Arrival]:
    """2022's arrivals sum to the official 实到外资 and 实到内资; other years get arrivals too.

    Two arrivals sit on the period's edges (31 December 2021, 1 January 2023) and are not in 2022.
    """
    out = []
    foreign = [
        pr
        for pr, p in zip(projects, plans, strict=True)
        if pr.origin != Origin.DOMESTIC and p.contract_on and p.contract_on.year in (2021, 2022)
    ]
    domestic = [
        pr
        for pr, p in zip(projects, plans, strict=True)
        if pr.origin == Origin.DOMESTIC and p.contract_on and p.contract_on.year in (2021, 2022)
    ]
    for pool, kind, currency, total in (
        (foreign, ArrivalKind.FOREIGN, Currency.USD, FIGURES_2022[Figure.FOREIGN_ARRIVED]),
        (domestic, ArrivalKind.DOMESTIC, Currency.CNY, FIGURES_2022[Figure.DOMESTIC_ARRIVED]),
    ):
        count = len(pool) * 2
        for amount, project in zip(_split(rng, total, count), pool * 2, strict=True):
            start = max(D(2022, 1, 1), project.contract_on or D(2022, 1, 1))
            on = start + dt.timedelta(days=rng.randint(0, max(0, (D(2022, 12, 31) - start).days)))
            out.append(Arrival(project=project, on=on, kind=kind, amount=amount, currency=currency))
        early = next(pr for pr in pool if pr.contract_on.year == 2021)
        out.append(
            Arrival(
                project=early,
                on=D(2021, 12, 31),
                kind=kind,
                amount=500 * WAN,
                currency=currency,
                note="2021年末到位",
            )
        )
        out.append(
            Arrival(
                project=pool[1],
                on=D(2023, 1, 1),
                kind=kind,
                amount=800 * WAN,
                currency=currency,
                note="2023年初到位",
            )
        )
        later = [
            pr
            for pr in projects
            if pr.contract_on
            and pr.contract_on.year >= 2023
            and (pr.origin == Origin.DOMESTIC) == (kind == ArrivalKind.DOMESTIC)
        ]
        for project in later:
            on = project.contract_on + dt.timedelta(days=rng.randint(20, 300))
            if on <= today:
                out.append(
                    Arrival(
                        project=project,
                        on=on,
                        kind=kind,
                        amount=Decimal(
                            rng.randint(100, 1_500)
                            if kind == ArrivalKind.FOREIGN
                            else rng.randint(500, 6_000)
                        )
                        * WAN,
                        currency=currency,
                    )
                )
    return out
