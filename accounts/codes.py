"""One-time SMS codes that prove a phone: registration, "forgot password", changing one's number.

A code is 6 digits from :mod:`secrets`, stored only as an HMAC-SHA256 (keyed with ``SECRET_KEY``, bound
to the phone and the purpose), valid :data:`LIFETIME`, good for at most :data:`MAX_TRIES` tries and used
once. There is one row per phone and purpose (a unique key), so there is one live code at a time: a new
code overwrites the old one by a conditional ``UPDATE … WHERE sent_at <= now - 60 s``, which also
enforces the wait before a resend; using a code is a conditional ``UPDATE`` whose row count is checked.
Both hold with several processes. Services flush and never commit.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from core.errors import DomainError
from core.timeutil import UTCDateTime, localtime, utcnow
from extensions import db

PURPOSES = ("register", "reset_password", "change_phone")
LIFETIME = timedelta(minutes=5)
RESEND_AFTER = timedelta(seconds=60)
MAX_TRIES = 5
CODE_PATTERN = re.compile(r"\d{6}")


class PhoneCode(db.Model):
    """The current code of one phone for one purpose (the row is reused by every new code)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(sa.String(11))
    purpose: Mapped[str] = mapped_column(sa.String(20))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("phone", "purpose"),
        sa.CheckConstraint(sa.column("purpose").in_(PURPOSES), name="purpose"),
        sa.CheckConstraint(f"tries >= 0 AND tries <= {MAX_TRIES}", name="tries"),
    )


class CodeRefused(DomainError):
    """A typed code was not accepted. Raised before any other change of the use case, after the try was
    counted and flushed: the caller commits (so the try counts) instead of rolling back."""

    status = 422


class WrongCode(CodeRefused):
    def __init__(self, tries_left: int):
        if tries_left:
            message = _l("Wrong code. Tries left: %(left)d.", left=tries_left)
        else:
            message = _l("Wrong code, and that was the last try. Ask for a new code.")
        super().__init__(message, tries_left=tries_left)


class CodeExpired(CodeRefused):
    def __init__(self):
        super().__init__(_l("This code has expired (codes last 5 minutes). Ask for a new code."))


class CodeUsedUp(CodeRefused):
    def __init__(self):
        super().__init__(_l("This code was typed wrong too often. Ask for a new code."))


class NoCode(CodeRefused):
    def __init__(self):
        super().__init__(_l("No code is waiting for this number (or it was used already). Ask for a code first."))


class ResendTooSoon(DomainError):
    """A new code was asked for within :data:`RESEND_AFTER` of the last one; ``resend_at`` says when."""

    status = 429

    def __init__(self, resend_at: datetime):
        self.resend_at = resend_at
        super().__init__(_l("A code was sent a moment ago. You can ask for a new one at %(time)s.",
                            time=localtime(resend_at, "HH:mm:ss")))


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: ``code`` (plain, only for the sender) and when it expires and may be resent."""

    phone: str
    purpose: str
    code: str
    sent_at: datetime
    expires_at: datetime

    @property
    def resend_at(self) -> datetime:
        return self.sent_at + RESEND_AFTER


def code_hash(*, phone: str, purpose: str, code: str) -> str:
    """The stored form of a code: hex HMAC-SHA256 of ``purpose:phone:code`` keyed with ``SECRET_KEY``."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _this(phone: str, purpose: str):
    return PhoneCode.phone == phone, PhoneCode.purpose == purpose


def issue_code(*, phone: str, purpose: str, now: datetime | None = None) -> IssuedCode:
    """Make a new code for ``phone`` (11 digits) and ``purpose`` (one of :data:`PURPOSES`), replacing the
    previous one, and return it (the caller sends it, then commits).

    Raises :class:`ResendTooSoon` within :data:`RESEND_AFTER` (60 s) of the previous code.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    now = now or utcnow()
    code = f"{secrets.randbelow(10**6):06d}"
    values = {"code_hash": code_hash(phone=phone, purpose=purpose, code=code), "sent_at": now,
              "expires_at": now + LIFETIME, "tries": 0, "used_at": None}
    replaced = db.session.execute(
        sa.update(PhoneCode).where(*_this(phone, purpose), PhoneCode.sent_at <= now - RESEND_AFTER)
        .values(**values).execution_options(synchronize_session=False))
    if replaced.rowcount == 0:
        last = resend_at(phone=phone, purpose=purpose, now=now, at_all=True)
        if last is not None:
            raise ResendTooSoon(last)
        try:
            with db.session.begin_nested():
                db.session.add(PhoneCode(phone=phone, purpose=purpose, **values))
        except sa.exc.IntegrityError:  # another process made the first code of this phone a moment ago
            raise ResendTooSoon(now + RESEND_AFTER) from None
    return IssuedCode(phone=phone, purpose=purpose, code=code, sent_at=now, expires_at=now + LIFETIME)


def resend_at(*, phone: str, purpose: str, now: datetime | None = None, at_all: bool = False) -> datetime | None:
    """When a new code may be asked for (aware UTC), or ``None`` if it may be now (``at_all``: the time
    even when it has passed; ``None`` only when no code was ever issued)."""
    sent_at = db.session.scalar(sa.select(PhoneCode.sent_at).where(*_this(phone, purpose)))
    if sent_at is None:
        return None
    moment = sent_at + RESEND_AFTER
    return moment if at_all or moment > (now or utcnow()) else None


def withdraw_code(issued: IssuedCode) -> None:
    """Take back a code that could not be sent: it no longer works and a new one may be asked for now."""
    db.session.execute(
        sa.update(PhoneCode).where(*_this(issued.phone, issued.purpose), PhoneCode.sent_at == issued.sent_at)
        .values(expires_at=issued.sent_at, sent_at=issued.sent_at - RESEND_AFTER)
        .execution_options(synchronize_session=False))


def use_code(*, phone: str, purpose: str, code: str, now: datetime | None = None) -> None:
    """Use the live code of ``phone`` and ``purpose`` if ``code`` (6 digits) is it: each try counts, and the
    code then never works again.

    Raises a :class:`CodeRefused`: :class:`WrongCode` (with the tries left), :class:`CodeExpired`,
    :class:`CodeUsedUp` (after :data:`MAX_TRIES`) or :class:`NoCode` (none issued, or used already).
    """
    now = now or utcnow()
    live = (*_this(phone, purpose), PhoneCode.used_at.is_(None), PhoneCode.expires_at > now,
            PhoneCode.tries < MAX_TRIES)
    counted = {"tries": PhoneCode.tries + 1}
    if CODE_PATTERN.fullmatch(code or ""):
        right = code_hash(phone=phone, purpose=purpose, code=code)
        used = db.session.execute(sa.update(PhoneCode).where(*live, PhoneCode.code_hash == right)
                                  .values(used_at=now, **counted).execution_options(synchronize_session=False))
        if used.rowcount == 1:
            return
    wrong = db.session.execute(sa.update(PhoneCode).where(*live).values(**counted)
                               .execution_options(synchronize_session=False))
    row = db.session.execute(sa.select(PhoneCode.tries, PhoneCode.expires_at, PhoneCode.used_at)
                             .where(*_this(phone, purpose))).one_or_none()
    if row is None or row.used_at is not None:
        raise NoCode()
    if wrong.rowcount == 1:
        raise WrongCode(tries_left=MAX_TRIES - row.tries)
    if row.expires_at <= now:
        raise CodeExpired()
    raise CodeUsedUp()
