"""Versioned thresholds of the innovation tiers: data files, loaded and validated here.

One JSON file per tier and version, `thresholds/<tier>/<version>.json`:

    {
      "tier": "high_tech", "version": "2016", "valid_from": "2016-01-01",
      "rules": "RULES.md §4", "document": "国科发火〔2016〕32号", "level": "national",
      "validity_years": 3,
      "open": ["…points not yet confirmed against the official text…"],
      "conditions": {
        "st_staff": {"cite": "第十一条（四）", "min_share": "10%"},
        …
      }
    }

Every condition entry carries its citation (`cite`: the article; `document` when it is not the file's), and may
say what is still `open` (to be confirmed). Amounts are written as officials write them ("5000万", "2亿", or a
plain number of 元), ratios with a per cent sign ("4%"), so a file reads like the document it cites.

Each tier's checker declares the schema of its `conditions` (which entries, which keys, of what kind); the loader
refuses a file that does not fit — a missing or unknown key, a ratio without "%", bands out of order, points
above the indicator's maximum — with the file and the key path in the message. The checkers contain no number.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jingkai.innovation.eligibility import Citation
from jingkai.innovation.profile import INSTITUTION_LEVELS

ROOT = Path(__file__).resolve().parent
LEVELS = ("national", "provincial")


class ThresholdsError(ValueError):
    def __init__(self, source: str, where: str, problem: str):
        self.source = source
        self.where = where
        self.problem = problem
        super().__init__(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")


class Invalid(Exception):
    """Raised by a parser; the loader adds the file name."""

    def __init__(self, where, problem):
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class Interval:
    """A score known to lie between lo and hi (both included); lo == hi when it is known exactly."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def exact(cls, value) -> Interval:
        value = Decimal(value)
        return cls(value, value)

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def best(self, other: Interval) -> Interval:
        """The better of two measures, each known within its interval."""
        return Interval(max(self.lo, other.lo), max(self.hi, other.hi))

    def intersect(self, other: Interval) -> Interval | None:
        lo, hi = max(self.lo, other.lo), min(self.hi, other.hi)
        return Interval(lo, hi) if lo <= hi else None

    @property
    def known(self) -> bool:
        return self.lo == self.hi

    def __str__(self) -> str:
        from jingkai.innovation.eligibility import number

        return number(self.lo) if self.known else f"{number(self.lo)}–{number(self.hi)}"


@dataclass(frozen=True)
class Band:
    """One row of a band table: a test on the value ("from" ≥, "above" >, "upto" ≤, "below" <, or None for
    the catch-all last row) and what the row gives."""

    op: str | None
    bound: Decimal | None
    result: Mapping[str, Any]

    def holds(self, value: Decimal) -> bool:
        if self.op is None:
            return True
        return {
            "from": value >= self.bound,
            "above": value > self.bound,
            "upto": value <= self.bound,
            "below": value < self.bound,
        }[self.op]

    def __getitem__(self, key):
        return self.result[key]


def match(bands: tuple[Band, ...], value: Decimal) -> tuple[int, Band]:
    for index, band in enumerate(bands):
        if band.holds(value):
            return index, band
    raise AssertionError("band tables end with a catch-all row (checked when loaded)")


@dataclass(frozen=True)
class Thresholds:
    tier: str
    version: str
    valid_from: dt.date
    rules: str
    document: str
    level: str
    validity_years: int | None
    notes: tuple[str, ...]  # the file's top-level "open" list
    conditions: Mapping[str, Mapping[str, Any]]
    source: str = field(default="", compare=False)

    def __getitem__(self, code: str) -> Mapping[str, Any]:
        return self.conditions[code]

    def __contains__(self, code: str) -> bool:
        return code in self.conditions

    def citation(self, code: str) -> Citation:
        entry = self.conditions[code]
        return Citation(
            rules=entry.get("rules") or self.rules,
            document=entry.get("document") or self.document,
            article=entry["cite"],
            open=entry.get("open") or "",
        )

    @property
    def open(self) -> tuple[str, ...]:
        """Every point of this version still to be confirmed: the file's notes and each condition's."""
        return self.notes + tuple(
            f"{code}: {entry['open']}" for code, entry in self.conditions.items() if entry.get("open")
        )


