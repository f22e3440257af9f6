"""GB/T 4754-2017 sections and divisions (RULES.md §8): the counts and boundaries of the official list."""

from collections import Counter

import pytest

from jingkai.enterprises import industry

# Divisions per section in GB/T 4754-2017: 01-05 A, 06-12 B, 13-43 C, 44-46 D … 97 T.
EXPECTED_DIVISIONS = {
    "A": 5, "B": 7, "C": 31, "D": 3, "E": 4, "F": 2, "G": 8, "H": 2, "I": 3, "J": 4,
    "K": 1, "L": 2, "M": 3, "N": 4, "O": 3, "P": 1, "Q": 2, "R": 5, "S": 6, "T": 1,
}  # fmt: skip


def test_twenty_sections_and_ninety_seven_divisions():
    assert sorted(industry.SECTIONS) == list("ABCDEFGHIJKLMNOPQRST")
    assert len(industry.DIVISIONS) == 97
    assert sorted(industry.DIVISIONS) == [f"{n:02d}" for n in range(1, 98)]
    assert Counter(section for section, _ in industry.DIVISIONS.values()) == EXPECTED_DIVISIONS


@pytest.mark.parametrize(
    ("division", "section", "name"),
    [
        ("13", "C", "农副食品加工业"),
        ("34", "C", "通用设备制造业"),  # machine tools (津上)
        ("36", "C", "汽车制造业"),
        ("39", "C", "计算机、通信和其他电子设备制造业"),
        ("43", "C", "金属制品、机械和设备修理业"),
        ("44", "D", "电力、热力生产和供应业"),
        ("97", "T", "国际组织"),
    ],
)
def test_division_boundaries(division, section, name):
    assert industry.DIVISIONS[division] == (section, name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C3961", "C3961"),
        ("3961", "C3961"),
        ("c 3961", "C3961"),
        ("ｃ３９６１", "C3961"),
        ("39", "C39"),
        ("D441", "D441"),
    ],
)
def test_codes_are_normalised_with_their_section(raw, expected):
    assert industry.normalize_industry_code(raw) == expected


@pytest.mark.parametrize("raw", ["A3961", "C99", "C1", "", "C39611", "X3961"])
def test_malformed_or_mismatched_codes_are_refused(raw):
    with pytest.raises(industry.IndustryCodeError):
        industry.normalize_industry_code(raw)


def test_industrial_sections_are_mining_manufacturing_and_utilities():
    assert (
        industry.is_industrial("C3421")
        and industry.is_industrial("B0610")
        and industry.is_industrial("D4411")
    )
    assert not industry.is_industrial("M7320") and not industry.is_industrial("")
