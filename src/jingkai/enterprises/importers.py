"""Enterprise directory in Excel: export, blank template and import (issue 2 item 7).

The sheet format
----------------
`COLUMNS` is the one column set of the export, the import and the blank template. Its Chinese headers, and
the Chinese words staff type in choice columns (在营, 内资, 人民币 …), are a data format that people type
against: they are constants here, in one place, and are not translated (the documented exception to "UI text
through gettext"). Everything else a person reads (errors, the instructions sheet) is translated.

How rows are applied
--------------------
- Rows are matched by 统一社会信用代码: a code already in the platform updates that enterprise, a new code
  creates one (upsert). Nothing is deleted.
- Blank cells: the sheet is the truth for the columns it has. A blank cell empties the field, or sets the
  default of a field that cannot be empty (经营状态 在营, 资本来源 内资, 币种 人民币). A column the sheet does
  not have leaves the field alone. The export writes every field, blanks included, so export → import is
  "unchanged"; and the preview lists every field an update changes, before → after, so a blank that would
  wipe a value is seen before anything is written.
- Amounts never assume a unit or a currency (issue 10 §4). Each money column states them in its header
  (注册资本（万元）, 注册资本（万美元）, 注册资本（元） …), or takes what its header leaves out from the sheet's
  units row (a cell above the header such as 单位：万元) and from its currency column (注册资本币种). An amount
  is stored exactly in base units; it is never converted between currencies: a currency that contradicts the
  header, or (without a currency column) the currency recorded for the enterprise, is a located error.
- Groups, parks and buildings must already exist (an unknown group is an error: groups are created
  deliberately by zone staff, not by a typo in a spreadsheet); grids and communities by code or name.
- Validation costs a constant number of queries per file (lookups are loaded in bulk up front), and a file
  with any error writes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    CellError,
    Column,
    ImportRejected,
    ImportReport,
    ParsedRow,
    PlannedRow,
    RowError,
    choice,
    date,
    decimal,
    fold,
    integer,
    join_list,
    shown,
    text,
)
from jingkai.core.models import ImportBatch
from jingkai.core.money import SUFFIX, Currency, format_money, to_wan
from jingkai.core.xlsx import WorkbookBuilder
from jingkai.enterprises.choices import COUNTRY_NAMES, EnterpriseStatus, ListingMarket, Origin
from jingkai.enterprises.models import Enterprise, EnterpriseGroup
from jingkai.enterprises.permissions import can_import
from jingkai.enterprises.queries import LOOKUP_CHUNK, by_uscc
from jingkai.enterprises.services import (
    EDITABLE_FIELDS,
    changed_fields,
    clean_enterprise_data,
    create_enterprise,
    update_enterprise,
)
from jingkai.grids.models import Community, Grid
from jingkai.parks.models import Building, Park

KIND = "enterprises"  # ImportBatch.kind
FOREIGN_KEYS = ("group", "park", "building", "grid", "community")

# --- The data format: words staff type in choice columns (not translated; see the module docstring) ---

STATUS_WORDS = {
    EnterpriseStatus.OPERATING: "在营",
    EnterpriseStatus.SUSPENDED: "停业",
    EnterpriseStatus.RELOCATED: "迁出",
    EnterpriseStatus.DEREGISTERED: "注销",
    EnterpriseStatus.REVOKED: "吊销",
}
STATUS_ALIASES = {
    "存续": EnterpriseStatus.OPERATING,
    "在业": EnterpriseStatus.OPERATING,
    "开业": EnterpriseStatus.OPERATING,
    "歇业": EnterpriseStatus.SUSPENDED,
    "已迁出": EnterpriseStatus.RELOCATED,
    "已注销": EnterpriseStatus.DEREGISTERED,
    "已吊销": EnterpriseStatus.REVOKED,
    "吊销未注销": EnterpriseStatus.REVOKED,
}
ORIGIN_WORDS = {Origin.DOMESTIC: "内资", Origin.FOREIGN: "外资", Origin.HMT: "港澳台资"}
CURRENCY_WORDS = {
    Currency.CNY: "人民币",
    Currency.USD: "美元",
    Currency.EUR: "欧元",
    Currency.JPY: "日元",
    Currency.HKD: "港元",
}
CURRENCY_ALIASES = {"港币": Currency.HKD, "RMB": Currency.CNY}
LISTING_WORDS = {
    ListingMarket.SSE: "沪市主板",
    ListingMarket.SZSE: "深市主板",
    ListingMarket.CHINEXT: "创业板",
    ListingMarket.STAR: "科创板",
    ListingMarket.BSE: "北交所",
    ListingMarket.HKEX: "港股主板",
    ListingMarket.HKEX_GEM: "港股创业板",
    ListingMarket.NEEQ: "新三板",
    ListingMarket.OVERSEAS: "境外上市",
}
LISTING_ALIASES = {
    "上交所主板": ListingMarket.SSE,
    "深交所主板": ListingMarket.SZSE,
    "北京证券交易所": ListingMarket.BSE,
    "港交所主板": ListingMarket.HKEX,
    "港交所创业板": ListingMarket.HKEX_GEM,
    "境外": ListingMarket.OVERSEAS,
}
COUNTRY_ALIASES = {"香港": "HK", "澳门": "MO", "台湾": "TW"}


def _choice(words: dict, aliases: dict):
    """The word, an alias, or the stored code (operating, CNY …) are all accepted."""
    options = {word: value for value, word in words.items()}
    for word, value in aliases.items():
        options.setdefault(word, value)
    for value in words:
        options.setdefault(str(value), value)
    return choice(options, list(words.values()))


def _country_options() -> dict[str, str]:
    options = {}
    labels = [label for _name, label in COUNTRY_NAMES.values()]
    for code, (name, label) in COUNTRY_NAMES.items():
        options[name] = code
        if labels.count(label) == 1:  # 日资 names Japan; 外资 names no one country
            options[label] = code
    options.update(COUNTRY_ALIASES)
    return {fold(key): value for key, value in options.items()}


_COUNTRIES = _country_options()
_ISO_CODE = re.compile(r"^[a-z]{2}$")


def parse_country(value) -> str:
    """A country name (日本), its capital label (日资) or an ISO 3166-1 alpha-2 code.

    Any two-letter code is accepted: COUNTRY_NAMES names only the common investor countries, and the
    platform stores the ISO code, so a rarer country is written as its code.
    """
    key = fold(shown(value))
    if key in _COUNTRIES:
        return _COUNTRIES[key]
    if key.upper() in COUNTRY_NAMES or _ISO_CODE.match(key):
        return key.upper()
    raise CellError(
        _(
            "Unknown country or region “%(value)s”: write a name such as %(example)s or a two-letter code such as JP"
        )
        % {"value": shown(value), "example": COUNTRY_NAMES["JP"][0]}
    )


def _word(words: dict):
    return lambda value: words.get(value, value) if value else None


def _name(obj):
    return obj.name if obj is not None else None


def _code(obj):
    return obj.code if obj is not None else None


def _country_cell(code: str):
    return COUNTRY_NAMES[code][0] if code in COUNTRY_NAMES else code or None


# --- Money columns: the unit and currency every amount states or inherits (issue 10 §4) ---------------

MONEY_FIELDS = {"registered_capital": "注册资本", "total_investment": "投资总额"}  # key -> header stem
UNIT_SCALES = {"": 1, "万": 10_000, "亿": 100_000_000}
# The currency words of a money header or a units row: 万元 is 万 of RMB, 万美元 万 of US dollars …
MONEY_WORDS = {
    "元": Currency.CNY,
    "美元": Currency.USD,
    "欧元": Currency.EUR,
    "日元": Currency.JPY,
    "港元": Currency.HKD,
    "港币": Currency.HKD,
}
_MONEY_DIGITS, _MONEY_PLACES = 18, 2  # the model's MONEY field, in base units


@dataclass(frozen=True)
class MoneyUnit:
    """What a header or a units row says about amounts: prefix None or currency None when it does not say."""

    prefix: str | None  # "" (元, 美元 …), "万" or "亿"
    currency: str | None  # ISO code

    @property
    def scale(self) -> int:
        return UNIT_SCALES[self.prefix or ""]

    def name(self, currency: str | None = None) -> str:
        """万元, 万美元, 元 …; 万 alone when the currency is not known."""
        currency = currency or self.currency
        return f"{self.prefix or ''}{SUFFIX[currency] if currency else ''}"


def _money_headers(stem: str) -> dict[str, MoneyUnit]:
    """Every header a money column is recognised by (whole headers, compared after normalize_header)."""
    headers = {stem: MoneyUnit(None, None)}
    for prefix in ("万", "亿"):
        headers[f"{stem}（{prefix}）"] = MoneyUnit(prefix, None)
    for prefix in UNIT_SCALES:
        for word, currency in MONEY_WORDS.items():
            headers[f"{stem}（{prefix}{word}）"] = MoneyUnit(prefix, currency)
    return headers


MONEY_HEADERS = {key: _money_headers(stem) for key, stem in MONEY_FIELDS.items()}
_MONEY_UNIT_OF = {
    key: {importing.normalize_header(header): unit for header, unit in headers.items()}
    for key, headers in MONEY_HEADERS.items()
}
# A units row: 单位：万元, 金额单位：万美元, （单位：元）; the unit must be a whole term (not 万元人民币, 元/平方米).
_UNITS_ROW = re.compile(r"单位:?(万|亿)?(美元|欧元|日元|港元|港币|元)?(?![\w/])")


def units_row(texts) -> tuple[MoneyUnit | None, list[str]]:
    """The money unit the texts above the header row state, and every statement found.

    (None, []) when they state none; (None, [several]) when they state different ones.
    """
    found: dict[MoneyUnit, str] = {}
    for text_ in texts or ():
        for match in _UNITS_ROW.finditer(fold(text_)):
            prefix, word = match.groups()
            if prefix or word:
                unit = MoneyUnit(prefix or "", MONEY_WORDS[word] if word else None)
                found.setdefault(unit, shown(text_))
    if len(found) == 1:
        return next(iter(found)), list(found.values())
    return None, list(found.values())


@dataclass(frozen=True)
class MoneySpec:
    """How one sheet's money column is read: its unit, the currency the sheet states, and where from."""

    key: str
    prefix: str
    currency: str | None  # stated by the header or the units row; None: the row's 币种 or the recorded one
    source: str  # what stated the currency, for messages (“the header …” or “the units row …”)
    currency_column: bool  # the sheet has the matching 币种 column

    @property
    def unit(self) -> MoneyUnit:
        return MoneyUnit(self.prefix, self.currency)


