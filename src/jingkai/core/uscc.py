"""统一社会信用代码 (USCC) normaliser and validator, exactly per GB 32100-2015 (RULES.md §1).

Two check characters are verified: the organisation-code check (GB 11714) at position 17 and the
USCC check at position 18. Positions 1-8 are *not* required to be digits (python-stdnum's rule
would reject codes registered by authorities A, N and Y).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 symbols: no I, O, S, V, Z
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
AUTHORITIES = set("123456789ANY")


@dataclass(frozen=True)
class USCCResult:
    code: str  # normalised input
    valid: bool
    reason: str = ""  # shown to staff (translated)

    def __bool__(self) -> bool:
        return self.valid


def normalize(raw: str) -> str:
    """Strip white space and invisible format characters, fold full-width to half-width (NFKC), upper-case.

    NFKC runs again after the white space is gone: folding can turn a spacing mark into a space plus a
    combining mark (U+02D8 -> " \u0306"), and removing the space lets that mark compose with the
    letter before it. Repeating to the fixed point makes normalize() idempotent.
    """
    text = raw or ""
    for _attempt in range(4):  # upper() can also expose compositions; stop at the fixed point
        folded = unicodedata.normalize("NFKC", text)
        # Format characters (zero-width space, BOM, soft hyphen: category Cf) are invisible in a cell.
        result = "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch) != "Cf").upper()
        if result == text:
            break
        text = result
    return text


def uscc_check_char(first17: str) -> str:
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_value(ch: str) -> int:
    # GB 11714 values the body characters with the full alphabet: 0-9, A=10 ... Z=35.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def org_check_char(body8: str) -> str:
    total = sum(_org_value(ch) * w for ch, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate(raw: str) -> USCCResult:
    code = normalize(raw)
    if len(code) != 18:
        return USCCResult(
            code, False, _("must be 18 characters long, not %(length)d") % {"length": len(code)}
        )
    bad = sorted({ch for ch in code if ch not in VALUES})
    if bad:
        return USCCResult(
            code,
            False,
            _(
                "contains characters outside the code alphabet: %(chars)s (I, O, S, V, Z and symbols are not used)"
            )
            % {"chars": "".join(bad)},
        )
    if code[0] not in AUTHORITIES:
        return USCCResult(
            code, False, _("position 1 (registering authority) %(char)s is not valid") % {"char": code[0]}
        )
    if not code[2:8].isdigit():
        return USCCResult(code, False, _("positions 3-8 (region code) must be digits"))
    expected_org = org_check_char(code[8:16])
    if code[16] != expected_org:
        return USCCResult(
            code,
            False,
            _("position 17 (organisation code check) should be %(expected)s, not %(found)s")
            % {"expected": expected_org, "found": code[16]},
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return USCCResult(
            code,
            False,
            _("position 18 (check character) should be %(expected)s, not %(found)s")
            % {"expected": expected, "found": code[17]},
        )
    return USCCResult(code, True)


def is_valid(raw: str) -> bool:
    return validate(raw).valid


def make_code(prefix: str, region: str, org_body8: str) -> str:
    """Build a valid code from a 2-character prefix, a 6-digit region and an 8-character body.

    Used by the demo generator and by tests; the result always passes validate().
    """
    first16 = prefix + region + org_body8
    first17 = first16 + org_check_char(org_body8)
    if any(ch not in VALUES for ch in first17):
        raise ValueError(
            f"cannot build a USCC from {first17!r}: the organisation check is outside the alphabet"
        )
    return first17 + uscc_check_char(first17)


def problem(raw: str) -> str:
    """Why an import or a form refuses a code, worded as `jingkai uscc` words it; "" for a valid code."""
    result = validate(raw)
    if result.valid:
        return ""
    return _("“%(value)s” is not a valid unified social credit code: %(reason)s") % {
        "value": result.code or str(raw or "").strip(),
        "reason": result.reason,
    }
