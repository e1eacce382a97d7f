"""Mainland China mobile numbers as people type them, parsed with Google's ``phonenumbers``.

Accepted: ``13812345678``, ``138 1234 5678``, ``138-1234-5678``, ``+86 138…``, ``0086 138…``, ``86138…`` and
full-width digits (a Chinese IME gives ``１３８…``). Everything else — landlines, foreign numbers, numbers
no mainland operator issues — is refused.
"""

import phonenumbers
from flask_babel import lazy_gettext as _l

from core.text import normalise_digits

EXPECTED = _l("Enter an 11-digit mainland mobile number starting with 1.")  # also says so for foreign numbers
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def normalise_phone(raw: str | None) -> str | None:
    """Return the 11-digit national form of a mainland mobile number typed in ``raw``, else ``None``.

    Full-width digits are folded and spaces, dashes and dots dropped before parsing; a number of another
    country (``+1 202 555 0123``) or a mainland landline gives ``None``.
    """
    digits = normalise_digits(raw)
    if not digits or len(digits) > 20:
        return None
    if digits.startswith("86") and len(digits) == 13:  # "86138…" without the plus
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    national = str(number.national_number)
    return national if len(national) == 11 and national.startswith("1") else None