@dataclass(frozen=True)
class _Typed:
    cell: object  # the cell as typed (for the usual messages on decimals and size)


def _raw_number(value):
    """A money cell is checked as a number here and scaled in plan(), once its header's unit is known."""
    importing.to_decimal(value)
    return _Typed(value)


def _money(key: str, header: str, aliases: tuple[str, ...], help_text) -> Column:
    return Column(
        key,
        header,
        _raw_number,
        aliases=tuple(h for h in MONEY_HEADERS[key] if h != header and h not in aliases) + aliases,
        kind="number",
        width=14,
        to_cell=to_wan,
        help=help_text,
    )


def _currency(key: str, header: str, help_text) -> Column:
    return Column(
        key,
        header,
        _choice(CURRENCY_WORDS, CURRENCY_ALIASES),
        blank=Currency.CNY,
        width=12,
        to_cell=_word(CURRENCY_WORDS),
        choices=tuple(CURRENCY_WORDS.values()),
        help=help_text,
    )


COLUMNS: list[Column] = [
    Column(
        "uscc",
        "统一社会信用代码",
        text(),
        required=True,
        aliases=("社会信用代码", "信用代码"),
        width=22,
        help=gettext_lazy(
            "The 18-character unified social credit code. It matches the row to an enterprise: a code already "
            "in the platform updates that enterprise, a new code adds one."
        ),
    ),
    Column(
        "name",
        "企业名称",
        text(200),
        required=True,
        aliases=("单位名称",),
        width=32,
        help=gettext_lazy("The registered name; it must not belong to another enterprise."),
    ),
    Column("short_name", "简称", text(50), blank="", width=12, help=gettext_lazy("Short name.")),
    Column("english_name", "英文名称", text(200), blank="", width=28, help=gettext_lazy("English name.")),
    Column(
        "founded_on", "成立日期", date(), kind="date", width=12, help=gettext_lazy("Date of establishment.")
    ),
    Column(
        "status",
        "经营状态",
        _choice(STATUS_WORDS, STATUS_ALIASES),
        blank=EnterpriseStatus.OPERATING,
        width=10,
        to_cell=_word(STATUS_WORDS),
        choices=tuple(STATUS_WORDS.values()),
        help=gettext_lazy("Operating status."),
    ),
    Column(
        "industry_code",
        "行业代码",
        text(),
        blank="",
        width=10,
        help=gettext_lazy(
            "GB/T 4754-2017 industry code: the section letter and 2 to 4 digits, e.g. C3421 (the letter may be "
            "left out)."
        ),
    ),
    Column("main_products", "主要产品", text(), blank="", width=30, help=gettext_lazy("Main products.")),
    Column(
        "origin",
        "资本来源",
        _choice(ORIGIN_WORDS, {}),
        blank=Origin.DOMESTIC,
        width=10,
        to_cell=_word(ORIGIN_WORDS),
        choices=tuple(ORIGIN_WORDS.values()),
        help=gettext_lazy("Capital origin."),
    ),
    Column(
        "origin_country",
        "投资国别",
        parse_country,
        blank="",
        aliases=("国别", "投资国别（地区）"),
        width=12,
        to_cell=_country_cell,
        choices=tuple(name for name, _label in COUNTRY_NAMES.values()),
        help=gettext_lazy(
            "Investor country or region of foreign or Hong Kong, Macao and Taiwan capital: a name from the list "
            "or a two-letter ISO code such as JP. Blank for domestic capital."
        ),
    ),
    _money(
        "registered_capital",
        "注册资本（万）",
        ("注册资本（万元）",),
        gettext_lazy(
            "Registered capital in ten-thousands of the currency in the next column (500 means 5,000,000)."
        ),
    ),
    _currency(
        "registered_capital_currency", "注册资本币种", gettext_lazy("Currency of the registered capital.")
    ),
    _money(
        "total_investment",
        "投资总额（万）",
        ("投资总额（万元）",),
        gettext_lazy("Total investment in ten-thousands of the currency in the next column."),
    ),
    _currency("total_investment_currency", "投资总额币种", gettext_lazy("Currency of the total investment.")),
    Column(
        "land_area_mu",
        "用地面积（亩）",
        decimal(max_digits=12, decimal_places=2),
        aliases=("用地面积",),
        kind="number",
        width=12,
        help=gettext_lazy("Land area in mu."),
    ),
    Column(
        "employees",
        "从业人员",
        integer(),
        aliases=("从业人员数",),
        kind="integer",
        width=10,
        help=gettext_lazy("Number of employees (a whole number)."),
    ),
    Column(
        "technical_staff",
        "技术人员",
        integer(),
        aliases=("技术人员数",),
        kind="integer",
        width=10,
        help=gettext_lazy("Number of technical staff; not more than the employees."),
    ),
    Column(
        "listing_market",
        "上市板块",
        _choice(LISTING_WORDS, LISTING_ALIASES),
        blank="",
        width=12,
        to_cell=_word(LISTING_WORDS),
        choices=tuple(LISTING_WORDS.values()),
        help=gettext_lazy("Listing board, for a listed enterprise."),
    ),
    Column(
        "stock_code",
        "股票代码",
        text(20),
        blank="",
        width=10,
        help=gettext_lazy("Stock code (keep the column formatted as text so that leading zeros stay)."),
    ),
    Column("listed_on", "上市日期", date(), kind="date", width=12, help=gettext_lazy("Listing date.")),
    Column(
        "group",
        "所属集团",
        text(),
        width=20,
        to_cell=_name,
        help=gettext_lazy(
            "The name of a group already in the platform; a zone administrator adds a new group there first."
        ),
    ),
    Column(
        "park",
        "园区",
        text(),
        aliases=("所属园区",),
        width=20,
        to_cell=_name,
        help=gettext_lazy("Park: its name."),
    ),
    Column(
        "building",
        "楼宇",
        text(),
        width=14,
        to_cell=_name,
        help=gettext_lazy("Building, in the park of the row."),
    ),
    Column(
        "grid",
        "网格",
        text(),
        aliases=("所属网格",),
        width=10,
        to_cell=_code,
        help=gettext_lazy(
            "Grid: its code (such as G01) or its name. Every above-size enterprise is in a grid."
        ),
    ),
    Column(
        "community",
        "村社区",
        text(),
        aliases=("村（社区）", "所属村社区"),
        width=10,
        to_cell=_code,
        help=gettext_lazy(
            "Village or community: its code (such as C01) or its name. Every below-size enterprise is in one."
        ),
    ),
    Column(
        "address", "地址", text(300), blank="", aliases=("企业地址",), width=36, help=gettext_lazy("Address.")
    ),
    Column(
        "uscc_override_reason",
        "校验例外理由",
        text(),
        blank="",
        width=24,
        help=gettext_lazy(
            "Only for a code in real use that fails the check: why it is accepted. Only a zone administrator's "
            "import accepts such a code."
        ),
    ),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}


