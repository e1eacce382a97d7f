"""Reads of accounts that pages, the API and the dashboards share."""

import sqlalchemy as sa

from accounts.models import ROLES, Organisation, User
from accounts.services import normalise_phone
from core.forms import clean_text
from extensions import db


def riders_matching(text: str, *, limit: int = 20) -> list[User]:
    """Riders whose phone is ``text`` (as typed: spaces, +86, full-width) or whose name contains it.

    Control characters are dropped first (PostgreSQL refuses a NUL in a parameter); nothing left, no one.
    """
    text = clean_text(text)
    if not text:
        return []
    phone = normalise_phone(text)
    match = User.phone == phone if phone else User.name.contains(text, autoescape=True)
    return list(db.session.scalars(sa.select(User).where(User.role == "rider", match).limit(limit)))


def accounts_list(*, role: str = "", q: str = "", limit: int = 200) -> list[User]:
    """Accounts by role then name, optionally of one ``role`` and matching ``q`` in name or phone.

    Control characters in ``q`` are dropped (PostgreSQL refuses a NUL in a parameter).
    """
    q = clean_text(q)
    query = sa.select(User).options(sa.orm.joinedload(User.organisation)).order_by(User.role, User.name)
    if role in ROLES:
        query = query.where(User.role == role)
    if q:
        query = query.where(sa.or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True)))
    return list(db.session.scalars(query.limit(limit)))


def organisations() -> list[Organisation]:
    """Every organisation, by name."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
