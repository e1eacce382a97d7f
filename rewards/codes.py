"""Voucher codes: 15 random digits from :mod:`secrets` (49.8 bits) plus a Luhn check digit.

The check digit lets the merchant screen tell a typo ("check the digits") from an unknown code
without a database look-up.
"""

import secrets

from core.text import normalise_digits

CODE_LENGTH = 16


def luhn_digit(digits: str) -> str:
    """Return the Luhn check digit for a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def new_code() -> str:
    """Return a fresh random 16-digit voucher code (the caller retries on the rare collision)."""
    body = f"{secrets.randbelow(10 ** (CODE_LENGTH - 1)):0{CODE_LENGTH - 1}d}"
    return body + luhn_digit(body)


def parse_code(raw: str | None) -> tuple[str | None, str | None]:
    """Normalise what staff typed; return ``(code, None)`` or ``(None, problem)``.

    Spaces, dashes and full-width digits are accepted. ``problem`` is ``"empty"``, ``"length"``,
    ``"digits"`` or ``"check"`` (a typo: the check digit does not match).
    """
    code = normalise_digits(raw)
    if not code:
        return None, "empty"
    if not code.isascii() or not code.isdigit():
        return None, "digits"
    if len(code) != CODE_LENGTH:
        return None, "length"
    if luhn_digit(code[:-1]) != code[-1]:
        return None, "check"
    return code, None
