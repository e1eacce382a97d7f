"""Refusing passwords that are easy to guess.

zxcvbn's list of the 30,000 most common passwords plus its guessability score (score 0 catches
repeats, sequences and dates such as ``88888888`` or ``19900101``), plus a few that Chinese users
pick often and the list misses.
"""

from functools import cache

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

COMMON_IN_CHINA = {"woaini1314", "woaini520", "woaini123", "aini1314", "5201314520", "1314520", "qwe123456",
                   "a123456789", "zhang123456", "wang123456", "li123456", "abc123456789", "password123"}


@cache
def _common() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | COMMON_IN_CHINA


def is_common_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> bool:
    """True when ``password`` is on a common-password list or trivially guessable (zxcvbn score 0)."""
    from zxcvbn import zxcvbn

    lowered = password.lower()
    if lowered in _common():
        return True
    return zxcvbn(password[:72], user_inputs=list(user_inputs))["score"] == 0  # it refuses longer input


def not_common_password(form, field) -> None:
    """A WTForms validator: refuses common or guessable passwords (and the account's own phone number)."""
    phone = getattr(getattr(form, "phone", None), "data", None) or ""
    if not field.data or len(field.data) > 128:  # the length check has its own message
        return
    if is_common_password(field.data, user_inputs=(phone,)) or (phone and phone in field.data):
        raise ValidationError(_l("This password is too common or too easy to guess. Add a word only you know."))
