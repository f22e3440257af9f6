"""Input bounds, in one place: what a value must be for the column that stores it (docs/security.md §1).

A value that cannot be stored, or would be stored wrong, is refused where it comes in, naming the field: a 422
in the API (these are pydantic types, used by every app's `schemas.py`), a form error on a page (the
validators), a page message or a 422 for a query parameter. The types are derived from the model field where
there is one (`for_field(Enterprise, "total_investment")`), so a schema cannot drift from its column.

The bounds:

- **Decimals**: the column's `decimal_places`, and at most `max_digits` digits but never more than 15
  (`DECIMAL_DIGITS_MAX`): SQLite keeps a decimal as a double, which holds 15 significant digits exactly, so a
  16th digit would come back changed (and a value of 16 integer digits breaks every page that reads it). The
  same bound on PostgreSQL, so a value means the same on both; no NaN or infinity.
- **Integers**: the column's range on PostgreSQL (the narrower of the two databases: `integer` is 32-bit),
  whatever the database in use, so an API answers the same on both; any other integer (an id, an offset) fits a
  signed 64-bit integer.
- **Dates and years**: between 1900-01-01 and 2100-12-31 (`YEAR_MIN`, `YEAR_MAX`). No record of the zone
  (founding dates, statistics periods, projects, visits) lies outside; a year outside is a typo, and Python's
  own range (1–9999) would only move the failure into the date arithmetic.
- **Text**: the column's `max_length`; no NUL or other C0 control character (PostgreSQL cannot store NUL, and
  a control character breaks exports), no DEL, no bidirectional override or isolate (U+202A–U+202E,
  U+2066–U+2069: they make a name read differently from what it is, "Trojan source"). Multi-line texts (a
  TextField) keep tab, line feed and carriage return; names and other one-line fields refuse them too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field

YEAR_MIN = 1900
YEAR_MAX = 2100
DATE_MIN = dt.date(YEAR_MIN, 1, 1)
DATE_MAX = dt.date(YEAR_MAX, 12, 31)
INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
# The largest `offset` of a list: far beyond any list, and offset + limit still fits 64 bits.
OFFSET_MAX = 2**31 - 1
# Significant digits a double (SQLite's storage of a DecimalField) round-trips exactly.
DECIMAL_DIGITS_MAX = 15

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\t\n\r")
_C0 = frozenset(chr(code) for code in range(32)) | {"\x7f"}
FORBIDDEN_IN_NAMES = _C0 | BIDI_CONTROLS
FORBIDDEN_IN_TEXTS = (_C0 - LINE_BREAKS) | BIDI_CONTROLS

# Integer columns by their range on PostgreSQL (and SQLite, whose integers are 64-bit, holds them all).
_SMALL = (-(2**15), 2**15 - 1)
_INTEGER = (-(2**31), 2**31 - 1)
_BIG = (INT64_MIN, INT64_MAX)
INTEGER_RANGES = {
    "SmallIntegerField": _SMALL,
    "PositiveSmallIntegerField": (0, _SMALL[1]),
    "IntegerField": _INTEGER,
    "PositiveIntegerField": (0, _INTEGER[1]),
    "BigIntegerField": _BIG,
    "PositiveBigIntegerField": (0, _BIG[1]),
    "AutoField": (1, _INTEGER[1]),
    "SmallAutoField": (1, _SMALL[1]),
    "BigAutoField": (1, _BIG[1]),
}


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why a text may not be stored (its first forbidden character, by code point), or None."""
    forbidden = FORBIDDEN_IN_TEXTS if multiline else FORBIDDEN_IN_NAMES
    for char in value:
        if char in forbidden:
            return str(
                _("The character U+%(code)04X (a control or direction-override character) is not allowed.")
                % {"code": ord(char)}
            )
    return None


def _checked(multiline: bool):
    def check(value: str) -> str:
        if (problem := text_problem(value, multiline=multiline)) is not None:
            raise ValueError(problem)
        return value

    return check


def _in_range(value: dt.date) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(str(date_message()))
    return value


def date_message() -> str:
    return str(
        _("Give a date between %(low)s and %(high)s.")
        % {"low": DATE_MIN.isoformat(), "high": DATE_MAX.isoformat()}
    )


def year_message() -> str:
    return str(_("Give a year between %(low)d and %(high)d.") % {"low": YEAR_MIN, "high": YEAR_MAX})


def as_id(value) -> int | None:
    """The id a value names if it is written as one: ASCII digits of a positive 64-bit integer ("²" is not)."""
    text = str(value).strip()
    if not (text.isascii() and text.isdecimal() and len(text) <= 19):
        return None
    number = int(text)
    return number if 0 < number <= INT64_MAX else None


# --- pydantic types (the API's schemas) ---------------------------------------------------------------------


def Text(max_length: int | None = None, *, multiline: bool = False, **field):  # noqa: N802 (a type)
    """A string of at most max_length characters with no forbidden character."""
    return Annotated[str, Field(max_length=max_length, **field), AfterValidator(_checked(multiline))]


