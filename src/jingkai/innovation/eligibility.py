"""What a checker answers: `Eligibility`, a tree of `Condition`s, each pass / fail / unknown.

A condition says which rule it applies (`Citation`: the RULES.md section, the official document and article),
the figures it used (`figures`, structured values for an API or a ranking) and a sentence built from an English
msgid (`text`, rendered through gettext in the reader's language when `message` is read, so one result serves
every language). A condition made of others combines them with "all" or "any" (direct routes, bands with
several requirements); its status follows from its parts.

Ranking ("how far is it"): `Eligibility.failed` counts the failed top-level conditions; each failed numeric
condition has a normalised `shortfall` ((needed − actual) / needed for a minimum, (actual − limit) / limit for a
maximum, (needed − best possible) / needed for a score), and `distance` adds them up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext, gettext_noop, pgettext

from jingkai.core.money import format_money


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class Citation:
    rules: str  # "RULES.md §4"
    document: str  # "国科发火〔2016〕32号"
    article: str  # "第十一条（五）"
    open: str = ""  # non-empty: a point of this rule not yet confirmed against the official text

    def __str__(self) -> str:
        return f"{self.rules}; {self.document} {self.article}".strip()


@dataclass(frozen=True)
class Text:
    """A sentence to translate later: an English msgid (marked with gettext_noop) and its parameters.

    Parameter values are plain strings (figures already formatted), other Texts (translated too) or tuples of
    those (joined with the language's list separator).
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        translated = gettext(self.msgid)
        if not self.params:
            return translated
        return translated % {key: _render(value) for key, value in self.params.items()}

    def as_dict(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _plain(v) for k, v in self.params.items()}}


def _render(value) -> str:
    if isinstance(value, Text):
        return value.render()
    if isinstance(value, tuple):
        return pgettext("list separator", ", ").join(_render(item) for item in value)
    return str(value)


def _plain(value):
    if isinstance(value, Text):
        return value.as_dict()
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class Condition:
    code: str
    title: str  # msgid
    status: Status
    citation: Citation
    text: Text | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)
    shortfall: Decimal | None = None
    missing: tuple[str, ...] = ()  # what is not recorded, as "field" or "field:year"
    combine: str | None = None  # "all" or "any" for a condition made of parts
    parts: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        return gettext(self.title)

    @property
    def message(self) -> str:
        """The figures in a sentence, in the active language."""
        if self.text is not None:
            return self.text.render()
        if self.parts:
            return self._summary().render()
        if self.missing:
            return Text(
                gettext_noop("Not recorded: %(missing)s"), {"missing": missing_text(self.missing)}
            ).render()
        return ""

    def _summary(self) -> Text:
        """For a condition made of parts: which parts settle it, or which are still open."""

        def titles(status):
            return tuple(Text(part.title) for part in self.parts if part.status is status)

        if self.combine == "any" and self.status is Status.PASS:
            return Text(gettext_noop("Met by: %(parts)s"), {"parts": titles(Status.PASS)})
        if self.combine == "any" and self.status is Status.FAIL:
            return Text(gettext_noop("None of these is met"))
        if self.status is Status.FAIL:
            return Text(gettext_noop("Not met: %(parts)s"), {"parts": titles(Status.FAIL)})
        if self.status is Status.PASS:
            return Text(gettext_noop("All met"))
        return Text(gettext_noop("Not settled yet: %(parts)s"), {"parts": titles(Status.UNKNOWN)})

    def leaves(self):
        if not self.parts:
            yield self
        for part in self.parts:
            yield from part.leaves()

    def walk(self):
        yield self
        for part in self.parts:
            yield from part.walk()

    def find(self, code: str) -> Condition:
        for condition in self.walk():
            if condition.code == code:
                return condition
        raise KeyError(code)

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "title": self.title,
            "label": self.label,
            "status": str(self.status),
            "message": self.message,
            "text": self.text.as_dict() if self.text else None,
            "figures": _jsonable(self.figures),
            "shortfall": None if self.shortfall is None else str(self.shortfall),
            "missing": list(self.missing),
            "citation": {
                "rules": self.citation.rules,
                "document": self.citation.document,
                "article": self.citation.article,
                "open": self.citation.open,
                "text": str(self.citation),
            },
            "combine": self.combine,
            "parts": [part.as_dict() for part in self.parts],
        }


@dataclass(frozen=True)
class Eligibility:
    tier: str
    version: str
    evaluated_on: dt.date
    conditions: tuple[Condition, ...]
    validity_years: int | None = None
    open: tuple[str, ...] = ()  # points of the thresholds not yet confirmed

    @property
    def verdict(self) -> Verdict:
        statuses = {condition.status for condition in self.conditions}
        if Status.FAIL in statuses:
            return Verdict.NOT_ELIGIBLE
        if statuses <= {Status.PASS}:
            return Verdict.ELIGIBLE
        return Verdict.UNDETERMINED

    @property
    def failed(self) -> int:
        return sum(condition.status is Status.FAIL for condition in self.conditions)

    @property
    def unknown(self) -> int:
        return sum(condition.status is Status.UNKNOWN for condition in self.conditions)

    @property
    def shortfalls(self) -> dict[str, Decimal]:
        return {
            c.code: c.shortfall
            for c in self.conditions
            if c.status is Status.FAIL and c.shortfall is not None
        }

    @property
    def distance(self) -> Decimal:
        return sum(self.shortfalls.values(), Decimal(0))

    def rank_key(self) -> tuple:
        """Sort candidates nearest first: fewest failed conditions, then smallest total shortfall."""
        return (self.failed, self.distance, self.unknown)

    def find(self, code: str) -> Condition:
        for condition in self.conditions:
            try:
                return condition.find(code)
            except KeyError:
                continue
        raise KeyError(code)

    def walk(self):
        for condition in self.conditions:
            yield from condition.walk()

    def as_dict(self) -> dict:
        return {
            "tier": self.tier,
            "version": self.version,
            "evaluated_on": self.evaluated_on.isoformat(),
            "verdict": str(self.verdict),
            "failed": self.failed,
            "unknown": self.unknown,
            "distance": str(self.distance),
            "shortfalls": {code: str(value) for code, value in self.shortfalls.items()},
            "validity_years": self.validity_years,
            "open": list(self.open),
            "conditions": [condition.as_dict() for condition in self.conditions],
        }


