"""Personal data (PIPL, GB/T 35273; docs/security.md §4): masked, encrypted, searchable by a blind index.

Phones, mobile numbers and ID numbers are personal data. Each such model field is an `EncryptedCharField`:

- in the database it holds `sm4$<key id>$<base64(iv | ciphertext | tag)>`: SM4-GCM (RFC 8998) with a random
  96-bit IV per value and the key id as associated data, so a value names the key that sealed it and keys can
  rotate (`jingkai pii rotate`). simple-history copies the field class into the historical model, so the
  history tables hold ciphertext too. In Python the value is the plaintext.
- a sibling `BlindIndexField(source=…)` holds HMAC-SM3 over the normalised value under a separate key, kept in
  step on every save (also by bulk_create), so an exact search still works: `matching(queryset, "phone", v)`.
  Any other lookup on an encrypted field (contains, startswith, ordering by it …) is refused with a FieldError
  rather than silently matching nothing; `phone=""` still works (an empty value is stored empty).
- pages, API answers, exports and admin lists show `mask(value)`; the full value only through a reveal
  (`core:reveal`, `POST /api/personal/reveal`): a permission-gated request with a reason, audited.

Every model field whose name suggests personal data is classified (`PERSONAL_FIELDS` / `NOT_PERSONAL`):
encrypted fields classify themselves; the others are declared next to their model with `classify(...)`.
tests/security/test_personal_classification.py fails on an unclassified one.
"""

from __future__ import annotations

import base64
import logging
import math
import os
import re
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django import forms
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact, IsNull
from django.utils.translation import gettext

PREFIX = "sm4"
SEP = "$"
IV_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 16  # SM4 keys are 128 bits
INDEX_KEY_MIN_BYTES = 32
MAX_KEY_ID = 16
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

# Kinds of personal data (how a value is normalised and masked).
PHONE = "phone"  # mobiles and landlines
ID_NUMBER = "id_number"  # 居民身份证号码
NAME = "name"  # a person's name: shown to those who work with the record, anonymised on departure
EMAIL = "email"


class PersonalDataError(ImproperlyConfigured):
    """A stored value that cannot be read: not ciphertext, an unknown key, or a value that fails its tag."""


# --------------------------------------------------------------------------------------------- keys


def parse_keys(raw: str, *, name: str = "JINGKAI_PII_KEYS") -> tuple[tuple[str, bytes], ...]:
    """'k2:<base64>,k1:<base64>' → ((kid, key), …), the first being current. Refuses anything else."""
    keys = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        kid, sep, b64 = part.partition(":")
        if not sep or not KEY_ID.match(kid):
            raise ImproperlyConfigured(
                f"{name}: {kid!r} is not '<key id>:<base64 key>' (id: 1-16 of A-Z a-z 0-9 _ -)"
            )
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: key {kid} is not base64") from None
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(f"{name}: key {kid} is {len(key)} bytes; SM4 needs {KEY_BYTES}")
        if kid in dict(keys):
            raise ImproperlyConfigured(f"{name}: key id {kid} is given twice")
        keys.append((kid, key))
    if not keys:
        raise ImproperlyConfigured(f"{name} holds no key")
    return tuple(keys)


