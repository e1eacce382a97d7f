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


def get_user(user_id: int) -> User | None:
    """The account with this id, or ``None``."""
    return db.session.get(User, user_id)


def get_organisation(organisation_id: int) -> Organisation | None:
    """The organisation with this id (a database integer: anything else is ``None``), or ``None``."""
    return db.session.get(Organisation, organisation_id) if 0 < organisation_id < 2**31 else None


def riders_in(organisation_id: int | None) -> list[User]:
    """The riders of ``organisation_id``'s scope (:func:`accounts.scope.in_organisation`), every rider when
    ``None``; by name, then id."""
    query = sa.select(User).where(User.role == "rider")
    if organisation_id is not None:
        query = query.where(scope.in_organisation(organisation_id))
    return list(db.session.scalars(query.order_by(User.name, User.id)))


def rider_ids_in(organisation_id: int) -> sa.Select:
    """A SELECT of the ids of the users in ``organisation_id``'s scope, to use inside another query
    (``Model.rider_id.in_(rider_ids_in(org))``)."""
    return sa.select(User.id).where(scope.in_organisation(organisation_id))


def in_organisation_scope(user_id: int, organisation_id: int) -> bool:
    """True when the user ``user_id`` belongs to ``organisation_id``'s scope."""
    return db.session.scalar(sa.select(User.id).where(User.id == user_id,
                                                      scope.in_organisation(organisation_id))) is not None
