"""Money and units as officials write them (元/万元/亿元, 万美元/亿美元).

Amounts are stored as exact decimals in the currency's base unit (元, 美元) next to an ISO currency
code; conversion between currencies never happens here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


class Currency(models.TextChoices):
    CNY = "CNY", _("RMB")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    JPY = "JPY", _("Japanese yen")
    HKD = "HKD", _("Hong Kong dollar")


# How officials suffix each currency: 元 / 万元 / 亿元, 美元 / 万美元 / 亿美元 ...
SUFFIX = {"CNY": "元", "USD": "美元", "EUR": "欧元", "JPY": "日元", "HKD": "港元"}


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self):
        if self.currency not in SUFFIX:
            raise ValueError(f"unknown currency {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}: convert explicitly first")
        return Money(self.amount + other.amount, self.currency)

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)


def _trim(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_money(amount, currency: str = "CNY", unit: str = "auto", places: int = 2) -> str:
    """Format an amount in base units the way a zone report writes it.

    unit: "auto" (亿 from 1亿, 万 from 1万, else plain), "万", "亿" or "" (plain).
    Officials write 万 figures without thousands separators (11370万美元, 142987万美元).
    """
    if amount is None or amount == "":
        return "—"
    amount = Decimal(amount)
    suffix = SUFFIX.get(currency, currency)
    if unit == "auto":
        unit = "亿" if abs(amount) >= YI else "万" if abs(amount) >= WAN else ""
    if unit == "亿":
        return f"{_trim(amount / YI, places)}亿{suffix}"
    if unit == "万":
        return f"{_trim(amount / WAN, places)}万{suffix}"
    return f"{_trim(amount, places)}{suffix}"


def parse_decimal(text) -> Decimal:
    """Parse a number as staff type it: full-width digits, thousands separators, spaces."""
    import unicodedata

    if isinstance(text, int | float | Decimal):
        if isinstance(text, float):
            return Decimal(repr(text))
        return Decimal(text)
    cleaned = unicodedata.normalize("NFKC", str(text)).replace(",", "").replace(" ", "").strip()
    if not cleaned:
        raise InvalidOperation("empty")
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation(cleaned)
    return value


def from_wan(value: Decimal | None) -> Decimal | None:
    """An amount in 万, as ledgers and forms take it, to base units (元, 美元), to the cent."""
    if value is None:
        return None
    return (parse_decimal(value) * WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def to_wan(value: Decimal | None) -> Decimal | None:
    """Base units to 万 for editing, without trailing zeros or scientific notation (11370, not 1.137E+4)."""
    if value is None:
        return None
    return Decimal(f"{(Decimal(value) / WAN).normalize():f}")
