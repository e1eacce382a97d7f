"""Building staff accounts: an admin or a coordinator of the building's organisation creates the log-in of
someone who checks Haitang passes at one partner building, and removes it. Services flush, never commit, and
journal what they change.

Removing deactivates the account (every session ends at once, so checking stops) and keeps its tie to the
building, so the entries it recorded still name who checked them. Building staff belong to their building's
organisation for the accounts pages (a link registered with :func:`accounts.scope.link_accounts`).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from accounts import journal, scope
from accounts.models import User
from accounts.services import create_account, set_active
from core.errors import DomainError
from extensions import db
from passes.models import BuildingStaff
from stations.models import Station

journal.describe({"building.add_staff": _l("Building staff account created"),
                  "building.remove_staff": _l("Building staff account removed")},
                 building=_l("Partner building"))


@scope.link_accounts
def building_staff_links() -> sa.Select:
    """Building staff tied to their building's organisation (``user_id``, ``organisation_id``)."""
    return (sa.select(BuildingStaff.user_id.label("user_id"), Station.organisation_id.label("organisation_id"))
            .join(Station, Station.id == BuildingStaff.station_id))


class BuildingClosed(DomainError):
    """The station is not an active partner building, so it takes no new staff."""

    status = 409

    def __init__(self):
        super().__init__(_l("This building is deactivated or no longer a partner building: it takes no new "
                            "staff. Reactivate it, or set its kind to partner building, on its edit page."))


def takes_staff(building: Station) -> bool:
    """True when ``building`` may get new staff accounts: an active station of kind ``building``."""
    return building.is_partner_building and building.active


def add_building_staff(*, building: Station, phone: str, name: str, password: str, actor: User) -> User:
    """Create a log-in of role ``building`` (through :func:`accounts.services.create_account`, which journals
    the account) tied to ``building``, and return it. ``phone`` is normalised (the form does it).

    Raises :class:`BuildingClosed` when the building takes no staff, :class:`accounts.errors.PhoneTaken` when an
    account has this number."""
    if not takes_staff(building):
        raise BuildingClosed()
    user = create_account(phone=phone, name=name, password=password, role="building", actor=actor,
                          journal_organisation_id=building.organisation_id)
    db.session.add(BuildingStaff(user_id=user.id, station_id=building.id, created_by_id=actor.id))
    db.session.flush()
    journal.record("building.add_staff", actor=actor, subject=f"user:{user.id}",
                   organisation_id=building.organisation_id, name=user.name, building=building.name)
    return user


def remove_building_staff(*, link: BuildingStaff, actor: User) -> User:
    """Deactivate the staff account of ``link`` (its sessions end at once: it can no longer log in or check
    passes) and keep the link for history; journalled. Removing a removed account changes nothing.

    Raises :class:`accounts.errors.CannotDeactivate` when ``actor`` may not change the account (their own)."""
    user = link.user
    if not user.active:
        return user
    set_active(user=user, active=False, actor=actor)
    journal.record("building.remove_staff", actor=actor, subject=f"user:{user.id}",
                   organisation_id=link.station.organisation_id, name=user.name, building=link.station.name)
    return user


def staff_of(building: Station) -> list[tuple[BuildingStaff, User | None]]:
    """``(link, who created it)`` for every staff account of ``building``: active accounts first, then by name
    (creator ``None`` when unknown)."""
    creator = aliased(User)
    return [tuple(row) for row in db.session.execute(
        sa.select(BuildingStaff, creator).options(joinedload(BuildingStaff.user))
        .join(User, User.id == BuildingStaff.user_id)
        .outerjoin(creator, creator.id == BuildingStaff.created_by_id)
        .where(BuildingStaff.station_id == building.id)
        .order_by(User.active.desc(), User.name, User.id))]


def link_of(building: Station, user_id: int) -> BuildingStaff | None:
    """The link of account ``user_id`` to ``building``, or ``None`` when they are not its staff."""
    return db.session.scalar(sa.select(BuildingStaff).where(BuildingStaff.station_id == building.id,
                                                           BuildingStaff.user_id == user_id))
