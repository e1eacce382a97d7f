"""Use cases that a one-time SMS code unlocks: registering with a proven phone, resetting a forgotten
password, changing one's phone number. Each uses the code first, so a refused code
(:class:`accounts.codes.CodeRefused`) is raised before any other change; they flush and never commit."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import codes, journal
from accounts.errors import PhoneTaken
from accounts.models import User
from accounts.services import phone_taken, register_rider
from core import events
from core.errors import DomainError
from core.text import mask_phone
from core.timeutil import utcnow
from extensions import db

journal.describe({"account.password_reset": _l("Password reset with an SMS code"),
                  "account.phone_confirm": _l("Imported rider confirmed the mobile number and chose a password"),
                  "account.phone_change": _l("Mobile number changed")},
                 old_phone=_l("Previous number"), new_phone=_l("New number"))


class WrongPassword(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("That is not your current password."))


class SamePhone(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("This is already your number."))


def register_verified_rider(*, phone: str, code: str, name: str, password: str, trade: str, platform: str,
                            privacy_version: int | None = None) -> User:
    """Register a rider whose ``phone`` (11 digits) is proven by ``code`` (6 digits, purpose ``register``),
    who accepted version ``privacy_version`` of the privacy notice.

    Raises :class:`accounts.codes.CodeRefused` or :class:`accounts.errors.PhoneTaken`.
    """
    codes.use_code(phone=phone, purpose="register", code=code)
    return register_rider(phone=phone, name=name, password=password, trade=trade, platform=platform,
                          privacy_version=privacy_version)


def reset_password(*, phone: str, code: str, password: str, now: datetime | None = None) -> User:
    """Set a new ``password`` (already checked against the password rules) for the account of ``phone``,
    proven by ``code`` (purpose ``reset_password``); every session of the account ends.

    The code proves the phone: an imported account's first log-in ends here, ``phone_confirmed_at`` set to
    ``now`` (aware UTC) and journalled (``account.phone_confirm``); the caller may tell it by comparing.
    A number without an account has a code that was never sent, so it is refused like a wrong code.
    Raises :class:`accounts.codes.CodeRefused`.
    """
    now = now or utcnow()
    codes.use_code(phone=phone, purpose="reset_password", code=code)
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    if user is None:
        raise codes.NoCode()
    user.set_password(password)
    user.session_version += 1
    first_log_in = user.phone_confirmed_at is None
    if first_log_in:
        user.phone_confirmed_at = now
    journal.record("account.phone_confirm" if first_log_in and user.imported_at else "account.password_reset",
                   actor=user, subject=f"user:{user.id}", rider_id=user.id if user.is_rider else None,
                   name=user.name, now=now)
    db.session.flush()
    events.account_changed.send(user_id=user.id, change="password")
    return user


def change_phone(*, user: User, phone: str, code: str, password: str) -> User:
    """Change ``user``'s phone (their log-in name) to ``phone``, proven by ``code`` (purpose
    ``change_phone``); ``password`` is their current one. Their sessions stay.

    Raises :class:`WrongPassword`, :class:`SamePhone`, :class:`accounts.codes.CodeRefused` or
    :class:`accounts.errors.PhoneTaken`.
    """
    if not user.check_password(password):
        raise WrongPassword()
    if phone == user.phone:
        raise SamePhone()
    codes.use_code(phone=phone, purpose="change_phone", code=code)
    if phone_taken(phone):
        raise PhoneTaken()
    old = user.phone
    user.phone = phone
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise PhoneTaken() from None
    journal.record("account.phone_change", actor=user, subject=f"user:{user.id}",
                   rider_id=user.id if user.is_rider else None, old_phone=mask_phone(old), new_phone=mask_phone(phone))
    events.account_changed.send(user_id=user.id, change="phone")
    return user
