"""Volunteer levels by verified lifetime hours: a configurable ladder (``LEVEL_LADDER_HOURS``, default one to five
stars at 30, 60, 100, 200 and 300 hours). Level 0 means no star yet.

The pure part (the ladder, the level of a number of minutes, what the next star needs) comes first. On top of it:
whenever volunteer sends :data:`core.events.service_changed` (attendance marked or corrected, a check-out's
verified minutes), :func:`recheck_level` re-reads the rider's verified lifetime minutes and, when their level
differs from the last recorded one, records a :class:`recognition.models.LevelChange` with its reason (up, or
down after a corrected attendance) and notifies the rider (``level_changed``), in the same transaction. Each
change has a unique key naming the change before it, so two processes noticing it at once record it once.
``flask recognition levels`` (:mod:`recognition.cli`) re-checks every rider.

For templates: :func:`stars` draws a level as "★★★☆☆" with its words for screen readers.
"""

from datetime import datetime
from itertools import pairwise

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from core import events
from core.db import insert_ignoring_conflicts
from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from recognition.models import LevelChange
from volunteer.queries import verified_minutes_by_rider

RECHECK_ATTEMPTS = 3  # a concurrent change moves the key on: read again and decide again, a few times at most


def parse_ladder(text: str) -> tuple[int, ...]:
    """The hours of each level from ``"30,60,100,200,300"``: positive whole hours, strictly rising.

    Raises ``ValueError`` with the reason for anything else (empty, not a number, not rising)."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        raise ValueError("the ladder needs at least one level")
    hours = tuple(int(part) for part in parts)  # ValueError for a non-number
    if any(h <= 0 for h in hours) or any(b <= a for a, b in pairwise(hours)):
        raise ValueError("the ladder's hours must be positive and rising")
    return hours


def ladder() -> tuple[int, ...]:
    """The configured ladder (hours for level 1, 2, …), from the app's ``LEVEL_LADDER_HOURS``."""
    return parse_ladder(current_app.config["LEVEL_LADDER_HOURS"])


def level_for_minutes(minutes: int, steps: tuple[int, ...] | None = None) -> int:
    """The level (0 = none, 1 … len(ladder)) reached with ``minutes`` verified lifetime minutes."""
    steps = steps if steps is not None else ladder()
    return sum(1 for hours in steps if minutes >= hours * 60)


def minutes_to_next(minutes: int, steps: tuple[int, ...] | None = None) -> int | None:
    """Minutes still needed for the next level, or ``None`` at the top of the ladder."""
    steps = steps if steps is not None else ladder()
    level = level_for_minutes(minutes, steps)
    return None if level >= len(steps) else steps[level] * 60 - minutes


# --- recorded levels ---------------------------------------------------------------------------------------

def _last_change(rider_id: int) -> LevelChange | None:
    return db.session.scalar(sa.select(LevelChange).where(LevelChange.rider_id == rider_id)
                             .order_by(LevelChange.id.desc()).limit(1))


def current_level(rider_id: int) -> int:
    """The rider's recorded level: the ``level_to`` of their last :class:`LevelChange`, 0 when none."""
    last = _last_change(rider_id)
    return last.level_to if last is not None else 0


def level_history(rider_id: int) -> list[LevelChange]:
    """The rider's level changes, oldest first."""
    return list(db.session.scalars(sa.select(LevelChange).where(LevelChange.rider_id == rider_id)
                                   .order_by(LevelChange.id)))


def change_reason(level_from: int, level_to: int, minutes: int) -> str:
    """The reason of a level change in words (English, as stored; :func:`reason_text` shows it translated)."""
    hours = minutes // 60
    if level_to > level_from:
        return f"Reached {hours} verified volunteer hour{'' if hours == 1 else 's'} (level {level_to})."
    return (f"Verified volunteer hours fell to {hours} after a correction of attendance (level {level_to}).")


def reason_text(change: LevelChange) -> str:
    """The reason of ``change`` in the current language, from its numbers."""
    hours = change.minutes // 60
    if change.level_to > change.level_from:
        return ngettext("Reached %(num)d verified volunteer hour.", "Reached %(num)d verified volunteer hours.", hours)
    return ngettext("Verified volunteer hours fell to %(num)d after a correction of attendance.",
                    "Verified volunteer hours fell to %(num)d after a correction of attendance.", hours)


def recheck_level(*, rider_id: int, now: datetime | None = None) -> LevelChange | None:
    """Compare the rider's level by verified lifetime minutes with the recorded one; when they differ, record
    a :class:`LevelChange` (key ``level:<rider>:<previous change id or 0>``, inserted once even when two
    processes race) and notify the rider (inbox, ``level_changed``) in the current transaction.

    Returns the change recorded by this call, or ``None`` (no change, or another process recorded it).
    Flushes, never commits.
    """
    now = now or utcnow()
    for _attempt in range(RECHECK_ATTEMPTS):
        minutes = verified_minutes_by_rider(rider_ids=[rider_id]).get(rider_id, 0)
        last = _last_change(rider_id)
        before = last.level_to if last is not None else 0
        after = level_for_minutes(minutes)
        if after == before:
            return None
        new_id = insert_ignoring_conflicts(
            LevelChange.__table__, rider_id=rider_id, level_from=before, level_to=after, minutes=minutes,
            reason=change_reason(before, after, minutes), changed_at=now,
            key=f"level:{rider_id}:{last.id if last is not None else 0}")
        if new_id is not None:
            notify(user_id=rider_id, kind="level_changed",
                   params={"level_from": before, "level_to": after, "hours": minutes // 60},
                   link="/recognition/", dedupe_key=f"level_changed:{new_id}", now=now)
            return db.session.get(LevelChange, new_id)
    return None  # others kept changing it: their records stand, the next re-check settles it


def riders_to_check() -> list[int]:
    """Ids of every rider with verified service or a recorded level (whose level may need a change), ascending."""
    riders = set(verified_minutes_by_rider()) | set(db.session.scalars(sa.select(LevelChange.rider_id).distinct()))
    return sorted(riders)


def _on_service_changed(sender=None, *, rider_id: int, now: datetime | None = None, **_kw) -> None:
    """Receiver of :data:`core.events.service_changed`: re-check the rider's level in the sender's transaction."""
    recheck_level(rider_id=rider_id, now=now)


events.service_changed.connect(_on_service_changed)


# --- display ---------------------------------------------------------------------------------------------

def stars(level: int, total: int | None = None) -> Markup:
    """``level`` of ``total`` (default: the ladder's length) as stars for a template: "★★★☆☆" hidden from
    screen readers, followed by the words ("3 of 5 stars") for them."""
    total = total if total is not None else len(ladder())
    level = max(0, min(level, total))
    words = _("%(level)d of %(total)d stars", level=level, total=total)
    return Markup('<span class="stars"><span aria-hidden="true">{}</span><span class="visually-hidden">{}</span>'
                  "</span>").format("★" * level + "☆" * (total - level), escape(words))
