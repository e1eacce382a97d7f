"""Rest stations (暖新窝) and their opening hours.

Coordinates are stored in WGS-84 (GPS), always; ``entered_crs`` only remembers the system they were typed or
pasted in (``gcj02`` from a Chinese map app, converted by :func:`core.geo.gcj02_to_wgs84` on input).

Opening hours are weekly rows plus dated exceptions (the rules that read them live in ``core/opening_hours.py``).
Times are local wall-clock ``"HH:MM"`` text, 24-hour, two digits each:

- ``opens`` is ``"00:00"``–``"23:59"``; ``closes`` is ``"00:00"``–``"23:59"`` or ``"24:00"`` (midnight at the end
  of the day); the two are never equal;
- ``closes`` later than ``opens`` is a span within the day; ``closes`` earlier than ``opens`` (``22:00``–``02:00``)
  runs past midnight into the next day; ``"00:00"``–``"24:00"`` is the whole day (open 24 hours when every day
  has it);
- a day may have several rows (``08:00``–``12:00`` and ``14:00``–``21:00``); a weekday without rows is closed.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation
from core.hours_rows import CLOSES_OK, OPENS_OK
from core.opening_hours import HOLIDAY_RULE_LABELS, HOLIDAY_RULES
from core.timeutil import UTCDateTime, utcnow
from extensions import db

KINDS = ("community_centre", "shop", "office", "canteen", "building", "other")
BUILDING = "building"  # a partner office building of the Haitang pass (海棠通道): fast lane and e-bike parking
KIND_LABELS = {
    "community_centre": _l("Community centre"),
    "shop": _l("Shop"),
    "office": _l("Office"),
    "canteen": _l("Canteen"),
    "building": _l("Partner building (Haitang pass)"),
    "other": _l("Other place"),
}
AMENITIES = ("water", "hot_meal", "microwave", "charging", "toilet", "seating", "first_aid", "wifi",
             "ebike_parking")
AMENITY_LABELS = {
    "water": _l("Drinking water"),
    "hot_meal": _l("Hot meal"),
    "microwave": _l("Microwave"),
    "charging": _l("Phone charging"),
    "toilet": _l("Toilet"),
    "seating": _l("Place to sit"),
    "first_aid": _l("First aid"),
    "wifi": _l("Wi-Fi"),
    "ebike_parking": _l("E-bike parking"),
}
CRS = ("wgs84", "gcj02")  # GPS; Chinese map apps (Amap, Tencent)




def amenity_text(codes) -> str:
    """The stored form of amenity codes: known codes only, in :data:`AMENITIES` order, comma-separated."""
    wanted = set(codes)
    return ",".join(code for code in AMENITIES if code in wanted)


class Station(db.Model):
    """A rest station of an organisation, at a WGS-84 position (degrees).

    ``amenities`` is the comma-separated codes of :data:`AMENITIES` (``"water,toilet"``); read and set them
    as a tuple through :attr:`amenity_codes`.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    kind: Mapped[str] = mapped_column(sa.String(20), default="community_centre")
    address: Mapped[str] = mapped_column(sa.String(200))
    latitude: Mapped[float]
    longitude: Mapped[float]
    entered_crs: Mapped[str] = mapped_column(sa.String(10), default="wgs84")
    amenities: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    # What a Chinese public holiday does to the weekly hours (core.opening_hours.HOLIDAY_RULES).
    holiday_rule: Mapped[str] = mapped_column(sa.String(30), default="weekly", server_default="weekly")
    active: Mapped[bool] = mapped_column(default=True)
    # A partner building (kind ``building``): how riders use the fast lane (which entrance, what to show) and
    # the e-bike parking kept for them (how many spots, where). Empty for other kinds.
    fast_lane: Mapped[str | None] = mapped_column(sa.String(200))
    ebike_spots: Mapped[int | None]
    parking_where: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    hours: Mapped[list["StationHours"]] = relationship(
        back_populates="station", order_by="(StationHours.weekday, StationHours.opens)")
    exceptions: Mapped[list["StationHoursException"]] = relationship(
        back_populates="station", order_by="(StationHoursException.day, StationHoursException.opens)")

    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(KINDS), name="kind"),
        sa.CheckConstraint(sa.column("entered_crs").in_(CRS), name="entered_crs"),
        sa.CheckConstraint(sa.column("holiday_rule").in_(HOLIDAY_RULES), name="holiday_rule"),
        sa.CheckConstraint("latitude >= -90 AND latitude <= 90", name="latitude_range"),
        sa.CheckConstraint("longitude >= -180 AND longitude <= 180", name="longitude_range"),
        sa.CheckConstraint("ebike_spots IS NULL OR (ebike_spots >= 0 AND ebike_spots <= 10000)",
                           name="ebike_spots_range"),
        sa.Index("ix_station_latitude_longitude", "latitude", "longitude"),  # the bounding box of "near me"
    )

    @property
    def amenity_codes(self) -> tuple[str, ...]:
        return tuple(code for code in (self.amenities or "").split(",") if code)

    @amenity_codes.setter
    def amenity_codes(self, codes) -> None:
        self.amenities = amenity_text(codes)

    @property
    def amenity_labels(self) -> list:
        return [AMENITY_LABELS[code] for code in self.amenity_codes if code in AMENITY_LABELS]

    @property
    def is_partner_building(self) -> bool:
        """True for a partner building of the Haitang pass, where building staff check riders' day passes."""
        return self.kind == BUILDING

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def holiday_rule_label(self):
        return HOLIDAY_RULE_LABELS.get(self.holiday_rule, self.holiday_rule)


