"""Volunteer levels: the ladder, a change recorded once with its reason and notified, down after a corrected
attendance, the stars, and ``flask recognition levels``."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from notifications import kinds
from notifications.models import Notification
from recognition import levels
from recognition.cli import recognition_cli
from recognition.models import LevelChange
from tests.factories import make_org, make_user
from tests.service_factories import serve
from volunteer import attendance

DAY = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)


@pytest.fixture
def short_ladder(app, monkeypatch):
    monkeypatch.setitem(app.config, "LEVEL_LADDER_HOURS", "1,2,3,4,5")  # an hour a star: short tasks suffice


@pytest.fixture
def people(session, short_ladder):
    org = make_org()
    coordinator = make_user("coordinator", name="周协调", organisation_id=org.id)
    return make_user(), coordinator


def notes_of(session, rider):
    return session.scalars(sa.select(Notification).where(Notification.user_id == rider.id,
                                                         Notification.kind == "level_changed")
                           .order_by(Notification.id)).all()


@pytest.mark.parametrize("minutes, level, to_next", [(0, 0, 1800), (1799, 0, 1), (1800, 1, 1800), (3600, 2, 2400),
                                                     (17999, 4, 1), (18000, 5, None), (99999, 5, None)])
def test_the_default_ladder(app, minutes, level, to_next):
    with app.app_context():
        assert levels.ladder() == (30, 60, 100, 200, 300)
        assert levels.level_for_minutes(minutes) == level
        assert levels.minutes_to_next(minutes) == to_next


@pytest.mark.parametrize("text", ["", "30,20", "0,10", "a,b", "30,30"])
def test_a_bad_ladder_is_refused(text):
    with pytest.raises(ValueError):
        levels.parse_ladder(text)


def test_a_check_out_that_reaches_a_level_records_it_once_and_notifies(session, people):
    rider, coordinator = people
    serve(rider, coordinator, starts_at=DAY, minutes=90)
    session.commit()
    [change] = levels.level_history(rider.id)
    assert (change.level_from, change.level_to, change.minutes, change.key) == (0, 1, 90, f"level:{rider.id}:0")
    assert change.reason == "Reached 1 verified volunteer hour (level 1)."
    with force_locale("en"):
        assert levels.reason_text(change) == "Reached 1 verified volunteer hour."
    assert levels.current_level(rider.id) == 1
    [note] = notes_of(session, rider)
    with force_locale("en"):
        assert kinds.render(note.kind, note.values) == (
            "Your volunteer level changed", "You reached level 1 with 1 verified volunteer hour. Thank you!")
    with force_locale("zh"):
        assert "1" in kinds.render(note.kind, note.values)[1]
    assert levels.recheck_level(rider_id=rider.id, now=DAY) is None  # nothing changed since: nothing recorded


def test_two_levels_at_once_are_one_change(session, people):
    rider, coordinator = people
    serve(rider, coordinator, starts_at=DAY, minutes=150)
    session.commit()
    assert [(c.level_from, c.level_to) for c in levels.level_history(rider.id)] == [(0, 2)]


def test_a_corrected_attendance_lowers_the_level_and_says_why(session, people):
    rider, coordinator = people
    serve(rider, coordinator, starts_at=DAY, minutes=70)
    second = serve(rider, coordinator, starts_at=DAY + timedelta(days=1), minutes=60)
    session.commit()
    assert levels.current_level(rider.id) == 2
    attendance.mark_attendance(signup=second, attended=False, actor=coordinator, reason="他人代签",
                               now=second.task.ends_at + timedelta(hours=2))
    session.commit()
    history = levels.level_history(rider.id)
    assert [(c.level_from, c.level_to, c.minutes) for c in history] == [(0, 1, 70), (1, 2, 130), (2, 1, 70)]
    assert history[-1].key == f"level:{rider.id}:{history[-2].id}"
    assert "correction" in history[-1].reason
    with force_locale("en"):
        assert levels.reason_text(history[-1]) == (
            "Verified volunteer hours fell to 1 after a correction of attendance.")
        last = notes_of(session, rider)[-1]
        assert "after a correction of attendance" in kinds.render(last.kind, last.values)[1]
    assert len(notes_of(session, rider)) == 3


def test_the_key_records_a_change_once_when_two_processes_notice_it(session, people):
    rider, coordinator = people
    serve(rider, coordinator, starts_at=DAY, minutes=60)
    session.commit()
    [change] = levels.level_history(rider.id)
    # the other process read the same last change and tries the same key
    again = levels.insert_ignoring_conflicts(LevelChange.__table__, rider_id=rider.id, level_from=0, level_to=1,
                                             minutes=60, reason="x", changed_at=DAY, key=change.key)
    assert again is None and len(levels.level_history(rider.id)) == 1


def test_the_cli_rechecks_every_rider_idempotently(app, session, people):
    rider, coordinator = people
    quiet = make_user(name="孙骑手", phone="13900000099")
    serve(rider, coordinator, starts_at=DAY, minutes=60)
    serve(quiet, coordinator, starts_at=DAY + timedelta(days=2), minutes=30)
    session.commit()
    runner = app.test_cli_runner()
    unchanged = runner.invoke(recognition_cli, ["levels"])
    assert unchanged.exit_code == 0 and "2 rider(s) checked, 0 level change(s) recorded" in unchanged.output
    app.config["LEVEL_LADDER_HOURS"] = "2"  # the first star now needs 2 hours: the rider drops back to 0
    first = runner.invoke(recognition_cli, ["levels"])
    assert "2 rider(s) checked, 1 level change(s) recorded" in first.output
    second = runner.invoke(recognition_cli, ["levels"])
    assert "0 level change(s) recorded" in second.output
    session.expire_all()
    assert levels.current_level(rider.id) == 0 and levels.current_level(quiet.id) == 0


def test_stars_show_the_level_and_say_it_in_words(app):
    with app.test_request_context(), force_locale("en"):
        html = str(levels.stars(3))
        assert "★★★☆☆" in html and '<span class="visually-hidden">3 of 5 stars</span>' in html
        assert "★☆" in str(levels.stars(1, 2)) and "☆☆☆☆☆" in str(levels.stars(0))


def test_losing_the_only_star_says_so_in_words_not_level_0(session, people):
    rider, coordinator = people
    only = serve(rider, coordinator, starts_at=DAY, minutes=70)
    session.commit()
    attendance.mark_attendance(signup=only, attended=False, actor=coordinator, reason="他人代签",
                               now=only.task.ends_at + timedelta(hours=2))
    session.commit()
    assert levels.current_level(rider.id) == 0
    last = notes_of(session, rider)[-1]
    with force_locale("en"):
        assert kinds.render(last.kind, last.values)[1] == (
            "You no longer have a star: after a correction of attendance you have 0 verified volunteer hours.")
    with force_locale("zh"):
        assert "0级" not in kinds.render(last.kind, last.values)[1]
