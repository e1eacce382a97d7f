"""The composite score: each part and its weight, the cap, the fallback to the defaults, the ratings share, the
period's edges, "what would raise it", and one grouped query per part for many riders."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from extensions import db
from recognition import score
from recognition.models import ScorePart
from tests.factories import make_org, make_user
from tests.recognition_factories import closed_report, served

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
WITHIN = score.Period(datetime(2025, 6, 15, 12, 0, tzinfo=UTC), NOW, 12)


@pytest.fixture
def cast(session):
    org = make_org("塘市办事处")
    coordinator = make_user("coordinator", "陈丽华", org.id)
    riders = [make_user(name=f"骑手{i}") for i in range(3)]
    session.flush()
    return org.id, coordinator.id, [r.id for r in riders]


def set_weight(code, max_points, per_unit):
    db.session.execute(sa.delete(ScorePart).where(ScorePart.code == code))
    db.session.add(ScorePart(code=code, max_points=max_points, points_per_unit=per_unit))
    db.session.flush()


def test_every_part_is_zero_for_a_rider_who_did_nothing(cast):
    _org, _coordinator, (rider, *_rest) = cast
    result = score.score_of(rider, within=WITHIN)
    assert [(p.code, p.raw, p.points) for p in result.parts] == [
        ("training", 0, 0), ("hours", 0, 0), ("reports", 0, 0), ("ratings", 0, 0)]
    assert result.total == 0 and result.max_total == 100


def test_the_defaults_apply_when_no_weight_rows_exist(cast):
    db.session.execute(sa.delete(ScorePart))
    assert {code: (w.max_points, w.points_per_unit) for code, w in score.weights().items()} == {
        "training": (20, 5), "hours": (40, 3), "reports": (20, 5), "ratings": (20, 20)}


def test_a_row_overrides_its_part_and_the_others_fall_back(cast):
    db.session.execute(sa.delete(ScorePart))
    set_weight("hours", 60, 6)
    weights = score.weights()
    assert (weights["hours"].max_points, weights["hours"].points_per_unit) == (60, 6)
    assert (weights["training"].max_points, weights["training"].points_per_unit) == (20, 5)


def test_training_counts_each_training_attended(cast):
    org, coordinator, (rider, *_rest) = cast
    for day in (1, 2):
        served(rider, org, coordinator, starts_at=NOW - timedelta(days=day), training=True)
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=3))  # not a training
    part = score.score_of(rider, within=WITHIN).part("training")
    assert (part.raw, part.points, part.max_points) == (2, 10, 20)
    assert (part.more, part.gain) == (2, 10)  # two more trainings fill the part's 20


def test_training_follows_its_weight(cast):
    org, coordinator, (rider, *_rest) = cast
    set_weight("training", 30, 7)
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), training=True)
    part = score.score_of(rider, within=WITHIN).part("training")
    assert (part.points, part.max_points, part.more, part.gain) == (7, 30, 4, 23)


def test_hours_count_verified_minutes_fractionally_rounded_down(cast):
    org, coordinator, (rider, *_rest) = cast
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), minutes=90)
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=2), minutes=None)  # marked by hand: not verified
    part = score.score_of(rider, within=WITHIN).part("hours")
    assert (part.raw, part.points) == (90, 4)  # 1.5 h × 3 = 4.5 → 4
    assert (part.more, part.gain) == (12, 36)  # 40 points need 800 minutes: 710 more, 12 whole hours


def test_hours_are_capped_at_the_maximum_and_nothing_raises_them_then(cast):
    org, coordinator, (rider, *_rest) = cast
    for day in range(1, 4):
        served(rider, org, coordinator, starts_at=NOW - timedelta(days=day), minutes=300)
    part = score.score_of(rider, within=WITHIN).part("hours")
    assert (part.raw, part.points, part.max_points) == (900, 40, 40)
    assert part.at_max and part.more is None and part.gain == 0


def test_reports_count_closed_reports_only(cast):
    _org, _coordinator, (rider, other, _third) = cast
    closed_report(rider, closed_at=NOW - timedelta(days=5))
    closed_report(rider, closed_at=NOW - timedelta(days=6))
    closed_report(rider, closed_at=NOW - timedelta(days=7), status="resolved")  # not confirmed yet
    closed_report(other, closed_at=NOW - timedelta(days=5))
    result = score.scores([rider, other], within=WITHIN)
    assert (result[rider].part("reports").raw, result[rider].part("reports").points) == (2, 10)
    assert result[other].part("reports").points == 5


def test_reports_are_capped(cast):
    _org, _coordinator, (rider, *_rest) = cast
    set_weight("reports", 12, 5)
    for day in range(1, 4):
        closed_report(rider, closed_at=NOW - timedelta(days=day))
    part = score.score_of(rider, within=WITHIN).part("reports")
    assert (part.raw, part.points, part.more) == (3, 12, None)


def test_ratings_are_the_share_of_good_and_half_of_fair(cast):
    org, coordinator, (rider, *_rest) = cast
    for day, rating in enumerate(("good", "good", "fair", "poor"), start=1):
        served(rider, org, coordinator, starts_at=NOW - timedelta(days=day), rating=rating)
    part = score.score_of(rider, within=WITHIN).part("ratings")
    assert part.ratings == {"good": 2, "fair": 1, "poor": 1}
    assert (part.raw, part.points) == (4, 12)  # (2 + ½) / 4 × 20 = 12.5 → 12
    assert (part.more, part.gain) == (1, 2)  # one more good: 3.5 / 5 × 20 = 14


def test_no_ratings_give_zero_and_a_good_one_would_give_the_part(cast):
    _org, _coordinator, (rider, *_rest) = cast
    part = score.score_of(rider, within=WITHIN).part("ratings")
    assert (part.points, part.more, part.gain) == (0, 1, 20)


def test_all_good_ratings_reach_the_maximum(cast):
    org, coordinator, (rider, *_rest) = cast
    set_weight("ratings", 15, 20)  # an all-good record is worth 20, capped at 15
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), rating="good")
    part = score.score_of(rider, within=WITHIN).part("ratings")
    assert (part.points, part.more, part.gain) == (15, None, 0)


def test_the_period_includes_its_start_and_excludes_its_end(cast):
    org, coordinator, (rider, *_rest) = cast
    served(rider, org, coordinator, starts_at=WITHIN.since, training=True)
    served(rider, org, coordinator, starts_at=WITHIN.since - timedelta(seconds=1), training=True)
    served(rider, org, coordinator, starts_at=WITHIN.until, training=True)
    closed_report(rider, closed_at=WITHIN.until - timedelta(seconds=1))
    closed_report(rider, closed_at=WITHIN.until)
    result = score.score_of(rider, within=WITHIN)
    assert result.part("training").raw == 1 and result.part("reports").raw == 1


def test_the_period_is_the_configured_months_back_from_now(app, cast):
    assert app.config["SCORE_PERIOD_MONTHS"] == 12
    assert score.period(NOW) == WITHIN
    assert score.period(datetime(2026, 3, 31, tzinfo=UTC), 1).since == datetime(2026, 2, 28, tzinfo=UTC)
    assert score.period(datetime(2026, 1, 10, tzinfo=UTC), 2).since == datetime(2025, 11, 10, tzinfo=UTC)


def test_the_total_adds_the_parts(cast):
    org, coordinator, (rider, *_rest) = cast
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), minutes=720, training=True, rating="good")
    closed_report(rider, closed_at=NOW - timedelta(days=1))
    result = score.score_of(rider, within=WITHIN)
    assert [p.points for p in result.parts] == [5, 36, 5, 20]
    assert result.total == 66


def test_many_riders_cost_one_query_per_part(cast):
    org, coordinator, riders = cast
    for i, rider in enumerate(riders):
        served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), minutes=60 * (i + 1), rating="good")
    weights = score.weights()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        result = score.scores(riders, within=WITHIN, weighted=weights)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4
    assert [result[r].part("hours").points for r in riders] == [3, 6, 9]


def test_a_part_worth_nothing_per_unit_has_nothing_that_raises_it(cast):
    org, coordinator, (rider, *_rest) = cast
    set_weight("training", 20, 0)
    set_weight("hours", 40, 0)
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), minutes=120, training=True)
    result = score.score_of(rider, within=WITHIN)
    assert [(p.points, p.more, p.gain) for p in result.parts[:2]] == [(0, None, 0), (0, None, 0)]


def test_an_hour_short_of_the_maximum_asks_for_whole_hours(cast):
    org, coordinator, (rider, *_rest) = cast
    served(rider, org, coordinator, starts_at=NOW - timedelta(days=1), minutes=13 * 60 + 1)
    part = score.score_of(rider, within=WITHIN).part("hours")
    assert (part.points, part.more, part.gain) == (39, 1, 1)  # 40 points at 800 minutes: 19 more → 1 hour