def _missing_required(row: ParsedRow) -> set[str]:
    return {column.key for column in COLUMNS if column.required and column.key not in row.present}


# --- Lookups, loaded in bulk before any row is checked ----------------------------------------------


@dataclass
class Lookups:
    by_uscc: dict[str, Enterprise]
    by_name: dict[str, Enterprise]
    grids: tuple[dict, dict]  # (by folded code, by folded name)
    communities: tuple[dict, dict]
    parks: tuple[dict, dict]
    groups: tuple[dict, dict]  # (by folded name, by folded short name when unique)
    buildings: dict[tuple[int, str], Building]

    @classmethod
    def load(cls, user, rows: list[ParsedRow]) -> Lookups:
        names = sorted({r.values["name"] for r in rows if r.values.get("name")})
        # Uniqueness of codes and names is zone-wide, so these two look at every enterprise, not only those
        # the importer may see (only zone administrators import, and they see everything anyway).
        enterprises = Enterprise.objects.select_related(*FOREIGN_KEYS)
        by_code = by_uscc((r.values.get("uscc") for r in rows), enterprises)
        by_name = {}
        for chunk in importing.chunked(names, LOOKUP_CHUNK):
            by_name.update((e.name, e) for e in enterprises.filter(name__in=chunk))

        def code_and_name(queryset):
            items = list(queryset)
            return {fold(i.code): i for i in items}, {fold(i.name): i for i in items}

        groups = list(EnterpriseGroup.objects.visible_to(user))
        short = defaultdict(list)
        for group in groups:
            if group.short_name:
                short[fold(group.short_name)].append(group)
        return cls(
            by_uscc=by_code,
            by_name=by_name,
            grids=code_and_name(Grid.objects.visible_to(user)),
            communities=code_and_name(Community.objects.visible_to(user)),
            parks=code_and_name(Park.objects.visible_to(user)),
            groups=({fold(g.name): g for g in groups}, {k: v[0] for k, v in short.items() if len(v) == 1}),
            buildings={(b.park_id, fold(b.name)): b for b in Building.objects.all()},
        )

    @staticmethod
    def find(maps: tuple[dict, dict], value: str):
        first, second = maps
        key = fold(value)
        return first.get(key) or second.get(key)