def parse_index_key(raw: str, *, name: str = "JINGKAI_PII_INDEX_KEY") -> bytes:
    try:
        key = base64.b64decode(raw or "", validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not base64") from None
    if len(key) < INDEX_KEY_MIN_BYTES:
        raise ImproperlyConfigured(f"{name} is {len(key)} bytes; at least {INDEX_KEY_MIN_BYTES} are needed")
    return key


def new_key() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def new_index_key() -> str:
    return base64.b64encode(os.urandom(INDEX_KEY_MIN_BYTES)).decode()


def _keys() -> tuple[tuple[str, bytes], ...]:
    return parse_keys(settings.JINGKAI_PII_KEYS)


def _index_key() -> bytes:
    return parse_index_key(settings.JINGKAI_PII_INDEX_KEY)


def current_key_id() -> str:
    return _keys()[0][0]


# ------------------------------------------------------------------------------------------ sealing


def _cipher(key: bytes, iv: bytes, tag: bytes | None = None) -> Cipher:
    return Cipher(algorithms.SM4(key), modes.GCM(iv, tag))


def encrypt(plain: str) -> str:
    kid, key = _keys()[0]
    iv = os.urandom(IV_BYTES)
    enc = _cipher(key, iv).encryptor()
    enc.authenticate_additional_data(kid.encode())
    body = enc.update(plain.encode()) + enc.finalize()
    return SEP.join((PREFIX, kid, base64.b64encode(iv + body + enc.tag).decode()))


def is_ciphertext(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + SEP) and value.count(SEP) == 2


def key_id_of(token: str) -> str:
    return token.split(SEP)[1]


def decrypt(token: str) -> str:
    if not is_ciphertext(token):
        raise PersonalDataError(
            "A personal-data column holds a value that is not ciphertext (run `jingkai migrate`)"
        )
    _, kid, b64 = token.split(SEP)
    key = dict(_keys()).get(kid)
    if key is None:
        raise PersonalDataError(
            f"Personal data sealed with key {kid!r}, which JINGKAI_PII_KEYS no longer holds"
        )
    raw = base64.b64decode(b64)
    iv, body, tag = raw[:IV_BYTES], raw[IV_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = _cipher(key, iv, tag).decryptor()
    dec.authenticate_additional_data(kid.encode())
    try:
        return (dec.update(body) + dec.finalize()).decode()
    except InvalidTag:
        raise PersonalDataError(
            f"A personal-data value sealed with key {kid!r} fails its authentication tag"
        ) from None


def cipher_length(max_chars: int) -> int:
    """The column width that holds the ciphertext of `max_chars` characters (4 bytes each at worst)."""
    raw = IV_BYTES + 4 * max_chars + TAG_BYTES
    return len(PREFIX) + 2 * len(SEP) + MAX_KEY_ID + 4 * math.ceil(raw / 3)


# ------------------------------------------------------------------------------ normalise, index, mask


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def normalise(value: str, kind: str = PHONE) -> str:
    """What the blind index covers: NFKC, then for a phone its digits without +86/0086 before a mobile, for an
    ID number its characters upper-cased without spaces (so 138 1234 5678, +86-138-1234-5678 are one number)."""
    value = unicodedata.normalize("NFKC", value or "").strip()
    if kind == PHONE:
        digits = _digits(value)
        for cc in ("0086", "86"):
            if digits.startswith(cc) and len(digits) == len(cc) + 11 and digits[len(cc)] == "1":
                digits = digits[len(cc) :]
        return digits
    if kind == ID_NUMBER:
        return re.sub(r"\s+", "", value).upper()
    return re.sub(r"\s+", " ", value).casefold()


def blind_index(value: str, kind: str = PHONE) -> str:
    """HMAC-SM3 of the normalised value under JINGKAI_PII_INDEX_KEY (hex); "" for an empty value."""
    norm = normalise(value, kind)
    if not norm:
        return ""
    mac = crypto_hmac.HMAC(_index_key(), hashes.SM3())
    mac.update(f"{kind}:{norm}".encode())
    return mac.finalize().hex()


_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^(0\d{2,3})([-\s—－]?)(\d{7,8})(?:([-#转]|ext)(\d{1,6}))?$")
_ID = re.compile(r"^(\d{17}[\dX]|\d{15})$")


def _mask_digits(value: str, keep_head: int, keep_tail: int) -> str:
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    hidden = set(positions[keep_head : len(positions) - keep_tail] if keep_tail else positions[keep_head:])
    return "".join("*" if i in hidden else ch for i, ch in enumerate(value))


def mask(value, kind: str = PHONE) -> str:
    """How personal data shows by default:

    - a mobile: first 3 and last 4 digits (138****5678), whatever the spaces or +86 it was typed with;
    - a landline: the area code and the last 4 digits of the number (3 of a 7-digit one), an extension hidden;
    - an ID number: first 3 and last 4 characters (330***********123X): the birth date is always hidden;
    - anything else: the digits hidden but the last 4 (the first 3 as well from 11 digits up), and at least 4
      hidden; a value of 5 digits or fewer shows none.
    """
    if value is None:
        return ""
    value = unicodedata.normalize("NFKC", str(value)).strip()
    if not value:
        return ""
    if kind == NAME:
        return value[:1] + "*" * max(len(value) - 1, 1)
    if kind == EMAIL:
        local, at, domain = value.partition("@")
        return (local[:1] + "***" + at + domain) if at else "***"
    compact = re.sub(r"\s+", "", value).upper()
    if kind == ID_NUMBER or _ID.match(compact):
        if len(compact) >= 15:
            return compact[:3] + "*" * (len(compact) - 7) + compact[-4:]
        return "*" * len(compact)
    norm = normalise(value, PHONE)
    if _MOBILE.match(norm):
        return norm[:3] + "****" + norm[-4:]
    landline = _LANDLINE.match(compact)
    if landline:
        area, sep, number, ext_sep, ext = landline.groups()
        keep = min(4, len(number) - 4)  # at least 4 digits hidden
        masked = area + (sep or "-") + "*" * (len(number) - keep) + number[-keep:]
        return masked + ((ext_sep or "") + "*" * len(ext) if ext else "")
    count = len(_digits(value))
    if count <= 5:
        return re.sub(r"\d", "*", value)
    tail = 4 if count >= 8 else 2
    head = 3 if count >= 11 else 0
    return _mask_digits(value, head, tail)


_LOG_PATTERN = re.compile(r"(?<!\d)(?:1\d{10}|\d{17}[\dXx]|0\d{2,3}-\d{7,8})(?!\d)")


def mask_text(text: str) -> str:
    """Free text with the mobiles, landlines and ID numbers in it masked (for log lines)."""
    return _LOG_PATTERN.sub(lambda m: mask(m.group(0)), text)


class MaskingLogFilter(logging.Filter):
    """settings.LOGGING: no log line carries a full phone or ID number."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is left to the handler to report
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


# ----------------------------------------------------------------------------------------- fields


class MaskedInput(forms.TextInput):
    """A form box for stored personal data: shows the masked value as a placeholder, never the value; an empty
    box keeps what is stored (the model field has default "", so the model form leaves it alone)."""

    def __init__(self, kind: str = PHONE, attrs=None):
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name, value, attrs):
        attrs = dict(attrs or {})
        if value:
            attrs["placeholder"] = mask(value, self.kind)
            attrs["title"] = gettext("Leave empty to keep the stored value")
        context = super().get_context(name, None, attrs)
        return context

    def format_value(self, value):
        return None

    def value_omitted_from_data(self, data, files, name):
        return not data.get(name)


class _EmptyOnlyExact(Exact):
    def __init__(self, lhs, rhs):
        if rhs not in ("", None):
            raise FieldError(
                f"{lhs.target.model._meta.label}.{lhs.target.name} is encrypted: search it by its blind index "
                "(jingkai.core.personal.matching)"
            )
        super().__init__(lhs, rhs)


class EncryptedCharField(models.CharField):
    """Personal data sealed with SM4-GCM in the database, plaintext in Python. `max_length` is the plaintext's;
    the column is as wide as its ciphertext (`cipher_length`)."""

    description = "Personal data, stored encrypted (SM4)"

    def __init__(self, *args, kind: str = PHONE, **kwargs):
        self.kind = kind
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            _register(
                cls, name, Classification(PERSONAL, self.kind, "encrypted (SM4), masked, revealed on request")
            )

    def db_type_parameters(self, connection):
        params = super().db_type_parameters(connection)
        params["max_length"] = cipher_length(self.max_length)
        return params

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_db_prep_save(self, value, connection):
        value = self.get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EmptyOnlyExact
        label = f"{self.model._meta.label}.{self.name}" if hasattr(self, "model") else self.name

        class Refused(Exact):
            def __init__(self, lhs, rhs):
                raise FieldError(f"{label} is encrypted: only an exact search through its blind index works")

        return Refused

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        # Always the masked box, also where the admin site would put its own text input.
        widget = kwargs.get("widget")
        if not isinstance(widget, MaskedInput):
            kwargs["widget"] = MaskedInput(self.kind, attrs={"class": "vTextField"})
        return super().formfield(**kwargs)


class BlindIndexField(models.CharField):
    """HMAC-SM3 of a sibling `EncryptedCharField` (`source`), recomputed on every save."""

    description = "Blind index of personal data (HMAC-SM3)"

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.update(max_length=64, blank=True, editable=False, db_index=True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "blank", "editable", "db_index", "default"):
            kwargs.pop(key, None)
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            _register(
                cls,
                name,
                Classification(NOT_PERSONAL_KIND, "", "a keyed HMAC: reveals nothing without its key"),
            )

    def compute(self, instance) -> str:
        source = instance._meta.get_field(self.source)
        return blind_index(getattr(instance, source.attname) or "", getattr(source, "kind", PHONE))

    def pre_save(self, instance, add):
        value = self.compute(instance)
        setattr(instance, self.attname, value)
        return value


def matching(queryset, field: str, value: str):
    """The rows whose encrypted `field` equals `value` (after normalisation), through its blind index."""
    model = queryset.model
    source = model._meta.get_field(field)
    index = index_field_of(model, field)
    if index is None:
        raise FieldError(f"{model._meta.label}.{field} has no blind index")
    digest = blind_index(value, source.kind)
    return queryset.filter(**{index.name: digest}) if digest else queryset.none()


def index_field_of(model, field: str):
    for f in model._meta.concrete_fields:
        if isinstance(f, BlindIndexField) and f.source == field:
            return f
    return None


def encrypted_fields(model) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


# ------------------------------------------------------------------------------------- classification

PERSONAL = "personal"
NOT_PERSONAL_KIND = "not_personal"


@dataclass(frozen=True)
class Classification:
    status: str  # PERSONAL or NOT_PERSONAL_KIND
    kind: str  # PHONE, ID_NUMBER, NAME, EMAIL, or "" for not personal
    reason: str


# "app_label.Model.field" → its classification. Filled as models load: encrypted fields and blind indexes by
# themselves, every other field whose name suggests personal data by `classify(...)` below its model.
PERSONAL_FIELDS: dict[str, Classification] = {}
NOT_PERSONAL: dict[str, Classification] = {}


def _register(model, field: str, classification: Classification) -> None:
    key = f"{model._meta.label}.{field}"
    target = PERSONAL_FIELDS if classification.status == PERSONAL else NOT_PERSONAL
    target[key] = classification


def classify(model, field: str, *, personal: bool, kind: str = "", reason: str) -> None:
    """Declare what a field whose name suggests personal data holds (and why it is not encrypted)."""
    if not reason:
        raise ImproperlyConfigured(f"classify({model._meta.label}.{field}): give the reason")
    model._meta.get_field(field)  # a typo fails at start-up
    _register(model, field, Classification(PERSONAL if personal else NOT_PERSONAL_KIND, kind, reason))


def classification_of(model, field: str) -> Classification | None:
    key = f"{model._meta.label}.{field}"
    found = PERSONAL_FIELDS.get(key) or NOT_PERSONAL.get(key)
    if found is None and getattr(model, "instance_type", None) is not None:  # a simple-history model
        return classification_of(model.instance_type, field)
    return found


# ------------------------------------------------------------------------------------------- reveal


@dataclass(frozen=True)
class RevealRule:
    """Who may see one model's personal data in full: `may` a registered predicate (user, obj) -> bool; `visible`
    (user) -> queryset of the rows the user sees at all (the others are a 404); `own` (user, obj) -> bool: the
    user sees the values unmasked without asking (their own record)."""

    may: str
    visible: object = None
    own: object = None


REVEAL_RULES: dict[str, RevealRule] = {}


def revealable(model, *, may: str, visible=None, own=None) -> None:
    REVEAL_RULES[model._meta.label_lower] = RevealRule(may=may, visible=visible, own=own)


def rule_of(model) -> RevealRule | None:
    return REVEAL_RULES.get(model._meta.label_lower)


# ------------------------------------------------------------------------------------------ migrations


def seal_columns(columns):
    """A data migration's forward step: `columns` are (table, pk column, value column, index column, kind); every
    plaintext value becomes ciphertext and gets its index (values already sealed are left alone)."""

    def forward(apps, schema_editor):
        _convert(schema_editor.connection, columns, seal=True)

    def backward(apps, schema_editor):
        _convert(schema_editor.connection, columns, seal=False)

    return forward, backward


def _convert(connection, columns, *, seal: bool) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk, column, index_column, kind in columns:
            cursor.execute(f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {qn(column)} <> ''")
            rows = cursor.fetchall()
            for key, value in rows:
                if seal == is_ciphertext(value):
                    continue
                new = encrypt(value) if seal else decrypt(value)
                index = blind_index(new if not seal else value, kind) if seal else ""
                cursor.execute(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s, {qn(index_column)} = %s WHERE {qn(pk)} = %s",
                    [new, index, key],
                )


class PersonalSearchAdminMixin:
    """A ModelAdmin whose search box also finds an encrypted field's exact value (through its blind index);
    list `personal_search` instead of putting the field in `search_fields` (a substring of ciphertext finds
    nothing)."""

    personal_search: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            for field in self.personal_search:
                found = found | matching(queryset, field, search_term)
        return found, duplicates


def masked_column(field: str, label):
    """An admin list column showing `field` masked."""

    def column(*args):  # (obj), or (model admin, obj) as a ModelAdmin attribute
        obj = args[-1]
        return mask(getattr(obj, field), obj._meta.get_field(field).kind)

    column.short_description = label
    return column