Name = Text(200)
LongText = Text(20_000, multiline=True)
# A query parameter's free text (a search, a code): long enough for any name, short enough to refuse a flood.
QueryText = Text(200)
# A path segment naming a row (an id, a USCC, a code).
PathText = Text(100)
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
Date = Annotated[
    dt.date,
    AfterValidator(_in_range),
    # formatMinimum/formatMaximum: the JSON Schema vocabulary of bounds on a formatted string (minimum is a number's).
    Field(json_schema_extra={"formatMinimum": DATE_MIN.isoformat(), "formatMaximum": DATE_MAX.isoformat()}),
]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Id = Annotated[int, Field(ge=1, le=INT64_MAX)]
Count = Annotated[int, Field(ge=0, le=_INTEGER[1])]


def decimal_limit(max_digits: int, decimal_places: int) -> Decimal:
    """The largest value of a DecimalField(max_digits, decimal_places) that both databases keep exactly."""
    digits = min(max_digits, DECIMAL_DIGITS_MAX)
    return Decimal(10) ** (digits - decimal_places) - Decimal(10) ** -decimal_places


def Decimals(max_digits: int, decimal_places: int, *, ge=None, **field):  # noqa: N802 (a type)
    """An exact decimal that fits a DecimalField(max_digits, decimal_places) on both databases."""
    limit = decimal_limit(max_digits, decimal_places)
    extra = {"maximum": float(limit), "minimum": float(-limit if ge is None else ge)}
    return Annotated[
        Decimal,
        Field(
            max_digits=min(max_digits, DECIMAL_DIGITS_MAX),
            decimal_places=decimal_places,
            allow_inf_nan=False,
            ge=ge,
            json_schema_extra=extra,
            **field,
        ),
    ]


def for_field(model: type[models.Model], name: str, **field):
    """The pydantic type of a value for the model's column `name`: its length, digits or range.

    Extra keyword arguments go to pydantic's Field (description, ge …); a narrower `ge`/`le` than the
    column's is kept, a wider one is not possible.
    """
    column = model._meta.get_field(name)
    if isinstance(column, models.DecimalField):
        return Decimals(column.max_digits, column.decimal_places, **field)
    if isinstance(column, models.DateTimeField):
        return Annotated[dt.datetime, Field(**field)]
    if isinstance(column, models.DateField):
        return Annotated[Date, Field(**field)] if field else Date
    if isinstance(column, models.CharField | models.TextField):
        multiline = isinstance(column, models.TextField)
        # A wider max_length is for a value the service normalises before storing it (a pasted USCC).
        max_length = field.pop("max_length", column.max_length or 20_000)
        return Text(max_length, multiline=multiline, **field)
    kind = column.get_internal_type()
    if kind in INTEGER_RANGES:
        low, high = INTEGER_RANGES[kind]
        field["ge"] = max(low, field.get("ge", low))
        field["le"] = min(high, field.get("le", high))
        return Annotated[int, Field(**field)]
    raise TypeError(f"no bound for {model.__name__}.{name} ({kind})")


# --- Django validators (forms and model fields) -------------------------------------------------------------


def validate_name(value) -> None:
    """A form's or model's validator for a one-line text (a name, a code, a title)."""
    if isinstance(value, str) and (problem := text_problem(value)) is not None:
        raise ValidationError(problem, code="forbidden_character")


def validate_text(value) -> None:
    """A form's or model's validator for a multi-line text (tab and line breaks allowed)."""
    if isinstance(value, str) and (problem := text_problem(value, multiline=True)) is not None:
        raise ValidationError(problem, code="forbidden_character")


def validate_year(value) -> None:
    if value is not None and not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise ValidationError(year_message(), code="year_range")


def validate_date(value) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(date_message(), code="date_range")


def check_year(value: int) -> int:
    """A year taken from a page or a query: the same value, or ValueError naming the range."""
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise ValueError(year_message())
    return value


def check_date(value: dt.date) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(date_message())
    return value


def guard_form(form) -> None:
    """The same bounds on a Django form's fields (BootstrapFormMixin calls it for every form of the project).

    A character field gets the name check (the text check if it is a text area; a password is left alone),
    a date field the date range, a decimal field at most DECIMAL_DIGITS_MAX digits.
    """
    from django import forms
    from django.core.validators import DecimalValidator

    for field in form.fields.values():
        if isinstance(field, forms.CharField):
            if isinstance(field.widget, forms.PasswordInput):
                continue
            validator = validate_text if isinstance(field.widget, forms.Textarea) else validate_name
            if validator not in field.validators:
                field.validators.append(validator)
        elif isinstance(field, forms.DateField | forms.DateTimeField):
            if validate_date not in field.validators and not isinstance(field, forms.DateTimeField):
                field.validators.append(validate_date)
        elif isinstance(field, forms.DecimalField) and (field.max_digits or 99) > DECIMAL_DIGITS_MAX:
            field.max_digits = DECIMAL_DIGITS_MAX
            field.validators = [v for v in field.validators if not isinstance(v, DecimalValidator)]
            field.validators.append(DecimalValidator(DECIMAL_DIGITS_MAX, field.decimal_places))


def clean_for_field(model: type[models.Model], name: str, value):
    """`value` checked and parsed for the model's column `name`, or a ValidationError naming the field.

    For a value that reaches a service outside a schema (a free-form `values` object, an import cell).
    """
    from pydantic import TypeAdapter
    from pydantic import ValidationError as PydanticError

    try:
        return TypeAdapter(for_field(model, name)).validate_python(value)
    except PydanticError as exc:
        messages = [error["msg"].removeprefix("Value error, ") for error in exc.errors()]
        raise ValidationError({name: messages}) from None
