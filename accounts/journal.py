"""The journal: who did what, when, to whom — append-only (triggers refuse UPDATE and DELETE).

Services record an entry in the same transaction as the change itself, so an entry exists exactly
when the change was committed. Voucher codes are stored masked. Each package describes its own
actions with :func:`describe` (their labels in the user's language), so a new feature never edits a
central list. The table keeps its first name, ``audit_event``.
"""

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db

ACTION_LABELS: dict[str, object] = {}
DETAIL_LABELS: dict[str, object] = {}


def describe(actions: dict, **details) -> None:
    """Register the labels of a package's journal ``actions`` (``{"task.create": _l("Task posted")}``)
    and of the detail keys they record (``title=_l("Title")``). Called once at import of the package."""
    ACTION_LABELS.update(actions)
    DETAIL_LABELS.update(details)


describe({"account.create": _l("Account created"), "account.deactivate": _l("Account deactivated"),
          "account.reactivate": _l("Account reactivated")},
         name=_l("Name"), role=_l("Role"), changed=_l("Changes"), trade=_l("Trade"), platform=_l("Platform"),
         address=_l("Address"), latitude=_l("Latitude"), longitude=_l("Longitude"),
         organisation_id=_l("Organisation"))


class JournalEntry(db.Model):
    """One recorded action. ``actor_id`` is ``None`` for the system (the expiry job).

    ``organisation_id`` is the organisation whose affairs the entry concerns (its coordinators see it);
    ``None`` means programme-wide: only admins see it. See :func:`record`.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(60), default="")
    rider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    merchant_id: Mapped[int | None]
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    details: Mapped[str] = mapped_column(sa.Text, default="{}")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    rider: Mapped[User | None] = relationship(foreign_keys=[rider_id])

    __table_args__ = (
        sa.Index("ix_audit_event_rider_created", "rider_id", "created_at"),
        sa.Index("ix_audit_event_merchant_created", "merchant_id", "created_at"),
        sa.Index("ix_audit_event_organisation_created", "organisation_id", "created_at"),
    )

    @property
    def label(self):
        """The action in the user's language, e.g. "Voucher redeemed"."""
        return ACTION_LABELS.get(self.action, self.action)


def mask_code(code: str) -> str:
    """A voucher code as the journal keeps it: ``1234 **** **** 3456``."""
    return f"{code[:4]} **** **** {code[-4:]}" if code and len(code) >= 8 else "****"


def _plain(value):
    """A value as JSON keeps it: aware datetimes as ISO 8601 UTC, dates as ISO, decimals as floats."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def changes(obj, new: Mapping[str, object]) -> dict[str, list]:
    """The fields of ``obj`` that ``new`` (``{field: new value}``) changes, as ``{field: [old, new]}``.

    ``obj`` is the object before the change, or a mapping of its old values. Call it before setting
    the new values (or with a mapping taken before); pass the result as the ``changed`` detail of :func:`record`.
    Datetimes become ISO 8601 UTC strings (the journal page shows them in the local zone); money keeps
    its unit (integer fen in ``*_fen`` fields). Unchanged fields are left out, so ``{}`` means no change.
    """
    old = obj.get if isinstance(obj, Mapping) else lambda name: getattr(obj, name)
    pairs = {name: [_plain(old(name)), _plain(value)] for name, value in new.items()}
    return {name: pair for name, pair in pairs.items() if pair[0] != pair[1]}


UNSET = object()


def record(action: str, *, actor: User | None, subject: str = "", rider_id: int | None = None,
           merchant_id: int | None = None, organisation_id=UNSET, now: datetime | None = None,
           **details) -> None:
    """Add a journal entry to the current transaction (flushed with it; the caller commits).

    ``organisation_id``: the organisation the entry belongs to — the task's or the merchant's when the
    caller knows it; left out, the acting coordinator's (an admin's, a rider's or the system's act
    without one is programme-wide, ``None``). ``details`` are JSON-serialisable values shown with the
    labels given to :func:`describe`.
    """
    if organisation_id is UNSET:
        organisation_id = actor.organisation_id if actor is not None and actor.role == "coordinator" else None
    db.session.add(JournalEntry(action=action, actor_id=actor.id if actor else None, subject=subject,
                                rider_id=rider_id, merchant_id=merchant_id, organisation_id=organisation_id,
                                created_at=now or utcnow(),
                                details=json.dumps(details, ensure_ascii=False, default=str)))
