"""Reads of accounts that pages, the API and the dashboards share."""

import sqlalchemy as sa

from accounts import scope
from accounts.models import ROLES, Organisation, User
from accounts.services import normalise_phone
from core.forms import clean_text
from extensions import db


def riders_matching(text: str, *, viewer: User, limit: int = 20) -> list[User]:
    """Riders in ``viewer``'s scope whose phone is ``text`` (as typed: spaces, +86, full-width) or whose
    name contains it.

    Control characters are dropped first (PostgreSQL refuses a NUL in a parameter); nothing left, no one.
    """
    text = clean_text(text)
    if not text:
        return []
    phone = normalise_phone(text)
    match = User.phone == phone if phone else User.name.contains(text, autoescape=True)
    return list(db.session.scalars(sa.select(User).where(User.role == "rider", match, scope.visible_to(viewer))
                                   .limit(limit)))


def accounts_list(*, viewer: User, role: str = "", q: str = "", limit: int = 200) -> list[User]:
    """The accounts ``viewer`` may see (:mod:`accounts.scope`) by role then name, optionally of one
    ``role`` and matching ``q`` in name or phone (a phone typed with +86 or spaces matches too).

    Control characters in ``q`` are dropped (PostgreSQL refuses a NUL in a parameter).
    """
    q = clean_text(q)
    query = (sa.select(User).where(scope.visible_to(viewer)).options(sa.orm.joinedload(User.organisation))
             .order_by(User.role, User.name))
    if role in ROLES:
        query = query.where(User.role == role)
    if q:
        phone = normalise_phone(q)
        query = query.where(sa.or_(User.name.contains(q, autoescape=True), User.phone.contains(q, autoescape=True),
                                   *([User.phone == phone] if phone else [])))
    return list(db.session.scalars(query.limit(limit)))


def organisations() -> list[Organisation]:
    """Every organisation, by name."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def organisations_with_counts() -> list[tuple[Organisation, int]]:
    """Every organisation by name with how many coordinators it has."""
    coordinators = (sa.select(sa.func.count()).select_from(User).where(User.organisation_id == Organisation.id,
                                                    User.role == "coordinator").scalar_subquery())
    return list(db.session.execute(sa.select(Organisation, coordinators).order_by(Organisation.name)).all())
