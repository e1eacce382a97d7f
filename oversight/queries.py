"""Reads of the journal for the audit-trail page (and, later, the dashboards and the API)."""

from datetime import datetime

import sqlalchemy as sa

from accounts.journal import JournalEntry
from extensions import db


def journal_entries(*, organisation_id: int | None = None, rider_ids: list[int] | None = None,
                    merchant_id: int | None = None,
                    action: str | None = None, since: datetime | None = None, until: datetime | None = None,
                    limit: int = 200) -> list[JournalEntry]:
    """Journal entries, newest first, with actor and rider loaded.

    ``organisation_id`` (an organisation's entries only), ``rider_ids`` (``[]`` matches nothing),
    ``merchant_id`` and ``action`` filter when given;
    ``since``/``until`` are aware UTC bounds ``[since, until)``. At most ``limit`` entries.
    """
    query = (sa.select(JournalEntry)
             .options(sa.orm.joinedload(JournalEntry.actor), sa.orm.joinedload(JournalEntry.rider))
             .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc()))
    if organisation_id is not None:
        query = query.where(JournalEntry.organisation_id == organisation_id)
    if rider_ids is not None:
        query = query.where(JournalEntry.rider_id.in_(rider_ids))
    if merchant_id is not None:
        query = query.where(JournalEntry.merchant_id == merchant_id)
    if action:
        query = query.where(JournalEntry.action == action)
    if since:
        query = query.where(JournalEntry.created_at >= since)
    if until:
        query = query.where(JournalEntry.created_at < until)
    return list(db.session.scalars(query.limit(limit)))
