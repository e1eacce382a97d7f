"""The composite score, explained: per rider and period, four parts the programme weighs (``score_part`` rows).

* ``training``: training tasks attended × points per training;
* ``hours``: verified volunteer minutes × points per hour ÷ 60, rounded down (fractional hours count: a
  90-minute task gives 1.5 hours' worth, so a rider is never cheated of the minutes past a whole hour, and the
  points stay whole by rounding the product down, never the hours);
* ``reports``: reports resolved (closed after the reporter confirmed or a coordinator verified) × points per
  report;
* ``ratings``: the share of good (1) and fair (½) ratings × the part's points at an all-good record. A rider
  with no ratings gets 0: like the other parts, points come from service done, and a neutral half would rank a
  rider nobody has rated yet as high as one whose every task was rated fair.

Each part is capped at its ``max_points`` (its weight). Weights missing from the table fall back to
:data:`DEFAULTS`. The period is the rolling ``SCORE_PERIOD_MONTHS`` months ending now. Reads lower packages
only through their query functions; many riders cost one grouped query per part, never one per rider.
"""

import calendar
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from core.db import insert_ignoring_conflicts
from core.timeutil import utcnow
from extensions import db
from recognition.models import SCORE_PARTS, ScorePart
from reports.queries import resolved_reports_by_reporter
from volunteer.queries import ratings_by_rider, trainings_attended_by_rider, verified_minutes_by_rider

journal.describe({"score.weights": _l("Score weights changed")}, weights_before=_l("Weights before"),
                 weights_after=_l("Weights after"))

DEFAULTS = {"training": (20, 5), "hours": (40, 3), "reports": (20, 5), "ratings": (20, 20)}
"""``{code: (max_points, points_per_unit)}`` when a part has no row: 100 points in all (see docs/recognition.md)."""


@dataclass(frozen=True)
class Weight:
    """How a part counts: at most ``max_points``, ``points_per_unit`` per unit (for ratings: at an all-good
    record)."""

    code: str
    max_points: int
    points_per_unit: int


@dataclass(frozen=True)
class Period:
    """The period a score covers: ``[since, until)``, aware UTC, ``months`` long."""

    since: datetime
    until: datetime
    months: int


@dataclass(frozen=True)
class Part:
    """One part of a rider's score.

    ``raw``: the figure it counts (trainings, verified minutes, reports; for ratings the number of ratings);
    ``ratings``: ``{"good": n, "fair": n, "poor": n}`` (ratings only); ``points`` (capped at ``max_points``);
    ``more``: what would raise it — units still needed for the part's maximum (trainings, whole hours,
    reports; for ratings one more good rating), ``None`` at the maximum or when nothing can raise it;
    ``gain``: the points that would add."""

    code: str
    raw: int
    points: int
    max_points: int
    points_per_unit: int
    more: int | None
    gain: int
    ratings: dict | None = None

    @property
    def at_max(self) -> bool:
        return self.points >= self.max_points


@dataclass(frozen=True)
class Score:
    """A rider's composite score: its ``parts`` in :data:`SCORE_PARTS` order, ``total`` of ``max_total``."""

    rider_id: int
    parts: tuple[Part, ...]
    period: Period

    @property
    def total(self) -> int:
        return sum(part.points for part in self.parts)

    @property
    def max_total(self) -> int:
        return sum(part.max_points for part in self.parts)

    def part(self, code: str) -> Part:
        """The part named ``code``."""
        return next(part for part in self.parts if part.code == code)


def weights() -> dict[str, Weight]:
    """The weight of every part: its ``score_part`` row, else :data:`DEFAULTS` (one query)."""
    rows = {row.code: row for row in db.session.scalars(sa.select(ScorePart))}
    return {code: Weight(code, rows[code].max_points, rows[code].points_per_unit) if code in rows
            else Weight(code, *DEFAULTS[code]) for code in SCORE_PARTS}


def period(now: datetime | None = None, months: int | None = None) -> Period:
    """The rolling period ending at ``now`` (aware UTC, default now): ``months`` (default the app's
    ``SCORE_PERIOD_MONTHS``) calendar months back."""
    until = now or utcnow()
    months = months if months is not None else int(current_app.config["SCORE_PERIOD_MONTHS"])
    return Period(months_before(until, months), until, months)


