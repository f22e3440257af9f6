"""Pydantic schemas of the enterprise API: what /api/enterprises accepts and answers.

Field names follow the model so that integrators can read the data dictionary once. Amounts are
exact decimals in base units (元, 美元) sent as strings, next to their currency; the `*_display`
fields carry the amount as officials write it (1000万元, 11370万美元).
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import PlainSerializer

from jingkai.core import reveal
from jingkai.core.bounds import Id, QueryText, Year, for_field
from jingkai.core.money import Currency
from jingkai.enterprises.choices import EnterpriseStatus, ListingMarket, Origin
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.models import Enterprise


def _choices(*values: str):
    """A Literal over a list of values, so that OpenAPI lists them as an enum."""
    return Literal[tuple(values)]


def _filter_choices(name: str):
    # Taken from the FilterSet itself, so the API cannot accept a value the pages would refuse.
    return _choices(*(value for value, _label in EnterpriseFilterSet.base_filters[name].extra["choices"]))


# A decimal leaves the API as a string: JSON numbers would lose the exact cents of 元 amounts.
DecimalStr = Annotated[Decimal, PlainSerializer(lambda value: str(value), return_type=str)]

StatusValue = _choices(*EnterpriseStatus.values)
OriginValue = _choices(*Origin.values)
CurrencyValue = _choices(*Currency.values)
ListingValue = _choices("", *ListingMarket.values)
ScaleValue = _filter_choices("scale")
OriginFilterValue = _filter_choices("origin")
HonourValue = _filter_choices("honour")
SortValue = _filter_choices("sort")
# A reference to a grid, community, park, group or building: its id, or its code (name for a group).
Reference = Id | QueryText | None


def column(name: str, **field):
    """The type of a value for Enterprise.<name>: the column's length, digits or range (core.bounds)."""
    return for_field(Enterprise, name, **field)


class CodeName(Schema):
    code: str
    name: str


class IdName(Schema):
    id: int
    name: str


class EnterpriseFilters(Schema):
    """The enterprise list's filters: the same names and meanings as the list page's."""

    q: QueryText | None = Field(
        None, description="Part of the name, short or English name, or the start of a USCC"
    )
    grid: QueryText | None = Field(
        None, description="Grid code (G01), name or id; `none` for enterprises without one"
    )
    community: QueryText | None = Field(None, description="Community code, name or id; `none` for none")
    chain: QueryText | None = Field(None, description="Industry chain code, name or id")
    scale: ScaleValue | None = Field(
        None, description="`above` = 规上, `below` = 规下 in `year` (default: the latest year with data)"
    )
    year: Year | None = Field(None, description="Year of the `scale` filter and of `above_size`")
    origin: OriginFilterValue | None = Field(
        None, description="`domestic`, `foreign`, `hmt`, or an investor country (ISO code: JP, DE …)"
    )
    industry: QueryText | None = Field(
        None, description="GB/T 4754 prefix: section (C), division (C34 or 34) or class"
    )
    honour: HonourValue | None = Field(None, description="Holds a currently valid honour of this kind")
    park: QueryText | None = Field(None, description="Park code, name or id")
    group: Id | None = Field(None, description="Enterprise group id")
    status: StatusValue | None = Field(None, description="Registration status")
    sort: SortValue | None = Field(None, description="Order (default `name`)")


class EnterpriseItem(Schema):
    id: int
    uscc: str
    name: str
    short_name: str
    status: str
    industry_code: str
    origin: str
    origin_country: str
    origin_label: str = Field(description="How officials name the capital: 内资, 日资, 德资, 港资 …")
    registered_capital: DecimalStr | None
    registered_capital_currency: str
    registered_capital_display: str
    total_investment: DecimalStr | None
    total_investment_currency: str
    total_investment_display: str
    land_area_mu: DecimalStr | None
    employees: int | None
    technical_staff: int | None
    listing_market: str
    stock_code: str
    group: IdName | None
    park: CodeName | None
    grid: CodeName | None
    community: CodeName | None
    above_size: bool | None = Field(
        None,
        description="规上 in the requested `year` (default: the latest year with data); null if not reported",
    )
    founded_on: dt.date | None
    updated_at: dt.datetime


class HonourOut(Schema):
    id: int
    kind: str
    level: str
    title: str
    certificate_no: str
    certified_on: dt.date
    expires_on: dt.date | None
    issuer: str