# --- The importer ------------------------------------------------------------------------------------


class EnterpriseImporter(importing.Importer):
    """The enterprise directory: upsert by credit code, through the enterprise services (history kept)."""

    kind = KIND
    namespace = "enterprises"
    columns = COLUMNS
    may_import = staticmethod(can_import)
    denied = gettext_lazy("Only a zone administrator may import enterprises.")
    title = gettext_lazy("Import enterprises")
    heading = gettext_lazy("Import enterprises from Excel")
    links = (("enterprises:import_template", gettext_lazy("Download the blank template")),)
    action_labels = {**importing.Importer.action_labels, CREATE: gettext_lazy("New enterprise")}
    template_file_name = gettext_lazy("Enterprise import template")

    def plan(self, read, report: ImportReport, user) -> None:
        lookups = Lookups.load(user, read.rows)
        report.errors.extend(
            _duplicates(
                read.rows,
                "uscc",
                uscc_rules.normalize,
                _("The credit code %(value)s appears more than once in this file (rows %(rows)s)"),
            )
        )
        report.errors.extend(
            _duplicates(
                read.rows,
                "name",
                str,
                _("The name “%(value)s” appears more than once in this file (rows %(rows)s)"),
            )
        )
        money: dict[int, dict[str, MoneySpec | None]] = {}
        for layout in read.sheets:
            money[id(layout)], errors = money_specs(layout)
            report.errors.extend(errors)
        planned = []
        for row in read.rows:
            plan, errors = _plan_row(row, lookups, user, money[id(row.layout)])
            report.errors.extend(errors)
            if plan is not None:
                planned.append(plan)
        bad_rows = {(e.sheet, e.row) for e in report.errors}
        report.rows = [p for p in planned if (p.sheet, p.row) not in bad_rows]

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        """Create and update through the services (they write history naming the user); undo all on any error."""
        reason = _("Excel import: %(file)s") % {"file": batch.file_name}
        errors: list[RowError] = []
        for plan in report.rows:
            try:
                if plan.action == CREATE:
                    create_enterprise(dict(plan.data), user, reason=reason)
                elif plan.action == UPDATE:
                    update_enterprise(plan.instance, dict(plan.data), user, reason=reason)
            except ValidationError as exc:
                errors.extend(plan.source.errors_from(exc))
            except IntegrityError:
                # Another user saved the same code or name between the check and this write.
                errors.append(
                    plan.source.error(
                        "uscc",
                        _("This enterprise was changed by someone else meanwhile; upload the file again"),
                    )
                )
        if errors:
            raise ImportRejected(errors)

    def template_workbook(self, user) -> bytes:
        builder = WorkbookBuilder()
        builder.add_table(_("Enterprise directory"), sheet_columns(user), [])
        builder.add_notes(
            _("Instructions"), _("How to fill in the enterprise sheet"), self.instructions(), column_notes()
        )
        return builder.to_bytes()

    def instructions(self) -> list[str]:
        return instructions()


