"""Use cases of accounts: registering riders, creating staff accounts, checking passwords."""

import sqlalchemy as sa

from accounts import journal
from accounts.errors import CannotDeactivate, PhoneTaken
from accounts.models import User
from accounts.phones import normalise_phone  # noqa: F401 - callers import it from here
from extensions import db


def phone_taken(phone: str) -> bool:
    """True when an account with this (normalised) phone exists."""
    return db.session.scalar(sa.select(User.id).where(User.phone == phone)) is not None


def create_account(*, phone: str, name: str, password: str, role: str, organisation_id: int | None = None,
                   trade: str | None = None, platform: str | None = None, actor: User | None = None) -> User:
    """Create a user with a hashed password and return it (``actor``: who made it; ``None`` for self-service).

    Raises :class:`PhoneTaken`.
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
    journal.record("account.create", actor=actor or user, subject=f"user:{user.id}",
                 rider_id=user.id if role == "rider" else None, role=role, name=user.name)
    return user


def register_rider(*, phone: str, name: str, password: str, trade: str, platform: str) -> User:
    """Register a rider (the public sign-up form). Raises :class:`PhoneTaken`."""
    return create_account(phone=phone, name=name, password=password, role="rider", trade=trade, platform=platform)


def set_active(*, user: User, active: bool, actor: User) -> User:
    """Deactivate (ending every session of the account; its history stays) or reactivate an account.

    Raises :class:`CannotDeactivate` for one's own account or a coordinator of another organisation.
    """
    if user.id == actor.id:
        raise CannotDeactivate()
    if user.role == "coordinator" and user.organisation_id != actor.organisation_id:
        raise CannotDeactivate()
    if user.active == active:
        return user
    user.active = active
    user.session_version += 1
    journal.record("account.deactivate" if not active else "account.reactivate", actor=actor,
                 subject=f"user:{user.id}", rider_id=user.id if user.role == "rider" else None, name=user.name)
    db.session.flush()
    return user


def authenticate(*, phone: str | None, password: str) -> User | None:
    """Return the active user with this phone and password, else ``None`` (same answer for both mistakes)."""
    if not phone:
        return None
    user = db.session.scalar(sa.select(User).where(User.phone == phone))
    if user is None or not user.check_password(password) or not user.active:
        return None
    return user
