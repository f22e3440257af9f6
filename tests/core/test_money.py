"""Money as zone reports write it (元/万元/亿元, 万美元/亿美元) and numbers as staff type them."""

from decimal import Decimal, InvalidOperation

import pytest

from jingkai.core.money import Money, format_money, from_wan, parse_decimal


@pytest.mark.parametrize(
    ("amount", "currency", "unit", "expected"),
    [
        (Decimal("113700000"), "USD", "万", "11370万美元"),  # 津上's registered capital after 11 increases
        (Decimal("308500000"), "USD", "万", "30850万美元"),
        (Decimal("115000000"), "USD", "auto", "1.15亿美元"),  # 嘉吉's registered capital
        (Decimal("64500000000"), "CNY", "auto", "645亿元"),  # the zone's 2022 output
        (Decimal("288000000"), "USD", "auto", "2.88亿美元"),  # 2022 contracted foreign capital
        (Decimal("210000000"), "USD", "auto", "2.1亿美元"),
        (Decimal("15970000000"), "CNY", "亿", "159.7亿元"),
        (Decimal("1700000"), "USD", "auto", "170万美元"),
        (Decimal("9999"), "CNY", "auto", "9999元"),  # below 1万: plain
        (Decimal("1234.5"), "CNY", "", "1234.5元"),
        (Decimal("120000000"), "CNY", "", "120000000元"),  # unit "" forces plain
        (Decimal("-250000000"), "CNY", "auto", "-2.5亿元"),
        (Decimal("12345"), "CNY", "万", "1.23万元"),  # two places, half up
        (Decimal("12355"), "CNY", "万", "1.24万元"),
        (3000000000, "JPY", "auto", "30亿日元"),
    ],
)
def test_format_money(amount, currency, unit, expected):
    assert format_money(amount, currency, unit=unit) == expected


def test_missing_amounts_show_a_dash():
    assert format_money(None) == "—"
    assert format_money("") == "—"


def test_money_adds_only_the_same_currency():
    total = Money(Decimal("100000000"), "USD") + Money(Decimal("15000000"), "USD")
    assert str(total) == "1.15亿美元"
    with pytest.raises(ValueError):
        Money(Decimal(1), "USD") + Money(Decimal(1), "CNY")
    with pytest.raises(ValueError):
        Money(Decimal(1), "XXX")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２３４５", Decimal("12345")),  # full-width digits
        ("１２，３４５．６７", Decimal("12345.67")),  # full-width separators
        ("1,234,567.89", Decimal("1234567.89")),
        (" 12 345 ", Decimal("12345")),
        ("-0.5", Decimal("-0.5")),
        (
            0.1,
            Decimal("0.1"),
        ),  # a float from a spreadsheet keeps its shortest repr, not 0.1000000000000000055…
        (42, Decimal(42)),
        (Decimal("3.14"), Decimal("3.14")),
    ],
)
def test_parse_decimal(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "abc", "NaN", "Infinity", "1.2.3"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(InvalidOperation):
        parse_decimal(text)


def test_from_wan():
    assert from_wan("11370") == Decimal("113700000")
    assert from_wan("１．５") == Decimal("15000")


def test_from_wan_and_to_wan_round_trip_what_forms_and_sheets_show():
    from jingkai.core.money import to_wan

    assert from_wan(None) is None and to_wan(None) is None
    assert from_wan(Decimal("0.000001")) == Decimal("0.01")  # 6 places of 万 are the cent
    assert to_wan(Decimal("113700000.00")) == Decimal("11370")
    assert str(to_wan(Decimal("113700000.00"))) == "11370"  # not 1.137E+4
    assert to_wan(from_wan("170.25")) == Decimal("170.25")
