"""Pioneers: a coordinator marks a rider of their organisation as a pioneer with a reason, or withdraws the mark
with a reason. Both are new ``pioneer_mark`` rows, journalled; marking notifies the rider.

A rider has at most one mark in force per organisation (a mark no withdrawal names). No unique key can say so
without a schema change (that would be a partial unique index on ``(rider_id, organisation_id) WHERE kind =
'mark'`` plus a way to retire withdrawn marks), so marking is a conditional ``INSERT … SELECT … WHERE NOT
EXISTS`` (a mark in force) issued after locking the rider's account row (``SELECT … FOR UPDATE`` on
PostgreSQL): a second tap waits for the first transaction, then its fresh READ COMMITTED snapshot sees the
first mark and inserts nothing. SQLite lets one writer at a time, so the statement there is atomic as it is.
A withdrawal is once by ``withdraws_id``'s unique key (an INSERT that ignores the conflict).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User  # a type in signatures: reads go through accounts.queries
from accounts.queries import get_organisation, in_organisation_scope
from accounts.services import hold_account
from core.db import insert_ignoring_conflicts
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from recognition.models import PioneerMark

REASON_MAX = 200

journal.describe({"pioneer.mark": _l("Marked as pioneer"), "pioneer.withdraw": _l("Pioneer mark withdrawn")},
                 reason=_l("Reason"), mark=_l("Pioneer mark"))


class ReasonRequired(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Give a reason (at most 200 characters)."))


class AlreadyPioneer(DomainError):
    def __init__(self):
        super().__init__(_l("This rider is already marked as a pioneer."))


class NotPioneer(DomainError):
    def __init__(self):
        super().__init__(_l("This rider has no pioneer mark to withdraw."))


class OutsideOrganisation(DomainError):
    def __init__(self):
        super().__init__(_l("Only a coordinator of the rider's organisation can do this."))


def _in_force():
    """A condition on :class:`PioneerMark`: a mark no withdrawal names."""
    withdrawal = sa.orm.aliased(PioneerMark)
    return sa.and_(PioneerMark.kind == "mark", ~sa.exists().where(withdrawal.withdraws_id == PioneerMark.id))


def marks_in_force(rider_ids, organisation_id: int | None = None) -> dict[int, list[PioneerMark]]:
    """The marks in force of ``rider_ids`` (of ``organisation_id`` only when given), newest first, by rider id
    (riders without absent). One query."""
    rider_ids = list(rider_ids)
    if not rider_ids:
        return {}
    query = (sa.select(PioneerMark).where(_in_force(), PioneerMark.rider_id.in_(rider_ids))
             .options(sa.orm.joinedload(PioneerMark.organisation))
             .order_by(PioneerMark.created_at.desc(), PioneerMark.id.desc()))
    if organisation_id is not None:
        query = query.where(PioneerMark.organisation_id == organisation_id)
    found: dict[int, list[PioneerMark]] = {}
    for mark in db.session.scalars(query):
        found.setdefault(mark.rider_id, []).append(mark)
    return found


def history(rider_id: int, organisation_id: int | None = None) -> list[PioneerMark]:
    """Every mark and withdrawal of a rider (of one organisation when given), newest first."""
    query = (sa.select(PioneerMark).where(PioneerMark.rider_id == rider_id)
             .order_by(PioneerMark.created_at.desc(), PioneerMark.id.desc()))
    if organisation_id is not None:
        query = query.where(PioneerMark.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def _clean(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX or "\x00" in reason:
        raise ReasonRequired()
    return reason


def _check_scope(actor: User, rider: User) -> int:
    """The actor's organisation, when ``actor`` coordinates an organisation ``rider`` belongs to."""
    if not actor.is_coordinator or actor.organisation_id is None or not rider.is_rider:
        raise OutsideOrganisation()
    if not in_organisation_scope(rider.id, actor.organisation_id):
        raise OutsideOrganisation()
    return actor.organisation_id


def mark_pioneer(*, rider: User, reason: str, actor: User, now: datetime | None = None) -> PioneerMark:
    """Mark ``rider`` as a pioneer of ``actor``'s organisation with ``reason`` (1–200 characters), once: a
    second mark while one is in force writes nothing. Journals ``pioneer.mark``, notifies the rider. Flushes.

    Raises :class:`ReasonRequired`, :class:`OutsideOrganisation`, :class:`AlreadyPioneer`."""
    reason = _clean(reason)
    organisation_id = _check_scope(actor, rider)
    now = now or utcnow()
    hold_account(rider.id)  # the race's queue
    existing = sa.orm.aliased(PioneerMark)
    withdrawal = sa.orm.aliased(PioneerMark)
    in_force = (sa.select(existing.id).where(
        existing.rider_id == rider.id, existing.organisation_id == organisation_id, existing.kind == "mark",
        ~sa.exists().where(withdrawal.withdraws_id == existing.id)))
    values = sa.select(sa.literal(rider.id), sa.literal(organisation_id), sa.literal("mark"), sa.literal(reason),
                       sa.literal(actor.id), sa.literal(now, PioneerMark.created_at.type)).where(~sa.exists(in_force))
    table = PioneerMark.__table__
    new_id = db.session.execute(table.insert().from_select(
        ["rider_id", "organisation_id", "kind", "reason", "actor_id", "created_at"], values)
        .returning(table.c.id)).scalar()  # RETURNING: psycopg reports no row count for INSERT … SELECT
    if new_id is None:
        raise AlreadyPioneer()
    mark = db.session.get(PioneerMark, new_id)
    organisation = get_organisation(organisation_id)
    journal.record("pioneer.mark", actor=actor, subject=rider.name, rider_id=rider.id,
                   organisation_id=organisation_id, now=now, reason=reason)
    notify(user_id=rider.id, kind="pioneer_marked", params={"organisation": organisation.name, "reason": reason},
           link="/recognition/", now=now)
    return mark


def withdraw_pioneer(*, rider: User, reason: str, actor: User, now: datetime | None = None) -> PioneerMark:
    """Withdraw the mark in force of ``rider`` in ``actor``'s organisation with ``reason``, once (the
    withdrawal names the mark; ``withdraws_id`` is unique). Journals ``pioneer.withdraw``. Flushes; returns
    the withdrawal.

    Raises :class:`ReasonRequired`, :class:`OutsideOrganisation`, :class:`NotPioneer`."""
    reason = _clean(reason)
    organisation_id = _check_scope(actor, rider)
    now = now or utcnow()
    mark = marks_in_force([rider.id], organisation_id).get(rider.id, [None])[0]
    if mark is None:
        raise NotPioneer()
    new_id = insert_ignoring_conflicts(PioneerMark.__table__, rider_id=rider.id, organisation_id=organisation_id,
                                       kind="withdraw", reason=reason, actor_id=actor.id, created_at=now,
                                       withdraws_id=mark.id)
    if new_id is None:
        raise NotPioneer()
    journal.record("pioneer.withdraw", actor=actor, subject=rider.name, rider_id=rider.id,
                   organisation_id=organisation_id, now=now, reason=reason, mark=mark.id)
    return db.session.get(PioneerMark, new_id)
