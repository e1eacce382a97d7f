"""Saving an import: the good rows of an :class:`stations.transfer_rows.ImportPlan` through the station services.

Flushes, never commits; every change is journalled in the caller's transaction (the services journal what they
change; the holiday rule, the weekly hours and reactivation, which no service sets yet, as ``station.import``).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import db
from stations import services
from stations.models import Station, StationHours
from stations.transfer_rows import Hours, ImportPlan, StationRow, position_for, stored_hours

journal.describe({"station.import": _l("Station imported from a spreadsheet")},
                 holiday_rule=_l("Public holidays"), hours=_l("Opening hours"), active=_l("Active"))


def _details(row: StationRow, station: Station | None) -> dict:
    lat, lng, crs = position_for(row, station)
    return {"name": row.name, "kind": row.kind, "address": row.address, "latitude": lat, "longitude": lng,
            "entered_crs": crs, "amenities": row.amenities, "phone": row.phone}


def _hours_text(hours: Hours) -> str:
    return "; ".join(f"{weekday}:{opens}-{closes}" for weekday, opens, closes in hours)


def _apply_rest(station: Station, row: StationRow, actor: User, now: datetime) -> None:
    """The holiday rule, the weekly hours and the active flag of a row (journalled as ``station.import``)."""
    changed = {}
    if row.holiday_rule != station.holiday_rule:
        changed["holiday_rule"] = [station.holiday_rule, row.holiday_rule]
        station.holiday_rule = row.holiday_rule
    if row.hours is not None and row.hours != stored_hours(station):
        changed["hours"] = [_hours_text(stored_hours(station)), _hours_text(row.hours)]
        db.session.execute(sa.delete(StationHours).where(StationHours.station_id == station.id))
        db.session.add_all(StationHours(station_id=station.id, weekday=w, opens=o, closes=c) for w, o, c in row.hours)
        db.session.flush()
        db.session.expire(station, ["hours"])
    if row.active and not station.active:
        changed["active"] = [False, True]
        station.active = True
    if changed:
        station.updated_at = now
        db.session.flush()
        journal.record("station.import", actor=actor, subject=f"station:{station.id}", now=now,
                       organisation_id=station.organisation_id, name=station.name, changed=changed)
    if not row.active and station.active:
        services.deactivate_station(station=station, actor=actor, now=now)


def save_import(plan: ImportPlan, *, organisation_id: int, actor: User, now: datetime | None = None) -> list[int]:
    """Write the good rows of ``plan`` through the station services; return ``[added, changed]``.

    Flushes, never commits. Raises :class:`stations.transfer_rows.RowRefused` (naming the row) when a service
    refuses a row, or :class:`stations.errors.NotYourStation`; the caller rolls back.
    """
    now = now or utcnow()
    for row in plan.new:
        try:
            station = services.create_station(actor=actor, organisation_id=organisation_id, now=now,
                                              **_details(row, None))
            _apply_rest(station, row, actor, now)
        except DomainError as error:
            raise RowRefused(row.number, error.message) from None
    for row, station in plan.changed:
        try:
            services.update_station(station=station, actor=actor, now=now, **_details(row, station))
            _apply_rest(station, row, actor, now)
        except DomainError as error:
            raise RowRefused(row.number, error.message) from None
    return [len(plan.new), len(plan.changed)]


class RowRefused(DomainError):
    """A row the station services refused while saving (the preview let it through)."""

    status = 422

    def __init__(self, number: int, message: str):
        super().__init__(_l("Row %(row)d: %(reason)s", row=number, reason=message))