class CapitalChangeOut(Schema):
    changed_on: dt.date
    kind: str
    currency: str
    registered_capital_before: DecimalStr | None
    registered_capital_after: DecimalStr | None
    total_investment_before: DecimalStr | None
    total_investment_after: DecimalStr | None
    note: str


class ContactOut(Schema):
    name: str
    title: str
    is_primary: bool
    phone: str | None = Field(
        None,
        description="Only for zone staff; masked (138****5678): POST /api/personal/reveal for the full value",
    )
    email: str | None = Field(None, description="Only for zone staff")

    # An enterprise's own portal users see who their colleagues on file are, not how to reach them.
    @staticmethod
    def resolve_phone(obj, context):
        if not _staff(context):
            return None
        return reveal.shown(context["request"].user, obj, "phone")

    @staticmethod
    def resolve_email(obj, context):
        return obj.email if _staff(context) else None


def _staff(context) -> bool:
    request = (context or {}).get("request")
    return bool(request and request.user.is_authenticated and request.user.is_staff_role)


class ChainOut(Schema):
    code: str
    name: str
    role: str = Field(description="`leader` = 链主, `supplier` = 配套, `member`")


class AnnualScaleOut(Schema):
    year: int
    above_size: bool


class EnterpriseDetail(EnterpriseItem):
    uscc_override_reason: str
    english_name: str
    main_products: str
    address: str
    listed_on: dt.date | None
    building: IdName | None
    annual_scales: list[AnnualScaleOut]
    honours: list[HonourOut]
    capital_changes: list[CapitalChangeOut]
    contacts: list[ContactOut]
    chains: list[ChainOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_building(obj):
        return {"id": obj.building.pk, "name": obj.building.name} if obj.building else None

    @staticmethod
    def resolve_chains(obj):
        return [
            {"code": m.chain.code, "name": m.chain.name, "role": m.role} for m in obj.chain_memberships.all()
        ]


class EnterpriseIn(Schema):
    """A new enterprise. References take an id or a code (a group's or building's name).

    Every value is bounded by its column (core.bounds): a text by its length and no control or
    direction-override character, an amount by the digits both databases keep exactly, a count by the column's
    range, a date between 1900 and 2100. A value outside is a 422 naming the field, and nothing is saved.
    """

    # Wider than the stored 18 characters: pasted codes often carry spaces, which the service strips.
    uscc: column("name", max_length=40) = Field(
        description="统一社会信用代码; spaces and full-width characters are normalised"
    )
    uscc_override_reason: column("uscc_override_reason") = Field(
        "", description="Zone administrators only: why a code failing the check digit is accepted"
    )
    name: column("name")
    short_name: column("short_name") = ""
    english_name: column("english_name") = ""
    founded_on: column("founded_on") | None = None
    status: StatusValue = EnterpriseStatus.OPERATING.value
    # Wider than the stored 5 characters: the service accepts "C 3421" and "3421" and normalises them.
    industry_code: column("name", max_length=10) = Field("", description="GB/T 4754 class, e.g. C3421")
    main_products: column("main_products") = ""
    origin: OriginValue = Origin.DOMESTIC.value
    origin_country: column("name", max_length=10) = Field(
        "", description="ISO 3166 code of the investor country (JP, DE, HK …)"
    )
    registered_capital: column("registered_capital", ge=0) | None = Field(
        None, description="In base units (元 or 美元)"
    )
    registered_capital_currency: CurrencyValue = Currency.CNY.value
    total_investment: column("total_investment", ge=0) | None = Field(
        None, description="In base units (元 or 美元)"
    )
    total_investment_currency: CurrencyValue = Currency.CNY.value
    land_area_mu: column("land_area_mu", ge=0) | None = None
    employees: column("employees") | None = None
    technical_staff: column("technical_staff") | None = None
    listing_market: ListingValue = ""
    stock_code: column("stock_code") = ""
    listed_on: column("listed_on") | None = None
    group: Reference = Field(None, description="Group id or name")
    park: Reference = Field(None, description="Park id or code")
    building: Reference = Field(None, description="Building id, or its name within `park`")
    grid: Reference = Field(None, description="Grid id or code (G01)")
    community: Reference = Field(None, description="Community id or code (C01)")
    address: column("address") = ""
