"""统一社会信用代码 (GB 32100-2015, RULES.md §1): the standard's example, each check, normalisation, properties."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from jingkai.core import uscc

EXAMPLE = "91350100M000100Y43"  # the standard's worked example


@pytest.fixture(autouse=True)
def english():
    # Reasons are translated; assert on the English msgids so the tests do not depend on the catalogue.
    with translation.override("en"):
        yield


def test_the_standards_example_is_valid():
    result = uscc.validate(EXAMPLE)
    assert result.valid and bool(result)
    assert result.code == EXAMPLE
    assert result.reason == ""


def test_the_standards_counter_example_is_invalid():
    result = uscc.validate("91350100M000100Y4Z")
    assert not result.valid
    assert "Z" in result.reason


def test_the_example_checks_are_the_ones_the_standard_computes():
    assert uscc.org_check_char(EXAMPLE[8:16]) == "4"
    assert uscc.uscc_check_char(EXAMPLE[:17]) == "3"
    assert uscc.WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


@pytest.mark.parametrize("wrong", [c for c in "0123456789X" if c != "4"])
def test_a_wrong_organisation_check_character_is_named(wrong):
    result = uscc.validate(EXAMPLE[:16] + wrong + EXAMPLE[17])
    assert not result.valid
    assert "position 17" in result.reason


@pytest.mark.parametrize("wrong", [c for c in uscc.ALPHABET if c != "3"])
def test_a_wrong_final_check_character_is_named(wrong):
    result = uscc.validate(EXAMPLE[:17] + wrong)
    assert not result.valid
    assert "position 18" in result.reason


@pytest.mark.parametrize("prefix", ["A1", "N2", "Y1", "11", "51", "92", "93"])
def test_every_registering_authority_is_accepted(prefix):
    # python-stdnum requires positions 1-8 to be digits and so rejects A, N and Y codes (RULES.md §1).
    code = uscc.make_code(prefix, "330482", "MA2B3C4D")
    assert uscc.validate(code).valid, code


def test_an_unknown_registering_authority_is_rejected():
    code = uscc.make_code("B1", "330482", "MA2B3C4D")  # check characters right, authority wrong
    result = uscc.validate(code)
    assert not result.valid
    assert "position 1" in result.reason


def test_a_region_code_with_letters_is_rejected():
    code = uscc.make_code("91", "33048A", "MA2B3C4D")
    assert "3-8" in uscc.validate(code).reason


@pytest.mark.parametrize(
    "raw",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width, as typed with a Chinese input method
        "91350100m000100y43",
        " 9135 0100 M000 100Y 43 ",
        "\u30009135\t0100M000100Y43\n",  # ideographic space, tab, newline
    ],
)
def test_input_is_normalised_before_checking(raw):
    result = uscc.validate(raw)
    assert result.code == EXAMPLE
    assert result.valid


@pytest.mark.parametrize(("raw", "expected"), [("", "18"), ("9135010", "18"), (EXAMPLE + "1", "18")])
def test_a_wrong_length_says_so(raw, expected):
    result = uscc.validate(raw)
    assert not result.valid
    assert expected in result.reason


@pytest.mark.parametrize("letter", "IOSVZ")
def test_letters_outside_the_alphabet_are_rejected(letter):
    result = uscc.validate(EXAMPLE[:9] + letter + EXAMPLE[10:])
    assert not result.valid
    assert letter in result.reason


def test_make_code_refuses_a_body_outside_the_alphabet():
    with pytest.raises(ValueError):
        uscc.make_code("91", "330482", "MA2B3CO1")  # the letter O is not in the alphabet


# --- properties -----------------------------------------------------------------------------------

alphabet_char = st.sampled_from(uscc.ALPHABET)
prefixes = st.tuples(st.sampled_from(sorted(uscc.AUTHORITIES)), alphabet_char).map("".join)
regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
bodies = st.text(alphabet=uscc.ALPHABET, min_size=8, max_size=8)
codes = st.builds(uscc.make_code, prefixes, regions, bodies)


@given(codes)
def test_every_made_code_validates(code):
    assert len(code) == 18
    assert uscc.validate(code).valid


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(uscc.ALPHABET + "IOSVZ-*"))
def test_any_single_substitution_is_detected(code, position, replacement):
    if code[position] == replacement:
        replacement = uscc.ALPHABET[(uscc.VALUES[replacement] + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    assert not uscc.validate(changed).valid, (code, changed)


# What staff actually type or paste: ASCII, full-width forms, CJK and assorted white space.
typed_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
        st.sampled_from(" \t\n\r\u3000\u00a0\u2002"),
    )
)


@given(typed_text)
def test_normalize_is_idempotent(raw):
    once = uscc.normalize(raw)
    assert uscc.normalize(once) == once
    assert not any(ch.isspace() for ch in once)


@given(codes)
def test_normalize_undoes_full_width_and_case(code):
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code.lower())
    assert uscc.normalize(full_width) == code


def test_normalize_is_idempotent_for_spacing_diacritics():
    # Found by the property below: NFKC turns the spacing breve into a space and a combining breve, and
    # removing the space lets the breve compose with the E on a second pass.
    once = uscc.normalize("E\u02d8")
    assert uscc.normalize(once) == once


@given(st.text())
def test_normalize_is_idempotent_for_any_text(raw):
    once = uscc.normalize(raw)
    assert uscc.normalize(once) == once
