"""The short form of a campaign: its definition and the answers to it, both validated here.

A form is a list of fields:
    {"key": "status", "label": "生产经营状态", "type": "choice", "required": true,
     "choices": ["正常生产", "部分复工", "停产"]}
type is one of text, number, percent (0–100), choice, boolean. The key is derived from the position
("f1", "f2" …) when not given. Errors are located: "form.2.choices" names the third field's choices,
an answer's error names its field's key.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from jingkai.core.money import parse_decimal

FIELD_TYPES = {
    "text": pgettext_lazy("form field type", "Text"),
    "number": pgettext_lazy("form field type", "Number"),
    "percent": pgettext_lazy("form field type", "Percentage"),
    "choice": pgettext_lazy("form field type", "Choice"),
    "boolean": pgettext_lazy("form field type", "Yes / no"),
}
NUMERIC_TYPES = ("number", "percent")
MAX_FIELDS = 30
MAX_LABEL = 100
MAX_TEXT = 2000
MAX_CHOICES = 30
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
TRUE_WORDS = {"true", "1", "yes", "是", "有"}
FALSE_WORDS = {"false", "0", "no", "否", "无"}


def validate_form(fields) -> list[dict]:
    """The cleaned definition, or ValidationError({"form.<i>.<attr>": [...]}) naming every problem."""
    errors: dict[str, list[str]] = {}
    if not isinstance(fields, list) or not fields:
        raise ValidationError({"form": [_("The form needs at least one field.")]})
    if len(fields) > MAX_FIELDS:
        raise ValidationError({"form": [_("A form has at most %(n)d fields.") % {"n": MAX_FIELDS}]})
    cleaned, keys = [], set()
    for index, field in enumerate(fields):
        where = f"form.{index}"
        if not isinstance(field, dict):
            errors[where] = [_("Each field must be an object with a label and a type.")]
            continue
        label = str(field.get("label") or "").strip()
        if not label:
            errors[f"{where}.label"] = [_("Give the field a label.")]
        elif len(label) > MAX_LABEL:
            errors[f"{where}.label"] = [_("A label has at most %(n)d characters.") % {"n": MAX_LABEL}]
        kind = field.get("type")
        if kind not in FIELD_TYPES:
            errors[f"{where}.type"] = [
                _("Unknown type “%(type)s”; use one of: %(types)s.")
                % {"type": kind, "types": ", ".join(FIELD_TYPES)}
            ]
        key = str(field.get("key") or f"f{index + 1}").strip()
        if not KEY_RE.match(key):
            errors[f"{where}.key"] = [_("A key is lower-case letters, digits and _, starting with a letter.")]
        elif key in keys:
            errors[f"{where}.key"] = [_("The key “%(key)s” is used twice.") % {"key": key}]
        keys.add(key)
        choices = field.get("choices") or []
        if kind == "choice":
            if not isinstance(choices, list):
                choices = []
            choices = [str(c).strip() for c in choices if str(c).strip()]
            if len(choices) < 2:
                errors[f"{where}.choices"] = [_("A choice field needs at least two choices.")]
            elif len(set(choices)) != len(choices):
                errors[f"{where}.choices"] = [_("A choice is listed twice.")]
            elif len(choices) > MAX_CHOICES:
                errors[f"{where}.choices"] = [_("At most %(n)d choices.") % {"n": MAX_CHOICES}]
        elif choices:
            errors[f"{where}.choices"] = [_("Only a choice field has choices.")]
        required = field.get("required", False)
        if not isinstance(required, bool):
            errors[f"{where}.required"] = [_("“required” is true or false.")]
        item = {"key": key, "label": label, "type": kind, "required": bool(required)}
        if kind == "choice":
            item["choices"] = choices
        cleaned.append(item)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _number(value):
    """A number as staff type it (core.money.parse_decimal: full-width digits, thousands separators), with an
    optional percent sign (85% or 85％)."""
    if isinstance(value, bool):
        raise ValueError
    try:
        number = parse_decimal(unicodedata.normalize("NFKC", str(value)).strip().rstrip("%"))
    except InvalidOperation:
        raise ValueError from None
    if abs(number) >= Decimal("1e15"):  # beyond what a form answer means, and what a float keeps exactly
        raise ValueError
    return number


def validate_answers(form: list[dict], answers) -> dict:
    """Cleaned answers keyed by field key, or ValidationError({key: [...]}) for every bad answer.

    Unknown keys are refused (never silently dropped); empty optional answers are left out.
    """
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Answers must be an object keyed by field.")]})
    errors: dict[str, list[str]] = {}
    known = {field["key"]: field for field in form}
    for key in answers:
        if key not in known:
            errors[str(key)] = [_("This form has no field “%(key)s”.") % {"key": key}]
    cleaned: dict = {}
    for key, field in known.items():
        value = answers.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field["required"]:
                errors[key] = [_("“%(label)s” is required.") % {"label": field["label"]}]
            continue
        kind = field["type"]
        try:
            if kind == "text":
                text = str(value).strip()
                if len(text) > MAX_TEXT:
                    raise ValidationError(_("At most %(n)d characters.") % {"n": MAX_TEXT})
                cleaned[key] = text
            elif kind in NUMERIC_TYPES:
                number = _number(value)
                if kind == "percent" and not (0 <= number <= 100):
                    raise ValidationError(_("A percentage is between 0 and 100."))
                cleaned[key] = float(number) if number != number.to_integral_value() else int(number)
            elif kind == "choice":
                if str(value).strip() not in field["choices"]:
                    raise ValidationError(
                        _("Choose one of: %(choices)s.") % {"choices": "、".join(field["choices"])}
                    )
                cleaned[key] = str(value).strip()
            elif kind == "boolean":
                if isinstance(value, bool):
                    cleaned[key] = value
                elif str(value).strip().lower() in TRUE_WORDS:
                    cleaned[key] = True
                elif str(value).strip().lower() in FALSE_WORDS:
                    cleaned[key] = False
                else:
                    raise ValidationError(_("Answer yes or no."))
        except ValueError:
            errors[key] = [_("Enter a number.")]
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned
