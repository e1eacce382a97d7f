"""Use cases of accounts: registering riders, creating staff accounts, (de)activating, checking passwords."""

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal, scope
from accounts.errors import AccountSuspended, CannotDeactivate, PhoneTaken
from accounts.models import User
from accounts.phones import normalise_phone  # noqa: F401 - callers import it from here
from core import events
from core.db import update_rows
from core.timeutil import utcnow
from extensions import db

DEACTIVATION_LISTENERS: list[Callable[..., object]] = []


def on_deactivate(listener: Callable[..., object]) -> Callable[..., object]:
    """Register ``listener(user=, actor=, now=)``, called in the same transaction whenever an account is
    deactivated (a higher floor releases what the account held: its places in tasks)."""
    DEACTIVATION_LISTENERS.append(listener)
    return listener


def phone_taken(phone: str) -> bool:
    """True when an account with this (normalised) phone exists."""
    return db.session.scalar(sa.select(User.id).where(User.phone == phone)) is not None


def create_account(*, phone: str, name: str, password: str, role: str, organisation_id: int | None = None,
                   trade: str | None = None, platform: str | None = None, actor: User | None = None,
                   journal_organisation_id=journal.UNSET) -> User:
    """Create a user with a hashed password and return it (``actor``: who made it; ``None`` for self-service).

    The journal entry belongs to the new coordinator's organisation, else to ``journal_organisation_id``
    (a merchant's for its staff), else to the acting coordinator's. Raises :class:`PhoneTaken`.
    """
    if phone_taken(phone):
        raise PhoneTaken()
    user = User(phone=phone, name=name.strip(), role=role, organisation_id=organisation_id,
                trade=trade or None, platform=(platform or "").strip() or None)
    user.set_password(password)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError:
        raise PhoneTaken() from None
    if organisation_id is not None:
        journal_organisation_id = organisation_id
    journal.record("account.create", actor=actor or user, subject=f"user:{user.id}",
                   rider_id=user.id if role == "rider" else None, organisation_id=journal_organisation_id,
                   role=role, name=user.name)
    return user


def register_rider(*, phone: str, name: str, password: str, trade: str, platform: str,
                   privacy_version: int | None = None, now: datetime | None = None) -> User:
    """Register a rider (the public sign-up form), recording the version of the privacy notice they accepted
    and when. Raises :class:`PhoneTaken`."""
    user = create_account(phone=phone, name=name, password=password, role="rider", trade=trade, platform=platform)
    if privacy_version is not None:
        user.privacy_version = privacy_version
        user.privacy_accepted_at = now or utcnow()
        db.session.flush()
    return user


def set_active(*, user: User, active: bool, actor: User, now: datetime | None = None) -> User:
    """Deactivate or reactivate an account; its history stays either way.

    Deactivating ends every session of the account and calls the listeners registered with
    :func:`on_deactivate` in the same transaction (volunteer releases the account's places in tasks
    that have not started); either way :data:`core.events.account_changed` is sent (its owner is told).
    Who may: :func:`accounts.scope.may_change_active`; anyone else gets
    :class:`CannotDeactivate`.
    """
    if not scope.may_change_active(actor, user):
        raise CannotDeactivate()
    if user.active == active:
        return user
    now = now or utcnow()
    user.active = active
    user.session_version += 1
    journal.record("account.deactivate" if not active else "account.reactivate", actor=actor, now=now,
                   subject=f"user:{user.id}", rider_id=user.id if user.role == "rider" else None,
                   organisation_id=actor.organisation_id if actor.is_coordinator else user.organisation_id,
                   name=user.name)
    db.session.flush()
    if not active:
        for listener in DEACTIVATION_LISTENERS:
            listener(user=user, actor=actor, now=now)
    events.account_changed.send(user_id=user.id, change="reactivated" if active else "deactivated", now=now)
    return user


def authenticate(*, phone: str | None, password: str) -> User | None:
    """Return the active user with this phone and password, else ``None`` (same answer for both mistakes).

    A deactivated account that typed the right password gets :class:`AccountSuspended`, naming its
    organisation (or the programme) to contact; a deleted account has no usable password (``None``), and
    neither has an imported one whose phone is not confirmed yet (its first log-in goes through an SMS code).
    """
    if not phone:
        return None
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    if user is None or user.deleted_at is not None or user.needs_phone_confirmation \
            or not user.check_password(password):
        return None
    if not user.active:
        raise AccountSuspended(user.organisation.name if user.organisation else _l("the Nuanxin programme"))
    return user


def hold_account(user_id: int) -> None:
    """Hold the row of the account ``user_id`` until the transaction ends, so that two writers about one person
    (two certificates issued at once, two pioneer marks) take turns: a no-op UPDATE locks the row on
    PostgreSQL and takes the write lock on SQLite (whose plain SELECTs lock nothing)."""
    update_rows(sa.update(User).where(User.id == user_id).values(name=User.name))
