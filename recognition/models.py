"""Recognition's own records: score weights, level changes, pioneer marks and certificates of service.

Nothing here is edited or deleted: a level change, a pioneer mark or its withdrawal, a certificate and its
revocation are each a new row, once (unique keys). Times UTC; hours are stored as whole minutes.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Organisation, User
from core.timeutil import UTCDateTime, utcnow
from extensions import db

SCORE_PARTS = ("training", "hours", "reports", "ratings")
PIONEER_KINDS = ("mark", "withdraw")


class ScorePart(db.Model):
    """How one part of the composite score counts: ``max_points`` (its weight: the most it can add) and
    ``points_per_unit`` (per training attended, per verified hour, per report resolved; for ``ratings`` the
    points at an all-good record, scaled by the share of good and fair ratings). Set by an admin."""

    __tablename__ = "score_part"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    max_points: Mapped[int]
    points_per_unit: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (
        sa.CheckConstraint(sa.column("code").in_(SCORE_PARTS), name="code"),
        sa.CheckConstraint("max_points >= 0 AND max_points <= 1000", name="max_points_range"),
        sa.CheckConstraint("points_per_unit >= 0 AND points_per_unit <= 1000", name="points_per_unit_range"),
    )


class LevelChange(db.Model):
    """A rider's volunteer level changed from ``level_from`` to ``level_to`` (0 = no level yet, 1–5 stars)
    with ``minutes`` verified lifetime minutes at that moment and the ``reason`` in words. ``key`` (unique)
    makes each change happen once when two processes notice it together."""

    __tablename__ = "level_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    level_from: Mapped[int]
    level_to: Mapped[int]
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)

    __table_args__ = (
        sa.CheckConstraint("level_from >= 0 AND level_to >= 0 AND level_from != level_to", name="levels"),
        sa.CheckConstraint("minutes >= 0", name="minutes_not_negative"),
    )


class PioneerMark(db.Model):
    """A coordinator marked a rider of their organisation as a pioneer (``kind="mark"``) or withdrew a mark
    (``kind="withdraw"``, naming it in ``withdraws_id``, unique: once), with a ``reason``."""

    __tablename__ = "pioneer_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="mark")
    reason: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdraws_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pioneer_mark.id"), unique=True)

    organisation: Mapped[Organisation] = relationship()
    actor: Mapped[User] = relationship(foreign_keys=[actor_id])

    __table_args__ = (
        sa.CheckConstraint(sa.column("kind").in_(PIONEER_KINDS), name="kind"),
        sa.CheckConstraint("(kind = 'mark') = (withdraws_id IS NULL)", name="withdraw_names_mark"),
        sa.CheckConstraint("reason != ''", name="reason_given"),
    )


class Certificate(db.Model):
    """A certificate of a rider's verified volunteer hours, issued at ``issued_at`` (UTC) with the lines it
    lists (copied, so it reads the same later). ``token`` (unique, random, URL-safe) is the public
    verification address's only key."""

    id: Mapped[int] = mapped_column(primary_key=True)
    rider_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    token: Mapped[str] = mapped_column(sa.String(43), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total_minutes: Mapped[int]
    task_count: Mapped[int]

    rider: Mapped[User] = relationship(foreign_keys=[rider_id])
    lines: Mapped[list["CertificateLine"]] = relationship(
        back_populates="certificate", order_by="(CertificateLine.started_at, CertificateLine.id)")
    revocation: Mapped["CertificateRevocation | None"] = relationship(back_populates="certificate", uselist=False)

    __table_args__ = (sa.CheckConstraint("total_minutes >= 0 AND task_count >= 0", name="totals_not_negative"),)

    @property
    def is_revoked(self) -> bool:
        return self.revocation is not None


class CertificateLine(db.Model):
    """One task on a certificate: its title, organisation, start (UTC) and the verified minutes."""

    __tablename__ = "certificate_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id"), index=True)
    signup_id: Mapped[int] = mapped_column(sa.ForeignKey("signup.id"))
    task_title: Mapped[str] = mapped_column(sa.String(100))
    organisation_name: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int]

    certificate: Mapped[Certificate] = relationship(back_populates="lines")

    __table_args__ = (sa.UniqueConstraint("certificate_id", "signup_id", name="uq_certificate_line_signup"),
                      sa.CheckConstraint("minutes >= 0", name="minutes_not_negative"))


class CertificateRevocation(db.Model):
    """A coordinator (of an organisation on the certificate) or an admin revoked a certificate, with a reason;
    ``certificate_id`` is unique: once."""

    __tablename__ = "certificate_revocation"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id"), unique=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certificate: Mapped[Certificate] = relationship(back_populates="revocation")
    actor: Mapped[User] = relationship(foreign_keys=[actor_id])

    __table_args__ = (sa.CheckConstraint("reason != ''", name="reason_given"),)


PART_LABELS = {"training": _l("Training attended"), "hours": _l("Verified volunteer hours"),
               "reports": _l("Reports resolved"), "ratings": _l("Service ratings")}