# --- parsers (value, where) -> parsed ------------------------------------------------------------------

Parser = Callable[[Any, str], Any]
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(万|亿)?\s*(元)?\s*$")
_RATIO = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")


def _decimal(value, where) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Invalid(where, f'{value!r} is not a number (write decimals as strings: "0.5")')
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Invalid(where, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise Invalid(where, f"{value!r} is not a finite number")
    return number


def amount(value, where) -> Decimal:
    """ "5000万", "2亿", "100万元" or a whole number of 元."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise Invalid(where, f"{value} is negative")
        return Decimal(value)
    found = _AMOUNT.match(value) if isinstance(value, str) else None
    if not found:
        raise Invalid(where, f'{value!r} is not an amount (write "5000万", "2亿" or a number of 元)')
    unit = {"万": Decimal(10_000), "亿": Decimal(100_000_000), None: Decimal(1)}[found.group(2)]
    return Decimal(found.group(1)) * unit


def ratio(value, where) -> Decimal:
    """ "4%" → 0.04 (the per cent sign is required: a bare 4 or 0.04 is ambiguous)."""
    found = _RATIO.match(value) if isinstance(value, str) else None
    if not found:
        raise Invalid(where, f'{value!r} is not a percentage (write "4%")')
    return Decimal(found.group(1)) / 100


def integer(value, where) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise Invalid(where, f"{value!r} is not a whole number ≥ 0")
    return value


def positive(value, where) -> int:
    if integer(value, where) < 1:
        raise Invalid(where, f"{value!r} is not a whole number ≥ 1")
    return value


def number(value, where) -> Decimal:
    number_ = _decimal(value, where)
    if number_ < 0:
        raise Invalid(where, f"{value!r} is negative")
    return number_


def points(value, where) -> Interval:
    """A score (12) or a range of scores an expert chooses from ([9, 10])."""
    if isinstance(value, list):
        if len(value) != 2:
            raise Invalid(where, "a range of points is [lowest, highest]")
        lo, hi = number(value[0], f"{where}[0]"), number(value[1], f"{where}[1]")
        if lo > hi:
            raise Invalid(where, f"{lo} is above {hi}")
        return Interval(lo, hi)
    return Interval.exact(number(value, where))


def text(value, where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(where, "must be a non-empty text")
    return value


def codes(value, where) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise Invalid(where, "must be a non-empty list of codes")
    return tuple(text(item, f"{where}[{i}]") for i, item in enumerate(value))


def choice(*options) -> Parser:
    def parse(value, where):
        if value not in options:
            raise Invalid(where, f"{value!r} is not one of {', '.join(options)}")
        return value

    return parse


institution_level = choice(*INSTITUTION_LEVELS)


def ranks(value, where) -> Mapping[str, int | None]:
    """{"provincial": 3, "national": 5}: the lowest place that counts, by level (null: any place counts)."""
    if not isinstance(value, dict) or not value:
        raise Invalid(where, "must map award levels to the lowest place that counts (or null for any)")
    level = choice("national", "provincial", "city", "county")
    return MappingProxyType(
        {
            level(k, f"{where}.{k}"): None if v is None else positive(v, f"{where}.{k}")
            for k, v in value.items()
        }
    )


def lookback(value, where) -> Mapping[str, int]:
    """{"days": 365} (the 365 days before the evaluation date) or {"calendar_years": 2} (this year and the last)."""
    if not isinstance(value, dict) or len(value) != 1 or not ({"days", "calendar_years"} & value.keys()):
        raise Invalid(where, 'must be {"days": N} or {"calendar_years": N}')
    ((key, n),) = value.items()
    return MappingProxyType({key: positive(n, f"{where}.{key}")})


def obj(schema: Mapping[str, Any]) -> Parser:
    """A JSON object with exactly these keys ("key?" marks an optional one)."""

    def parse(value, where):
        if not isinstance(value, dict):
            raise Invalid(where, "must be an object")
        wanted = {key.rstrip("?"): key.endswith("?") for key in schema}
        unknown = sorted(set(value) - set(wanted))
        if unknown:
            raise Invalid(where, f"unknown key {unknown[0]!r} (expected {', '.join(sorted(wanted))})")
        out = {}
        for key, spec in schema.items():
            name = key.rstrip("?")
            if name not in value:
                if key.endswith("?"):
                    continue
                raise Invalid(where, f"missing key {name!r}")
            parser = obj(spec) if isinstance(spec, dict) else spec
            out[name] = parser(value[name], f"{where}.{name}" if where else name)
        return MappingProxyType(out)

    return parse


_ASCENDING = {"upto", "below"}
_DESCENDING = {"from", "above"}


def bands(test: Parser, result: Mapping[str, Any]) -> Parser:
    """A band table: rows tried in order, each {"from"|"above"|"upto"|"below": bound, …result} and a last
    catch-all row with the result only. Bounds must run one way (down for from/above, up for upto/below),
    strictly, so that no row is unreachable."""
    parse_result = obj(result)

    def parse(value, where):
        if not isinstance(value, list) or len(value) < 2:
            raise Invalid(where, "a band table has at least two rows")
        rows = []
        for index, row in enumerate(value):
            at = f"{where}[{index}]"
            if not isinstance(row, dict):
                raise Invalid(at, "must be an object")
            ops = [op for op in ("from", "above", "upto", "below") if op in row]
            if len(ops) > 1:
                raise Invalid(at, f"has both {ops[0]!r} and {ops[1]!r}")
            last = index == len(value) - 1
            if not ops and not last:
                raise Invalid(at, "only the last row may have no bound")
            if ops and last:
                raise Invalid(at, "the last row is the catch-all: it has no bound")
            op = ops[0] if ops else None
            bound = test(row[op], f"{at}.{op}") if op else None
            rest = {k: v for k, v in row.items() if k != op}
            rows.append(Band(op, bound, parse_result(rest, at)))
        bounded = rows[:-1]
        families = {frozenset({r.op}) <= _ASCENDING for r in bounded}
        if len(families) > 1:
            raise Invalid(where, "mixes lower bounds (from/above) with upper bounds (upto/below)")
        ascending = bounded[0].op in _ASCENDING
        for index in range(1, len(bounded)):
            before, row = bounded[index - 1].bound, bounded[index].bound
            if (row <= before) if ascending else (row >= before):
                raise Invalid(
                    f"{where}[{index}]",
                    f"bound {row} is out of order after {before} (bounds must {'rise' if ascending else 'fall'})",
                )
        return tuple(rows)

    return parse


def scored(max_key="max") -> Callable[[Mapping, str], None]:
    """A check that every points value of an indicator lies within its maximum."""

    def check(entry, where):
        top = entry[max_key]
        for key, value in entry.items():
            values = []
            if isinstance(value, Interval):
                values = [value]
            elif isinstance(value, tuple) and value and isinstance(value[0], Band):
                values = [band.result["points"] for band in value if "points" in band.result]
            for interval in values:
                if interval.hi > top:
                    raise Invalid(f"{where}.{key}", f"{interval.hi} points exceed the maximum {top}")

    return check


def indicator(schema: Mapping[str, Any]) -> Parser:
    """A scored indicator: its keys, with "max" required and every points value checked against it."""
    parse_obj = obj({"max": number, **schema})
    check = scored()

    def parse(value, where):
        entry = parse_obj(value, where)
        check(entry, where)
        return entry

    return parse


# --- files ---------------------------------------------------------------------------------------------

CONDITION_KEYS = {"cite": text, "document?": text, "rules?": text, "open?": text}


def load_file(path: Path, schemas: Mapping[str, Mapping[str, Any]]) -> Thresholds:
    """Load one thresholds file against the condition schemas of the tiers (tier code → schema)."""
    source = _display(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ThresholdsError(source, f"line {error.lineno} column {error.colno}", error.msg) from None
    try:
        return _parse(data, path, schemas)
    except Invalid as problem:
        raise ThresholdsError(source, problem.where, problem.problem) from None


def _parse(data, path, schemas) -> Thresholds:
    head = obj(
        {
            "tier": text,
            "version": text,
            "valid_from": text,
            "rules": text,
            "document": text,
            "level": choice(*LEVELS),
            "validity_years": lambda v, w: None if v is None else positive(v, w),
            "open?": lambda v, w: tuple(text(item, f"{w}[{i}]") for i, item in enumerate(_list(v, w))),
            "conditions": lambda v, w: v,
        }
    )(data, "")
    tier = head["tier"]
    if tier not in schemas:
        raise Invalid("tier", f"{tier!r} is not a tier ({', '.join(sorted(schemas))})")
    path = Path(path)
    if path.parent.name != tier:
        raise Invalid("tier", f"{tier!r} does not match the folder {path.parent.name!r}")
    if path.stem != head["version"]:
        raise Invalid("version", f"{head['version']!r} does not match the file name {path.name!r}")
    try:
        valid_from = dt.date.fromisoformat(head["valid_from"])
    except ValueError:
        raise Invalid("valid_from", f"{head['valid_from']!r} is not a date (YYYY-MM-DD)") from None
    conditions = head["conditions"]
    if not isinstance(conditions, dict):
        raise Invalid("conditions", "must be an object")
    schema = schemas[tier]
    wanted = {key.rstrip("?"): key for key in schema}
    unknown = sorted(set(conditions) - set(wanted))
    if unknown:
        raise Invalid(
            f"conditions.{unknown[0]}", f"is not a condition of {tier} ({', '.join(sorted(wanted))})"
        )
    parsed = {}
    for name, key in wanted.items():
        if name not in conditions:
            if key.endswith("?"):
                continue  # an optional condition this version does not apply
            raise Invalid("conditions", f"missing condition {name!r}")
        spec = schema[key]
        parser = obj({**CONDITION_KEYS, **spec}) if isinstance(spec, dict) else spec
        parsed[name] = parser(conditions[name], f"conditions.{name}")
    return Thresholds(
        tier=tier,
        version=head["version"],
        valid_from=valid_from,
        rules=head["rules"],
        document=head["document"],
        level=head["level"],
        validity_years=head["validity_years"],
        notes=head.get("open", ()),
        conditions=MappingProxyType(parsed),
        source=_display(path),
    )


def _list(value, where):
    if not isinstance(value, list):
        raise Invalid(where, "must be a list")
    return value


def load_directory(
    schemas: Mapping[str, Mapping[str, Any]], root: Path = ROOT
) -> dict[str, tuple[Thresholds, ...]]:
    """Every version of every tier under root, oldest first; two versions of a tier may not start the same day."""
    out: dict[str, list[Thresholds]] = {tier: [] for tier in schemas}
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith(("_", "."))):
        if folder.name not in schemas:
            raise ThresholdsError(
                _display(folder), "", f"{folder.name!r} is not a tier ({', '.join(sorted(schemas))})"
            )
        for path in sorted(folder.glob("*.json")):
            out[folder.name].append(load_file(path, schemas))
    result = {}
    for tier, versions in out.items():
        versions.sort(key=lambda t: t.valid_from)
        for before, after in zip(versions, versions[1:], strict=False):
            if before.valid_from == after.valid_from:
                raise ThresholdsError(
                    after.source, "valid_from", f"{after.valid_from} is also the start of {before.source}"
                )
        result[tier] = tuple(versions)
    return result


def current(versions: tuple[Thresholds, ...], on: dt.date) -> Thresholds:
    """The version in force on a date: the latest one that started on or before it."""
    in_force = [t for t in versions if t.valid_from <= on]
    if not in_force:
        tier = versions[0].tier if versions else "?"
        first = versions[0].valid_from if versions else None
        raise LookupError(f"no thresholds of {tier} in force on {on} (the first starts {first})")
    return in_force[-1]


def _display(path: Path) -> str:
    path = Path(path)
    try:
        return str(path.resolve().relative_to(ROOT.parent.parent.parent))
    except ValueError:
        return str(path)