def _duplicates(rows: list[ParsedRow], key: str, normalize, message: str) -> list[RowError]:
    seen = defaultdict(list)
    for row in rows:
        if row.values.get(key):
            seen[normalize(row.values[key])].append(row)
    errors = []
    for value, group in seen.items():
        if len(group) < 2:
            continue
        one_sheet = len({r.sheet for r in group}) == 1
        where = join_list(str(r.number) if one_sheet else f"{r.sheet} {r.number}" for r in group)
        errors.extend(row.error(key, message % {"value": value, "rows": where}) for row in group)
    return errors


def _resolve(row: ParsedRow, values: dict, lookups: Lookups) -> tuple[set[str], list[RowError]]:
    """Replace the text of the foreign-key cells by the rows they name."""
    failed, errors = set(), []

    def unknown(key: str, message: str, **params):
        failed.add(key)
        errors.append(row.error(key, message % {"value": values[key], **params}))

    for key, maps, message in (
        ("grid", lookups.grids, _("Unknown grid “%(value)s”: write its code (such as G01) or its name")),
        (
            "community",
            lookups.communities,
            _("Unknown community “%(value)s”: write its code (such as C01) or its name"),
        ),
        ("park", lookups.parks, _("Unknown park “%(value)s”")),
        (
            "group",
            lookups.groups,
            _("Unknown group “%(value)s”: a zone administrator must add the group first"),
        ),
    ):
        if values.get(key):
            found = lookups.find(maps, values[key])
            if found is None:
                unknown(key, message)
            else:
                values[key] = found
    if values.get("building"):
        park = values.get("park")
        if "park" in row.failed or "park" in failed:
            failed.add("building")  # the park's own error says what is wrong
        elif not isinstance(park, Park):
            unknown(
                "building",
                _("The building “%(value)s” needs its park: fill in the “%(column)s” column"),
                column=COLUMN_BY_KEY["park"].header,
            )
        else:
            building = lookups.buildings.get((park.pk, fold(values["building"])))
            if building is None:
                unknown("building", _("Unknown building “%(value)s” in the park “%(park)s”"), park=park.name)
            else:
                values["building"] = building
    return failed, errors


