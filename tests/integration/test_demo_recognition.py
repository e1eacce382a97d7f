"""The demo's recognition history: trainings, verified service, ratings and levels made through the services."""

import random
from datetime import UTC, datetime

import sqlalchemy as sa

from accounts.models import User
from demo.load import load_demo
from notifications.models import Notification
from recognition import levels
from volunteer.models import TRAINING, Task
from volunteer.queries import ratings_by_rider, trainings_attended_by_rider, verified_minutes_by_rider
from volunteer.rating_models import ServiceRating

LOADED = datetime(2031, 7, 14, 9, 3, tzinfo=UTC)


def test_the_demo_riders_reach_different_levels_through_the_services(app, ctx):
    with ctx() as session:
        counts = load_demo(random.Random(2022), now=LOADED)
        session.commit()
        assert counts["training tasks"] == 3 and counts["service tasks"] == 30 and counts["ratings"] > 20
        rider = {n: session.scalar(sa.select(User.id).where(User.phone == f"138000000{n:02d}")) for n in (1, 2, 3, 6)}
        minutes = verified_minutes_by_rider(rider_ids=rider.values())
        assert {n: levels.level_for_minutes(minutes.get(r, 0)) for n, r in rider.items()} == {1: 2, 2: 1, 3: 3, 6: 0}
        assert {n: levels.current_level(r) for n, r in rider.items()} == {1: 2, 2: 1, 3: 3, 6: 0}
        readme = levels.level_history(rider[1])
        assert [(c.level_from, c.level_to) for c in readme] == [(0, 1), (1, 2)]
        assert all(c.changed_at < LOADED for c in readme)
        assert session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.user_id == rider[1], Notification.kind == "level_changed")) == 2
        assert session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.category == TRAINING)) == 3
        assert trainings_attended_by_rider(rider_ids=[rider[1]]).get(rider[1], 0) >= 2
        assert set(ratings_by_rider(rider_ids=[rider[1]])[rider[1]]) <= {"good", "fair"}
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRating)
                              .where(ServiceRating.replaces_id.is_not(None))) == 1
