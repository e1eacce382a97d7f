"""The dashboard's figures of accounts (oversight/dashboard_figures.py reads them)."""

from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from accounts.scope import in_organisation
from extensions import db


def new_riders(organisation_id: int | None, start: datetime, end: datetime) -> int:
    """How many rider accounts were created in ``[start, end)`` (aware UTC), deleted ones included (they were
    new then): all of them for ``organisation_id`` ``None``, else those in the organisation's scope now
    (:func:`accounts.scope.in_organisation`: riders who signed up for its tasks since)."""
    query = sa.select(sa.func.count()).select_from(User).where(User.role == "rider", User.created_at >= start,
                                                              User.created_at < end)
    if organisation_id is not None:
        query = query.where(in_organisation(organisation_id))
    return db.session.scalar(query) or 0