def months_before(moment: datetime, months: int) -> datetime:
    """``moment`` moved ``months`` calendar months back, the day clamped to the month's end (31 March - 1 month
    = 28 or 29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def counted_part(code: str, units: int, weight: Weight) -> Part:
    """A part counting whole units (trainings, reports): ``units × points_per_unit``, capped; ``more`` is
    the units still needed for the maximum."""
    points = min(weight.max_points, units * weight.points_per_unit)
    gap = weight.max_points - points
    more = _ceil_div(gap, weight.points_per_unit) if gap > 0 and weight.points_per_unit > 0 else None
    return Part(code, units, points, weight.max_points, weight.points_per_unit, more, gap if more else 0)


def hours_part(minutes: int, weight: Weight) -> Part:
    """The hours part from verified ``minutes``: ``minutes × points_per_unit ÷ 60`` rounded down, capped;
    ``more`` is the whole hours still needed for the maximum."""
    ppu = weight.points_per_unit
    points = min(weight.max_points, minutes * ppu // 60)
    gap = weight.max_points - points
    if gap <= 0 or ppu <= 0:
        return Part("hours", minutes, points, weight.max_points, ppu, None, 0)
    minutes_needed = _ceil_div(weight.max_points * 60, ppu) - minutes
    return Part("hours", minutes, points, weight.max_points, ppu, _ceil_div(minutes_needed, 60), gap)


def _rating_points(good: int, fair: int, total: int, weight: Weight) -> int:
    if total == 0:
        return 0
    return min(weight.max_points, weight.points_per_unit * (2 * good + fair) // (2 * total))


def ratings_part(counts: dict | None, weight: Weight) -> Part:
    """The ratings part from ``{"good": n, "fair": n, "poor": n}``: the share of good (1) and fair (½)
    ratings × ``points_per_unit``, rounded down, capped; no ratings give 0. ``more`` is 1 (one more good
    rating) when that would add points."""
    counts = {kind: int((counts or {}).get(kind, 0)) for kind in ("good", "fair", "poor")}
    total = sum(counts.values())
    points = _rating_points(counts["good"], counts["fair"], total, weight)
    gain = _rating_points(counts["good"] + 1, counts["fair"], total + 1, weight) - points
    return Part("ratings", total, points, weight.max_points, weight.points_per_unit,
                1 if gain > 0 else None, max(gain, 0), counts)


def scores(rider_ids, *, within: Period | None = None, now: datetime | None = None,
           weighted: dict[str, Weight] | None = None) -> dict[int, Score]:
    """The scores of ``rider_ids`` over ``within`` (default :func:`period` at ``now``): ``{rider id: Score}``,
    every rider present (zero parts when they did nothing). One grouped query per part, whatever the count."""
    rider_ids = list(rider_ids)
    within = within or period(now)
    weighted = weighted or weights()
    if not rider_ids:
        return {}
    span = {"rider_ids": rider_ids, "since": within.since, "until": within.until}
    trainings = trainings_attended_by_rider(**span)
    minutes = verified_minutes_by_rider(**span)
    reports = resolved_reports_by_reporter(**span)
    ratings = ratings_by_rider(**span)
    return {rider_id: Score(rider_id, (
        counted_part("training", int(trainings.get(rider_id, 0)), weighted["training"]),
        hours_part(int(minutes.get(rider_id, 0)), weighted["hours"]),
        counted_part("reports", int(reports.get(rider_id, 0)), weighted["reports"]),
        ratings_part(ratings.get(rider_id), weighted["ratings"]),
    ), within) for rider_id in rider_ids}


def score_of(rider_id: int, *, within: Period | None = None, now: datetime | None = None) -> Score:
    """One rider's score (see :func:`scores`)."""
    return scores([rider_id], within=within, now=now)[rider_id]


def save_weights(values: dict[str, tuple[int, int]], *, actor, now: datetime | None = None) -> bool:
    """Set each part's ``(max_points, points_per_unit)`` (integers 0–1000, checked by the form and the
    table's CHECKs) by updating its row or inserting the missing one; journals ``score.weights`` with the
    weights before and after. Returns whether anything changed (nothing is journalled otherwise). Flushes."""
    now = now or utcnow()
    before = {code: [w.max_points, w.points_per_unit] for code, w in weights().items()}
    after = {code: [int(values[code][0]), int(values[code][1])] for code in SCORE_PARTS}
    if before == after:
        return False
    for code, (max_points, per_unit) in after.items():
        changed = db.session.execute(
            sa.update(ScorePart).where(ScorePart.code == code)
            .values(max_points=max_points, points_per_unit=per_unit, updated_at=now, updated_by_id=actor.id),
            execution_options={"synchronize_session": False}).rowcount
        if not changed:
            insert_ignoring_conflicts(ScorePart.__table__, code=code, max_points=max_points,
                                      points_per_unit=per_unit, updated_at=now, updated_by_id=actor.id)
    journal.record("score.weights", actor=actor, subject="", now=now, weights_before=before, weights_after=after)
    return True
