"""Checking a day pass at a partner building and recording the entry, once per rider, building and day."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from accounts.models import User
from core.db import insert_ignoring_conflicts
from core.timeutil import local_today, utcnow
from extensions import db
from passes.models import PassEntry
from passes.tokens import BadPass, read_pass
from stations.models import Station

VALID, ALREADY, EXPIRED, SUSPENDED, UNKNOWN = "valid", "already", "expired", "suspended", "unknown"


@dataclass(frozen=True)
class Verdict:
    """What a check says: ``status`` is one of ``valid`` (let in; recorded now when asked to record),
    ``already`` (let in; the rider's entry of today at this building is ``entry``), ``expired`` (a pass of an
    earlier ``day``), ``suspended`` (the rider's account is deactivated) or ``unknown`` (not one of our passes,
    or no such rider). ``rider`` is known for every status but ``unknown``."""

    status: str
    rider: User | None = None
    day: date | None = None
    entry: PassEntry | None = None

    @property
    def lets_in(self) -> bool:
        """True when the rider may pass (valid, or already let in today)."""
        return self.status in (VALID, ALREADY)


def _entry_today(building_id: int, rider_id: int, today: date) -> PassEntry | None:
    return db.session.scalar(sa.select(PassEntry).where(
        PassEntry.station_id == building_id, PassEntry.rider_id == rider_id, PassEntry.local_day == today))


def check_pass(*, text: str, building: Station, staff: User, record: bool, now: datetime | None = None) -> Verdict:
    """Check the pass ``text`` (a scanned URL, a token or a typed short code) at ``building``.

    With ``record`` true a valid pass records the rider's entry (``PassEntry``; flushed, not committed) unless
    one exists for this building, rider and local day: then the verdict is ``already`` with that entry. Two
    checks at once record one entry (the unique key decides; no exception). With ``record`` false nothing is
    written (the page a scan opens, before the guard lets the rider in). Raises nothing for bad input.
    """
    now = now or utcnow()
    today = local_today(now)
    try:
        rider_id, day = read_pass(text, today)
    except BadPass:
        return Verdict(UNKNOWN)
    rider = db.session.get(User, rider_id)
    if rider is None or not rider.is_rider or rider.deleted_at is not None:
        return Verdict(UNKNOWN)
    if day > today:  # made for a later day: not a pass we gave out, so it names no one
        return Verdict(UNKNOWN)
    if day < today:
        return Verdict(EXPIRED, rider=rider, day=day)
    if not rider.active:
        return Verdict(SUSPENDED, rider=rider, day=day)
    if record:
        entry_id = insert_ignoring_conflicts(PassEntry.__table__, station_id=building.id, rider_id=rider.id,
                                             local_day=today, entered_at=now, checked_by_id=staff.id)
        if entry_id is not None:
            return Verdict(VALID, rider=rider, day=day, entry=db.session.get(PassEntry, entry_id))
    entry = _entry_today(building.id, rider.id, today)
    return Verdict(ALREADY if entry is not None else VALID, rider=rider, day=day, entry=entry)