# --- building conditions -------------------------------------------------------------------------------


def combine(code, title, citation, mode, parts, text=None, figures=None) -> Condition:
    """A condition made of parts: "all" must pass, or "any" one of them."""
    parts = tuple(parts)
    statuses = [part.status for part in parts]
    failed = [part for part in parts if part.status is Status.FAIL]
    numeric = [part.shortfall for part in failed if part.shortfall is not None]
    if mode == "all":
        if Status.FAIL in statuses:
            status = Status.FAIL
        elif all(s is Status.PASS for s in statuses):
            status = Status.PASS
        else:
            status = Status.UNKNOWN
        shortfall = sum(numeric, Decimal(0)) if numeric else None
    elif mode == "any":
        if Status.PASS in statuses:
            status = Status.PASS
        elif statuses and all(s is Status.FAIL for s in statuses):
            status = Status.FAIL
        else:
            status = Status.UNKNOWN
        # The nearest way in: the smallest shortfall among the routes that have one.
        shortfall = min(numeric) if numeric and status is Status.FAIL else None
    else:
        raise ValueError(f"unknown combination {mode!r}")
    if status is not Status.FAIL:
        shortfall = None
    return Condition(
        code=code,
        title=title,
        status=status,
        citation=citation,
        text=text,
        figures=figures or {},
        shortfall=shortfall,
        combine=mode,
        parts=parts,
    )


def shortfall_min(value: Decimal, needed: Decimal) -> Decimal:
    """How far a value is below a minimum, as a fraction of the minimum (0 at the bound itself)."""
    if value >= needed:
        return Decimal(0)
    if needed <= 0:
        return Decimal(1)
    return min((needed - value) / needed, Decimal(1)) if value >= 0 else Decimal(1)


def shortfall_max(value: Decimal, limit: Decimal) -> Decimal:
    """How far a value is above a maximum, as a fraction of the maximum (capped at 1, like a minimum's)."""
    if value <= limit:
        return Decimal(0)
    if limit <= 0:
        return Decimal(1)
    return min((value - limit) / limit, Decimal(1))


# --- formatting figures the way officials write them --------------------------------------------------

INFINITY = Decimal("Infinity")


def pct(value: Decimal | None) -> str:
    """A ratio as a percentage, rounded down so that a figure below a bound never reads as reaching it."""
    if value is None:
        return "—"
    if value == INFINITY:
        return "∞"
    text = f"{(value * 100).quantize(Decimal('0.01'), rounding=ROUND_FLOOR):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def money(value: Decimal | None) -> str:
    return format_money(value, "CNY") if value is not None else "—"


def number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# Labels of the profile fields, for "Not recorded: …" (the field names are InnovationProfile's).
FIELD_LABELS = {
    "registered_on": gettext_noop("registration date"),
    "employees": gettext_noop("employees"),
    "st_staff": gettext_noop("S&T staff"),
    "rnd_staff": gettext_noop("R&D staff"),
    "rnd_total": gettext_noop("R&D spending"),
    "rnd_in_china": gettext_noop("R&D spending in China"),
    "revenue": gettext_noop("sales revenue"),
    "total_costs": gettext_noop("total costs and expenses"),
    "main_business_revenue": gettext_noop("main-business revenue"),
    "net_assets": gettext_noop("net assets"),
    "new_equity": gettext_noop("new equity financing"),
    "high_tech_income": gettext_noop("high-tech product and service income"),
    "total_income": gettext_noop("total income"),
    "total_assets": gettext_noop("total assets"),
    "debt_ratio": gettext_noop("debt ratio"),
    "ip_class_1": gettext_noop("class I intellectual property"),
    "ip_class_2": gettext_noop("class II intellectual property"),
    "niche_years": gettext_noop("years in the niche market"),
    "national_market_share": gettext_noop("national niche-market share"),
    "rnd_institution": gettext_noop("R&D institution"),
    "standards_led": gettext_noop("standards led"),
    "awards": gettext_noop("awards"),
    "violations": gettext_noop("violations"),
    "valid_certificates": gettext_noop("valid certificates"),
    "judgements": gettext_noop("assessment"),
    "assessed_scores": gettext_noop("assessed score"),
}


def missing_text(missing) -> tuple[Text, ...]:
    out = []
    for item in missing:
        name, _, detail = item.partition(":")
        label = Text(FIELD_LABELS.get(name, name))
        out.append(
            Text(gettext_noop("%(field)s (%(detail)s)"), {"field": label, "detail": detail})
            if detail
            else label
        )
    return tuple(out)


def _jsonable(value):
    if isinstance(value, Decimal):
        return "Infinity" if value == INFINITY else str(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
