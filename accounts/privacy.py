"""Consent to the privacy notice, a user's own data as JSON, and deleting one's account.

Accounts sits below the packages that hold a rider's sign-ups, points and vouchers, so they take part
by registering at import: :func:`on_export` adds a section to the download, :func:`on_close` releases
what a deleted account held (places in tasks, open vouchers) in the same transaction.
"""

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.errors import CannotDeleteAccount, WrongPassword
from accounts.models import User
from core import events
from core.timeutil import utcnow
from extensions import db

EXPORT_SECTIONS: dict[str, Callable[[User], object]] = {}
CLOSE_LISTENERS: list[Callable[..., object]] = []
DELETED_NAME = "已注销用户"  # stored data, not interface text: the same in every language
UNUSABLE_PASSWORD = "!deleted"  # noqa: S105 - no hash werkzeug produces; check_password is always False

journal.describe({"consent.accept": _l("Privacy notice accepted"), "account.password": _l("Password changed"),
                  "account.profile": _l("Profile changed"), "account.delete": _l("Account deleted by its owner")},
                 version=_l("Version"))


def on_export(section: str) -> Callable:
    """Register ``function(user) -> JSON-serialisable`` as ``section`` of :func:`export_data`."""
    def register(function: Callable[[User], object]) -> Callable[[User], object]:
        EXPORT_SECTIONS[section] = function
        return function
    return register


def on_close(listener: Callable[..., object]) -> Callable[..., object]:
    """Register ``listener(user=, actor=, now=)``, called in the same transaction when an account is deleted,
    before its personal data is erased (volunteer releases places, rewards cancels open vouchers)."""
    CLOSE_LISTENERS.append(listener)
    return listener


def current_version() -> int:
    """The version of the privacy notice in force (``PRIVACY_VERSION``)."""
    return int(current_app.config["PRIVACY_VERSION"])


def needs_consent(user: User) -> bool:
    """True when ``user`` is a rider who has not accepted the privacy notice in force."""
    return user.is_rider and (user.privacy_version or 0) < current_version()


def accept_privacy(*, user: User, actor: User, now: datetime | None = None) -> User:
    """Record that ``user`` accepted the privacy notice in force, and when (journaled)."""
    now = now or utcnow()
    user.privacy_version = current_version()
    user.privacy_accepted_at = now
    journal.record("consent.accept", actor=actor, subject=f"user:{user.id}", now=now,
                   rider_id=user.id if user.is_rider else None, organisation_id=None,
                   version=user.privacy_version)
    db.session.flush()
    return user


def export_data(user: User) -> dict:
    """Everything the programme stores about ``user``, as a JSON-serialisable dict (their own download)."""
    data = {
        "profile": {"id": user.id, "phone": user.phone, "name": user.name, "role": user.role,
                    "trade": user.trade, "platform": user.platform, "birth_month": user.birth_month,
                    "organisation": user.organisation.name if user.organisation else None,
                    "created_at": user.created_at.isoformat()},
        "consent": {"privacy_version": user.privacy_version,
                    "accepted_at": user.privacy_accepted_at.isoformat() if user.privacy_accepted_at else None},
    }
    for section, function in EXPORT_SECTIONS.items():
        data[section] = function(user)
    return data


def change_password(*, user: User, current: str, new: str) -> User:
    """Set a new password after checking the current one; ends the account's other sessions.

    Raises :class:`WrongPassword`. The caller logs the user in again (the session id changed).
    """
    if not user.check_password(current):
        raise WrongPassword()
    user.set_password(new)
    user.session_version += 1
    journal.record("account.password", actor=user, subject=f"user:{user.id}", organisation_id=None,
                   rider_id=user.id if user.is_rider else None)
    db.session.flush()
    events.account_changed.send(user_id=user.id, change="password")
    return user


def update_profile(*, user: User, name: str, trade: str | None = None, platform: str | None = None,
                   birth_month: int | None = None) -> User:
    """Change one's name, and a rider's trade, platform and birth month (1–12 or ``None``; only the month is
    kept, for birthday activities). Others' trade, platform and birth month stay empty."""
    changed = {}
    values = {"name": name.strip()}
    if user.is_rider:
        values.update(trade=trade or None, platform=(platform or "").strip() or None,
                      birth_month=birth_month if birth_month in range(1, 13) else None)
    for field, value in values.items():
        if getattr(user, field) != value:
            changed[field] = value
            setattr(user, field, value)
    if changed:
        journal.record("account.profile", actor=user, subject=f"user:{user.id}", organisation_id=None,
                       rider_id=user.id if user.is_rider else None, changed=sorted(changed))
    db.session.flush()
    return user


def end_all_sessions(*, user: User) -> User:
    """Log the account out everywhere, this browser included (bumps ``session_version``)."""
    user.session_version += 1
    db.session.flush()
    return user


def delete_account(*, user: User, password: str, now: datetime | None = None) -> User:
    """Delete one's own account after checking the password.

    The listeners of :func:`on_close` run first (places released, open vouchers cancelled and refunded);
    then the personal data is erased: the name becomes "已注销用户", the phone a placeholder (``0`` and the
    id, 11 characters, never a mobile number), the password unusable, trade, platform and birth month empty; the account
    is deactivated and every session ends. Ledger entries and journal entries keep their rows. Raises
    :class:`WrongPassword`, or :class:`CannotDeleteAccount` for an admin.
    """
    if not user.check_password(password):
        raise WrongPassword()
    if user.is_admin:
        raise CannotDeleteAccount()
    now = now or utcnow()
    for listener in CLOSE_LISTENERS:
        listener(user=user, actor=user, now=now)
    journal.record("account.delete", actor=user, subject=f"user:{user.id}", now=now, organisation_id=None,
                   rider_id=user.id if user.is_rider else None, role=user.role)
    user.name = DELETED_NAME
    user.phone = f"0{user.id:010d}"
    user.password_hash = UNUSABLE_PASSWORD
    user.trade = user.platform = user.birth_month = None
    user.active = False
    user.deleted_at = now
    user.session_version += 1
    db.session.flush()
    return user