class StationHours(db.Model):
    """One weekly opening span: on ``weekday`` (0 = Monday … 6 = Sunday) from ``opens`` to ``closes`` (local
    ``"HH:MM"``; see the module's docstring for midnight and ``"24:00"``)."""

    __tablename__ = "station_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"))
    weekday: Mapped[int]
    opens: Mapped[str] = mapped_column(sa.String(5))
    closes: Mapped[str] = mapped_column(sa.String(5))

    station: Mapped[Station] = relationship(back_populates="hours")

    __table_args__ = (
        sa.UniqueConstraint("station_id", "weekday", "opens", name="uq_station_hours_station_weekday_opens"),
        sa.CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday"),
        sa.CheckConstraint(OPENS_OK, name="opens_clock"),
        sa.CheckConstraint(CLOSES_OK, name="closes_clock"),
        sa.CheckConstraint("closes != opens", name="not_empty"),
    )


class StationHoursException(db.Model):
    """A dated change to the weekly hours: on ``day`` (local date) the station is ``closed``, or open for this
    span (one row per span; ``opens``/``closes`` as in :class:`StationHours`, both ``None`` when closed).
    ``note`` says why (``"国庆节休息"``)."""

    __tablename__ = "station_hours_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"))
    day: Mapped[date]
    closed: Mapped[bool] = mapped_column(default=False)
    opens: Mapped[str | None] = mapped_column(sa.String(5))
    closes: Mapped[str | None] = mapped_column(sa.String(5))
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    station: Mapped[Station] = relationship(back_populates="exceptions")

    __table_args__ = (
        sa.UniqueConstraint("station_id", "day", "opens", name="uq_station_hours_exception_station_day_opens"),
        # one "closed" row per day (the unique key above treats NULL ``opens`` as distinct)
        sa.Index("uq_station_hours_exception_closed_day", "station_id", "day", unique=True,
                 sqlite_where=sa.text("closed"), postgresql_where=sa.text("closed")),
        sa.CheckConstraint("(closed AND opens IS NULL AND closes IS NULL)"
                           " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL)", name="closed_or_span"),
        sa.CheckConstraint(f"opens IS NULL OR ({OPENS_OK})", name="opens_clock"),
        sa.CheckConstraint(f"closes IS NULL OR ({CLOSES_OK})", name="closes_clock"),
        sa.CheckConstraint("closes IS NULL OR closes != opens", name="not_empty"),
    )