def _currency_word(currency: str) -> str:
    return CURRENCY_WORDS.get(currency, currency)


def _amount(amount, currency: str) -> str:
    """An amount in base units as the preview shows it: 3635万美元 (to the cent, nothing rounded away)."""
    return "" if amount is None else format_money(amount, currency, unit="万", places=6)


def _currency_examples(stem: str) -> str:
    return join_list(f"{stem}（{unit}）" for unit in ("万元", "万美元"))


def money_specs(layout) -> tuple[dict[str, MoneySpec | None], list[RowError]]:
    """How each money column of a sheet is read; a column whose unit is not stated is an error at its header.

    The header says what it says (注册资本（万美元）: 万 and US dollars); what it leaves out comes from the
    units row above the header (单位：万元). A column with no unit from either is refused (None), once.
    """
    row_unit, statements = units_row(getattr(layout, "preamble", []))
    specs: dict[str, MoneySpec | None] = {}
    errors = []
    for key, stem in MONEY_FIELDS.items():
        if key not in layout.positions:
            continue
        written, letter = layout.locate(key)
        header = _MONEY_UNIT_OF[key].get(importing.normalize_header(written), MoneyUnit(None, None))
        currency_header = COLUMN_BY_KEY[f"{key}_currency"].header
        prefix, currency = header.prefix, header.currency
        source = _("the header “%(header)s”") % {"header": written}
        if (prefix is None or currency is None) and statements:
            if row_unit is None:
                specs[key] = None
                errors.append(
                    RowError(
                        layout.name,
                        layout.header_row,
                        written,
                        letter,
                        _(
                            "The rows above the header state more than one unit (%(units)s), so the unit of "
                            "“%(header)s” is not clear: write it in the header, such as %(examples)s"
                        )
                        % {
                            "units": join_list(statements),
                            "header": written,
                            "examples": _currency_examples(stem),
                        },
                    )
                )
                continue
            if prefix is None:
                prefix = row_unit.prefix
            if currency is None and row_unit.currency is not None:
                currency = row_unit.currency
                source = _("the units row “%(text)s”") % {"text": statements[0]}
        if prefix is None:
            specs[key] = None
            errors.append(
                RowError(
                    layout.name,
                    layout.header_row,
                    written,
                    letter,
                    _(
                        "The header “%(header)s” does not state the unit of the amounts: write it as "
                        "%(examples)s, or as %(plain)s next to a “%(currency_column)s” column, or put a units "
                        "row such as “%(units_row)s” above the header row"
                    )
                    % {
                        "header": written,
                        "examples": _currency_examples(stem),
                        "plain": f"{stem}（万）",
                        "currency_column": currency_header,
                        "units_row": "单位：万元",
                    },
                )
            )
            continue
        specs[key] = MoneySpec(key, prefix, currency, source, f"{key}_currency" in layout.positions)
    return specs, errors


