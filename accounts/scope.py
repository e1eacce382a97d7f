"""The scope of a coordinator: which accounts an organisation's coordinators may see and act on.

An admin's scope is the whole programme. A coordinator's is their organisation: its coordinators and
every account a higher floor ties to it — riders through sign-ups for its tasks (volunteer), merchant
staff through the merchant it recruited (rewards), riders it imported from its list (their
``User.organisation_id``, linked below). Those packages register a *link* with :func:`link_accounts`
(accounts never imports them): a function returning a SELECT of ``user_id, organisation_id`` (labelled so)
pairs. Anyone else's scope is empty.
"""

from collections.abc import Callable

import sqlalchemy as sa

from accounts.models import User
from extensions import db

LINKS: list[Callable[[], sa.Select]] = []


def link_accounts(source: Callable[[], sa.Select]) -> Callable[[], sa.Select]:
    """Register ``source``, a function returning a SELECT of ``(user_id, organisation_id)`` rows that tie
    accounts to organisations. Usable as a decorator; called once at import of the registering package."""
    LINKS.append(source)
    return source


@link_accounts
def imported_riders() -> sa.Select:
    """Riders tied to an organisation by their own ``organisation_id`` (imported from its list)."""
    return sa.select(User.id.label("user_id"), User.organisation_id.label("organisation_id")).where(
        User.role == "rider", User.organisation_id.is_not(None))


def _links() -> sa.Subquery | None:
    selects = [source() for source in LINKS]
    if not selects:
        return None
    return (selects[0] if len(selects) == 1 else sa.union(*selects)).subquery("account_link")


def organisation_scope(actor: User) -> int | None:
    """The organisation whose affairs ``actor`` manages: ``None`` for an admin (the whole programme)."""
    return None if actor.is_admin else actor.organisation_id


def in_organisation(organisation_id: int) -> sa.ColumnElement[bool]:
    """A condition on :class:`User`: the account is a coordinator of the organisation or linked to it."""
    own_coordinator = sa.and_(User.role == "coordinator", User.organisation_id == organisation_id)
    links = _links()
    if links is None:
        return own_coordinator
    linked = User.id.in_(sa.select(links.c.user_id).where(links.c.organisation_id == organisation_id))
    return sa.or_(own_coordinator, linked)


def visible_to(actor: User) -> sa.ColumnElement[bool]:
    """A condition on :class:`User`: the accounts ``actor`` may see (everyone for an admin)."""
    if actor.is_admin:
        return sa.true()
    if actor.is_coordinator:
        return in_organisation(actor.organisation_id)
    return sa.false()


def can_see(actor: User, user_id: int) -> bool:
    """True when the account ``user_id`` exists and is in ``actor``'s scope."""
    return db.session.scalar(sa.select(User.id).where(User.id == user_id, visible_to(actor))) is not None


def organisations_of(users: list[User]) -> dict[int, set[int]]:
    """The organisations each account is tied to, by user id (one query): a coordinator's own, or every
    linked one (an account tied to none is absent)."""
    tied = {user.id: {user.organisation_id} for user in users
            if user.organisation_id is not None and not user.is_rider}
    others = [user.id for user in users if user.organisation_id is None or user.is_rider]
    links = _links()
    if others and links is not None:
        rows = db.session.execute(sa.select(links.c.user_id, links.c.organisation_id)
                                  .where(links.c.user_id.in_(others)).distinct())
        for user_id, organisation_id in rows:
            tied.setdefault(user_id, set()).add(organisation_id)
    return tied


def changeable(actor: User, users: list[User]) -> set[int]:
    """The ids of ``users`` whose account ``actor`` may deactivate or reactivate (never their own):

    an admin, any account; a coordinator, an account tied to their organisation only — a coordinator of
    it, a rider who only ever signed up for its tasks, staff of a merchant it recruited. An account also
    tied to another organisation (a rider who worked for two) is an admin's to change.
    """
    others = [user for user in users if user.id != actor.id]
    if actor.is_admin:
        return {user.id for user in others}
    if not actor.is_coordinator:
        return set()
    tied = organisations_of([user for user in others if not user.is_admin])
    return {user_id for user_id, organisations in tied.items() if organisations == {actor.organisation_id}}


def may_change_active(actor: User, user: User) -> bool:
    """True when ``actor`` may deactivate or reactivate ``user`` (see :func:`changeable`)."""
    return user.id in changeable(actor, [user])
