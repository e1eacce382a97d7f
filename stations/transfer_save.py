"""Saving an import: the good rows of an :class:`stations.transfer_rows.ImportPlan` through the station services.

Flushes, never commits; every change goes through :mod:`stations.services`, which journal what they change in the
caller's transaction.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from accounts.models import User
from core.errors import DomainError
from core.timeutil import utcnow
from stations import services
from stations.models import Station
from stations.transfer_rows import ImportPlan, StationRow, position_for, stored_hours


def _details(row: StationRow, station: Station | None) -> dict:
    lat, lng, crs = position_for(row, station)
    building = row.building  # a file without the building columns keeps the stored details
    if building is None:
        building = (station.fast_lane, station.ebike_spots, station.parking_where) if station else (None, None, None)
    return {"name": row.name, "kind": row.kind, "address": row.address, "latitude": lat, "longitude": lng,
            "entered_crs": crs, "amenities": row.amenities, "phone": row.phone, "fast_lane": building[0],
            "ebike_spots": building[1], "parking_where": building[2]}


def _apply_rest(station: Station, row: StationRow, actor: User, now: datetime) -> None:
    """The holiday rule, the weekly hours (kept as they are when the file has no weekday columns) and the active
    flag of a row, through the station services (each journals what it changes)."""
    hours = stored_hours(station) if row.hours is None else row.hours
    services.set_weekly_hours(station=station, actor=actor, rows=hours, holiday_rule=row.holiday_rule, now=now)
    if row.active and not station.active:
        services.reactivate_station(station=station, actor=actor, now=now)
    elif not row.active and station.active:
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