def _money_values(
    row: ParsedRow, values: dict, instance: Enterprise | None, specs: dict[str, MoneySpec | None]
) -> tuple[set[str], list[RowError], list[tuple[str, RowError]]]:
    """Scale each amount by its unit and settle its currency; never convert between currencies.

    Returns the keys that failed, the errors, and errors to report only if the cell has no other error
    (the currency of a new enterprise's amount that nothing states: a cell that is also negative says so first).
    """
    failed, errors, deferred = set(), [], []
    for key, spec in specs.items():
        if key not in values or key in row.failed:
            continue
        if spec is None:  # the unit is not stated: one error at the header says so
            failed.add(key)
            continue
        currency_key = f"{key}_currency"
        stem, currency_header = MONEY_FIELDS[key], COLUMN_BY_KEY[currency_key].header
        typed = values[key]
        amount = None
        if typed is not None:
            parse = decimal(max_digits=_MONEY_DIGITS, decimal_places=_MONEY_PLACES, scale=spec.unit.scale)
            try:
                amount = parse(typed.cell)
            except CellError as exc:
                failed.add(key)
                errors.append(row.error(key, str(exc)))
                continue
        values[key] = amount
        if amount is None:
            continue  # a blank amount empties the field; its currency is whatever the row or record says
        recorded = getattr(instance, currency_key) if instance is not None else None
        if spec.currency_column:
            given = values.get(currency_key)
            if spec.currency is not None and currency_key not in row.failed and given != spec.currency:
                failed.add(key)
                errors.append(
                    row.error(
                        currency_key,
                        _(
                            "“%(column)s” is %(given)s but %(source)s states %(stated)s: make them agree "
                            "(amounts are never converted between currencies)"
                        )
                        % {
                            "column": row.layout.locate(currency_key)[0],
                            "given": _currency_word(given),
                            "source": spec.source,
                            "stated": _currency_word(spec.currency),
                        },
                    )
                )
            continue  # the row's own currency: a change of currency is allowed, and the preview shows it
        if spec.currency is None:
            if instance is None:
                deferred.append(
                    (
                        key,
                        row.error(
                            key,
                            _(
                                "The currency of %(column)s is not stated: add a “%(currency_column)s” column, "
                                "or write the header as %(examples)s"
                            )
                            % {
                                "column": stem,
                                "currency_column": currency_header,
                                "examples": _currency_examples(stem),
                            },
                        ),
                    )
                )
            continue  # 万 of the currency recorded for the enterprise
        if instance is None or getattr(instance, key) is None:
            # A new enterprise, or no amount recorded yet: nothing recorded would be read in another currency.
            values[currency_key] = spec.currency
        elif recorded != spec.currency:
            failed.add(key)
            errors.append(
                row.error(
                    key,
                    _(
                        "%(column)s is given in %(unit)s (%(currency)s) but this enterprise's %(field)s is "
                        "recorded in %(recorded_currency)s (%(recorded)s); write it in %(suggested)s, or add a "
                        "“%(currency_column)s” column to change the currency"
                    )
                    % {
                        "column": stem,
                        "unit": spec.unit.name(),
                        "currency": _currency_word(spec.currency),
                        "field": Enterprise._meta.get_field(key).verbose_name,
                        "recorded_currency": _currency_word(recorded),
                        "recorded": _amount(getattr(instance, key), recorded),
                        "suggested": spec.unit.name(recorded),
                        "currency_column": currency_header,
                    },
                )
            )
    return failed, errors, deferred


def _change(row: ParsedRow, key: str, before, after) -> dict:
    return {
        "column": row.layout.headers.get(key, COLUMN_BY_KEY[key].header),
        "before": before,
        "after": after,
    }


def _changes(row: ParsedRow, instance: Enterprise, data: dict, changes: dict) -> list[dict]:
    """Before → after of every changed field; an amount with its unit and currency (3635万美元 → 25000万元)."""
    keys = set(changes)
    for key in MONEY_FIELDS:
        currency_key = f"{key}_currency"
        if currency_key in changes and key in data and data[key] is not None:
            keys.add(key)  # the same figure in another currency is a change of the amount too
    out = []
    for key in (column.key for column in COLUMNS if column.key in keys):
        if key in MONEY_FIELDS:
            currency_key = f"{key}_currency"
            before = _amount(getattr(instance, key), getattr(instance, currency_key))
            after = _amount(data[key], data.get(currency_key, getattr(instance, currency_key)))
            out.append(_change(row, key, before, after))
            continue
        column = COLUMN_BY_KEY[key]
        out.append(
            _change(
                row,
                key,
                importing.display(column.cell(getattr(instance, key))),
                importing.display(column.cell(data[key])),
            )
        )
    return out


