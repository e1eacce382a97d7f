"""Voucher codes (random, 16 digits, check digit) and phone numbers, as people type them."""

import pytest

from accounts.services import normalise_phone
from rewards.codes import luhn_digit, new_code, parse_code


def test_new_codes_are_16_random_digits_with_a_valid_check_digit():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 16 and code.isdigit()
        assert parse_code(code) == (code, None)


@pytest.mark.parametrize("typed", ["{g}", "{a} {b} {c} {d}", "{a}-{b}-{c}-{d}", "  {g}  ", "{fw}"])
def test_a_code_is_accepted_with_spaces_dashes_or_full_width_digits(typed):
    code = "123456789012345" + luhn_digit("123456789012345")
    fw = "".join(chr(ord("０") + int(ch)) for ch in code)
    parts = {"g": code, "a": code[:4], "b": code[4:8], "c": code[8:12], "d": code[12:], "fw": fw}
    assert parse_code(typed.format(**parts)) == (code, None)


@pytest.mark.parametrize(("typed", "problem"), [
    ("", "empty"), ("   ", "empty"), ("1234", "length"), ("12345678901234567", "length"),
    ("1234abcd90123456", "digits"), ("１２３４５６７８９０１２３４５６", "check"), ("١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦", "digits"),
])
def test_malformed_codes_say_what_is_wrong(typed, problem):
    assert parse_code(typed) == (None, problem)


def test_a_single_typo_is_caught_by_the_check_digit():
    code = new_code()
    wrong = code[:5] + str((int(code[5]) + 1) % 10) + code[6:]
    assert parse_code(wrong) == (None, "check")


@pytest.mark.parametrize("typed", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678",
                                   "0086 13812345678", "８６１３８１２３４５６７８", "１３８１２３４５６７８",
                                   "＋８６ １３８－１２３４－５６７８", "+86-138.1234.5678", "8613812345678"])
def test_phone_numbers_are_normalised(typed):
    assert normalise_phone(typed) == "13812345678"


@pytest.mark.parametrize("typed", ["", "1381234567", "23812345678", "12012345678", "138123456789", "abc",
                                   "+1 202 555 0123", "+44 7911 123456", "+852 9123 4567", "010 6552 9988",
                                   "+86 10 6552 9988", "0512-5888 8888", "+8613812345678" * 3, "1" * 10_000, None])
def test_other_phone_numbers_are_refused(typed):
    assert normalise_phone(typed) is None


def test_a_refused_number_says_what_is_expected(app):
    from flask_babel import force_locale

    from accounts.phones import EXPECTED

    with app.test_request_context(), force_locale("en"):
        assert str(EXPECTED) == "Enter an 11-digit mainland mobile number starting with 1."
