"""Building staff and the entries they record with riders' day passes."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db
from stations.models import Station


class BuildingStaff(db.Model):
    """A user of role ``building`` tied to one partner building (a station of kind ``building``).

    Created by an admin or a coordinator of the building's organisation; removing the link (or deactivating
    the account) ends their checking.
    """

    __tablename__ = "building_staff"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    station: Mapped[Station] = relationship()


class PassEntry(db.Model):
    """One rider let in at one partner building on one local day (the first check that day; later checks
    that day record nothing). ``entered_at`` is UTC; ``local_day`` is its date in the local zone.

    The unique key (building, rider, day) makes two guards checking the same pass at once record one entry.
    """

    __tablename__ = "pass_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"))
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    local_day: Mapped[date] = mapped_column(sa.Date)
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    station: Mapped[Station] = relationship()
    rider: Mapped[User] = relationship(foreign_keys=[rider_id])

    __table_args__ = (
        sa.UniqueConstraint("station_id", "rider_id", "local_day", name="uq_pass_entry_station_rider_day"),
        sa.Index("ix_pass_entry_station_day", "station_id", "local_day"),
    )