def _plan_row(
    row: ParsedRow, lookups: Lookups, user, money: dict[str, MoneySpec | None] | None = None
) -> tuple[PlannedRow | None, list[RowError]]:
    values = dict(row.values)
    code = uscc_rules.normalize(values["uscc"]) if values.get("uscc") else ""
    instance = lookups.by_uscc.get(code) if code else None
    failed, errors = _resolve(row, values, lookups)
    money_failed, money_errors, deferred = _money_values(row, values, instance, money or {})
    failed |= money_failed
    errors.extend(money_errors)
    failed |= row.failed | _missing_required(row)  # a missing required column is reported once, at the header

    name = values.get("name")
    owner = lookups.by_name.get(name) if name else None
    if owner is not None and code and owner.uscc != code:
        errors.append(
            row.error(
                "name",
                _("The name “%(name)s” already belongs to another enterprise (credit code %(code)s)")
                % {"name": name, "code": owner.uscc},
            )
        )

    data = {key: value for key, value in values.items() if key not in failed}
    if instance is not None and "uscc_override_reason" not in row.present and code == instance.uscc:
        # As update_enterprise does: a sheet without the reason column keeps an accepted code's reason.
        data["uscc_override_reason"] = instance.uscc_override_reason
    try:
        data = clean_enterprise_data(data, user, instance=instance)
    except ValidationError as exc:
        # A cell that did not parse already has its own error; a cross-field rule on it would only repeat it.
        keyed = [(key, e) for key, e in row.keyed_errors_from(exc) if key not in failed]
        errors.extend(e for _key, e in keyed)
        deferred = [(key, e) for key, e in deferred if key not in {k for k, _e in keyed}]
    errors.extend(e for _key, e in deferred)
    if errors or failed:
        return None, errors

    # The model's own rules (lengths, choices, digits) now, so that a commit never fails on a row the
    # preview passed. Foreign keys were resolved from the database above; uniqueness was checked above.
    merged = {key: getattr(instance, key) for key in EDITABLE_FIELDS} if instance is not None else {}
    merged.update(data)
    try:
        Enterprise(**merged).full_clean(
            exclude=FOREIGN_KEYS, validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        return None, row.errors_from(exc)

    plan = PlannedRow(row.sheet, row.number, CREATE, data["uscc"], data["name"], data=data, source=row)
    if instance is not None:
        plan.instance = instance
        changes = changed_fields(instance, data)
        plan.action = UPDATE if changes else UNCHANGED
        plan.changes = _changes(row, instance, data, changes)
    return plan, []


# --- The written sheet (export and blank template) and its instructions --------------------------------


def _lists(user) -> dict[str, list[str]]:
    """Drop-down lists that depend on the zone's data (three queries), limited to what the user may see."""
    return {
        "grid": list(Grid.objects.visible_to(user).values_list("code", flat=True)),
        "community": list(Community.objects.visible_to(user).values_list("code", flat=True)),
        "park": list(Park.objects.visible_to(user).values_list("name", flat=True)),
    }


def sheet_columns(user):
    """The import format as written columns: the same headers in the export and the blank template."""
    lists = _lists(user)
    return [column.xlsx(choices=lists.get(column.key)) for column in COLUMNS]


def instructions() -> list[str]:
    return [
        _(
            "Fill in one enterprise per row on the first sheet. Keep the header row; columns may be in any order, "
            "and the columns marked * must be filled in."
        ),
        _(
            "Each row is matched by its unified social credit code: a code already in the platform updates that "
            "enterprise, a new code adds an enterprise. Nothing is deleted."
        ),
        _(
            "The sheet is the truth for the columns it has: a blank cell empties that field (status, capital "
            "origin and currencies go back to their defaults). A column left out of the sheet leaves that field "
            "unchanged. An exported directory imports back without any change."
        ),
        _(
            "Every amount states its unit and currency: in its header (%(headers)s), or in a units row above the "
            "header such as “%(units_row)s”. %(plain)s is in ten-thousands of the currency in the “%(currency)s” "
            "column. A header without a unit, and no units row, is an error."
        )
        % {
            "headers": join_list(
                ("注册资本（万元）", "注册资本（万美元）", "注册资本（元）", "注册资本（亿元）")
            ),
            "units_row": "单位：万元",
            "plain": "注册资本（万）",
            "currency": "注册资本币种",
        },
        _(
            "Amounts are never converted between currencies. A currency column that contradicts the header is an "
            "error; without a currency column, an amount whose currency differs from the one recorded for the "
            "enterprise is an error (write it in the recorded currency, or add the currency column to change it)."
        ),
        _(
            "Numbers may have thousands separators or full-width digits. Dates may be Excel dates or text such "
            "as %(formats)s."
        )
        % {"formats": join_list(importing.DATE_TEXT_EXAMPLES)},
        _(
            "Grids and communities are written by code or name; parks, buildings and groups must already exist in "
            "the platform. Extra columns are not read (the preview names them)."
        ),
        _(
            "Nothing is written until every row is correct. After the upload, the preview lists every error with "
            "its sheet, row and column, and every change an update would make; correct the file and upload it "
            "again, or confirm the import."
        ),
    ]


def column_notes() -> list[list[str]]:
    table = [[_("Column"), _("Required"), _("What to write")]]
    for column in COLUMNS:
        notes = [str(column.help)]
        if column.choices and column.key != "origin_country":
            notes.append(_("One of: %(choices)s.") % {"choices": join_list(column.choices)})
        if column.blank not in (None, "") and column.to_cell is not None:
            notes.append(_("Blank means %(default)s.") % {"default": column.cell(column.blank)})
        table.append([column.xlsx().title, _("Yes") if column.required else "", " ".join(notes)])
    return table
