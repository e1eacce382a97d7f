"""Service ratings: only an attended rider, once (a double tap changes nothing), a change is a new linked row
(once), a note of at most NOTE_MAX characters, refused after the window, journalled."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from tests.factories import make_org, make_task, make_user
from volunteer import attendance, ratings, services
from volunteer.queries import ratings_by_rider
from volunteer.rating_models import NOTE_MAX, ServiceRating

START = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)  # 09:00 in Zhangjiagang
END = START + timedelta(hours=2)
AFTER = END + timedelta(minutes=30)


@pytest.fixture
def cast(session):
    org = make_org()
    coordinator = make_user("coordinator", name="周协调", organisation_id=org.id)
    other = make_user("coordinator", name="吴协调", organisation_id=org.id, phone="13900000077")
    task = make_task(org.id, coordinator.id, starts_at=START, ends_at=END, places=3)
    rider, absent = make_user(), make_user(name="钱骑手", phone="13900000088")
    signup = services.sign_up(task=task, rider=rider, now=START - timedelta(days=1))
    missing = services.sign_up(task=task, rider=absent, now=START - timedelta(days=1))
    attendance.mark_attendance(signup=signup, attended=True, actor=coordinator, now=END)
    session.commit()
    return signup, missing, coordinator, other


def rows(session, signup):
    return session.scalars(sa.select(ServiceRating).where(ServiceRating.signup_id == signup.id)
                           .order_by(ServiceRating.id)).all()


def test_the_first_rating_is_recorded_and_journalled(session, cast):
    signup, _, coordinator, _ = cast
    rated = ratings.rate_service(signup=signup, rating="good", note="  很负责 ", actor=coordinator, now=AFTER)
    session.commit()
    assert (rated.rating, rated.note, rated.rider_id, rated.task_id, rated.replaces_id) == (
        "good", "很负责", signup.rider_id, signup.task_id, None)
    entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "rating.give"))
    assert entry.rider_id == signup.rider_id and '"rating": "good"' in entry.details


def test_a_double_tap_rates_once(session, cast):
    signup, _, coordinator, _ = cast
    first = ratings.rate_service(signup=signup, rating="fair", note="", actor=coordinator, seen=None, now=AFTER)
    again = ratings.rate_service(signup=signup, rating="fair", note="", actor=coordinator, seen=None, now=AFTER)
    session.commit()
    assert first.id == again.id and len(rows(session, signup)) == 1


def test_a_change_is_a_new_row_naming_the_one_it_replaces(session, cast):
    signup, _, coordinator, other = cast
    first = ratings.rate_service(signup=signup, rating="poor", note="迟到", actor=coordinator, now=AFTER)
    changed = ratings.rate_service(signup=signup, rating="good", note="其实准时", actor=other, seen=first.id,
                                   now=AFTER + timedelta(hours=1))
    session.commit()
    assert [(r.rating, r.replaces_id) for r in rows(session, signup)] == [("poor", None), ("good", first.id)]
    assert ratings.current_rating(signup.id).id == changed.id
    assert ratings_by_rider(rider_ids=[signup.rider_id]) == {signup.rider_id: {"good": 1}}
    assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                          .where(JournalEntry.action == "rating.change")) == 1


def test_a_change_from_an_old_page_is_refused_without_overwriting(session, cast):
    signup, _, coordinator, other = cast
    first = ratings.rate_service(signup=signup, rating="good", note="", actor=coordinator, now=AFTER)
    ratings.rate_service(signup=signup, rating="poor", note="", actor=other, seen=first.id, now=AFTER)
    with pytest.raises(ratings.RatingChanged) as refused:
        ratings.rate_service(signup=signup, rating="fair", note="", actor=coordinator, seen=first.id, now=AFTER)
    assert refused.value.message.startswith("刚才有人修改了这条评价")  # the default language
    with pytest.raises(ratings.RatingChanged):  # a first rating from a page that showed none
        ratings.rate_service(signup=signup, rating="fair", note="", actor=coordinator, seen=None, now=AFTER)
    assert ratings.current_rating(signup.id).rating == "poor"


def test_a_rating_is_replaced_at_most_once_by_the_database(session, cast):
    signup, _, coordinator, _ = cast
    first = ratings.rate_service(signup=signup, rating="good", note="", actor=coordinator, now=AFTER)
    ratings.rate_service(signup=signup, rating="poor", note="", actor=coordinator, now=AFTER)
    # a racing second change naming the same rating: the unique replaces_id keeps one
    assert ratings._insert(signup, "fair", "", coordinator, AFTER, first.id) is None
    assert ratings._insert(signup, "fair", "", coordinator, AFTER, None) is None  # nor a second first rating


def test_only_an_attended_rider_is_rated(session, cast):
    _, missing, coordinator, _ = cast
    with pytest.raises(ratings.RatingNotAllowed):
        ratings.rate_service(signup=missing, rating="good", note="", actor=coordinator, now=AFTER)
    attendance.mark_attendance(signup=missing, attended=False, actor=coordinator, now=END)
    with pytest.raises(ratings.RatingNotAllowed):
        ratings.rate_service(signup=missing, rating="good", note="", actor=coordinator, now=AFTER)
    assert rows(session, missing) == []


def test_rating_closes_thirty_days_after_the_end(session, cast):
    signup, _, coordinator, _ = cast
    assert ratings.rating_closes_at(signup.task) == END + timedelta(days=30)
    ratings.rate_service(signup=signup, rating="good", note="", actor=coordinator, now=END + timedelta(days=30))
    assert not ratings.rating_open(signup, END + timedelta(days=30, seconds=1))
    with pytest.raises(ratings.RatingNotAllowed) as refused:
        ratings.rate_service(signup=signup, rating="poor", note="", actor=coordinator,
                             now=END + timedelta(days=30, seconds=1))
    assert "截止" in refused.value.message


@pytest.mark.parametrize("rating, note, field", [("great", "", "rating"), ("", "", "rating"),
                                                 ("good", "长" * (NOTE_MAX + 1), "note")])
def test_bad_input_is_refused_with_its_field(session, cast, rating, note, field):
    signup, _, coordinator, _ = cast
    with pytest.raises(ratings.RatingInvalid) as refused:
        ratings.rate_service(signup=signup, rating=rating, note=note, actor=coordinator, now=AFTER)
    assert refused.value.status == 422 and refused.value.details == {"field": field}
    assert rows(session, signup) == []


def test_a_note_of_exactly_the_limit_is_kept_clean(session, cast):
    signup, _, coordinator, _ = cast
    rated = ratings.rate_service(signup=signup, rating="good", note="好\x00" + "字" * (NOTE_MAX - 1),
                                 actor=coordinator, now=AFTER)
    assert rated.note == "好" + "字" * (NOTE_MAX - 1)
