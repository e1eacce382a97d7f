"""The recognition pages: the rider's score explained, the coordinators' ranking and pioneer marks, the admin's
score weights. Every figure comes from data the test creates."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from core.timeutil import utcnow
from recognition.models import PioneerMark, ScorePart
from tests.pages import text_of
from tests.recognition_factories import closed_report, served


@pytest.fixture
def service(world, ctx):
    """The world's rider: 12 verified hours, one training, two closed reports, ratings good and fair; rider2:
    one verified hour. Weights are the defaults."""
    now = utcnow()
    with ctx() as session:
        session.execute(sa.delete(ScorePart))
        served(world.rider, world.org, world.coordinator, starts_at=now - timedelta(days=10), minutes=720,
               rating="good")
        served(world.rider, world.org, world.coordinator, starts_at=now - timedelta(days=9), training=True,
               rating="fair")
        closed_report(world.rider, closed_at=now - timedelta(days=5))
        closed_report(world.rider, closed_at=now - timedelta(days=4))
        served(world.rider2, world.org, world.coordinator, starts_at=now - timedelta(days=3), minutes=60)
        session.commit()
    return world


def test_the_rider_sees_every_part_of_their_score(service, make_client):
    page = text_of(make_client(service.rider).get("/recognition/"))
    # training 1×5, hours 12×3, reports 2×5, ratings (1 + ½)/2 × 20 = 15
    assert "66 of 100" in page
    assert "1 training attended → 5 of 20 points" in page
    assert "12 h verified volunteering → 36 of 40 points" in page
    assert "2 reports resolved → 10 of 20 points" in page
    assert "2 ratings (1 good, 1 fair, 0 poor) → 15 of 20 points" in page
    assert "2 more verified hours → +4 score points" in page
    assert "3 more trainings attended → +15 score points" in page
    assert "The last 12 months:" in page
    assert "0 of 5 stars" in page and "18 more verified hours to the next star" in page
    assert "/certificates/" in page


def test_the_rider_page_is_in_chinese_too(service, make_client):
    page = text_of(make_client(service.rider).get("/recognition/", lang="zh"))
    assert "66" in page and "100" in page and "12" in page


def test_the_rider_sees_their_pioneer_mark_with_its_reason(service, make_client):
    coordinator = make_client(service.coordinator)
    response = coordinator.post(f"/coordinate/recognition/{service.rider}/pioneer", {"reason": "暴雨夜坚守路口"})
    assert response.status_code == 303
    page = text_of(make_client(service.rider).get("/recognition/"))
    assert "Pioneer" in page and "暴雨夜坚守路口" in page and "塘市办事处" in page


def test_only_riders_open_the_rider_page(service, make_client):
    assert make_client(service.coordinator).get("/recognition/").status_code == 403
    assert make_client(service.admin).get("/recognition/").status_code == 403


def test_the_ranking_orders_by_total_and_by_a_part(service, make_client):
    coordinator = make_client(service.coordinator)
    page = text_of(coordinator.get("/coordinate/recognition/"))
    assert page.index("赵佳楠") < page.index("张松阳")
    assert "66 of 100" in page and "3 of 100" in page
    by_training = text_of(coordinator.get("/coordinate/recognition/?sort=training"))
    assert by_training.index("赵佳楠") < by_training.index("张松阳")
    assert 'href="/coordinate/recognition/?sort=hours"' in coordinator.get("/coordinate/recognition/").get_data(
        as_text=True)
    assert coordinator.get("/coordinate/recognition/?sort=nonsense").status_code == 200


def test_a_part_can_rank_a_rider_first_who_is_behind_in_total(service, make_client, ctx):
    with ctx() as session:
        session.add(ScorePart(code="hours", max_points=40, points_per_unit=0))
        for day in (1, 2, 3, 4, 5):
            served(service.rider2, service.org, service.coordinator, starts_at=utcnow() - timedelta(days=day),
                   training=True)
        session.commit()
    page = text_of(make_client(service.coordinator).get("/coordinate/recognition/?sort=training"))
    assert page.index("张松阳") < page.index("赵佳楠")  # 20 training points against 5


def test_another_organisation_sees_none_of_these_riders(service, make_client):
    other = make_client(service.other_coordinator)
    page = text_of(other.get("/coordinate/recognition/"))
    assert "赵佳楠" not in page and "No riders yet." in page
    assert other.get(f"/coordinate/recognition/{service.rider}").status_code == 404
    assert other.post(f"/coordinate/recognition/{service.rider}/pioneer", {"reason": "好"}).status_code == 404


def test_an_admin_sees_the_programme_and_filters_by_organisation(service, make_client):
    admin = make_client(service.admin)
    page = text_of(admin.get("/coordinate/recognition/"))
    assert "赵佳楠" in page and "张松阳" in page and "Every rider of the programme." in page
    filtered = text_of(admin.get(f"/coordinate/recognition/?organisation={service.other_org}"))
    assert "赵佳楠" not in filtered and "金港镇长江村" in filtered
    assert admin.post(f"/coordinate/recognition/{service.rider}/pioneer", {"reason": "好"}).status_code == 403


def test_marking_needs_a_reason_and_keeps_the_form(service, make_client, ctx):
    response = make_client(service.coordinator).post(f"/coordinate/recognition/{service.rider}/pioneer",
                                                     {"reason": "  "})
    assert response.status_code == 422 and "Say why" in text_of(response)
    long = make_client(service.coordinator).post(f"/coordinate/recognition/{service.rider}/pioneer",
                                                 {"reason": "长" * 201})
    assert long.status_code == 422 and "长" * 201 in text_of(long)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(PioneerMark)) == 0


def test_a_double_tap_marks_once_and_withdraw_once(service, make_client, ctx):
    coordinator = make_client(service.coordinator)
    url = f"/coordinate/recognition/{service.rider}/pioneer"
    assert coordinator.post(url, {"reason": "带头劝导"}).status_code == 303
    again = coordinator.post(url, {"reason": "带头劝导"}, follow_redirects=True)
    assert "already marked as a pioneer" in text_of(again)
    page = text_of(coordinator.get("/coordinate/recognition/"))
    assert page.count("Pioneer") >= 1
    assert coordinator.post(url + "/withdraw", {"reason": "已调离"}).status_code == 303
    twice = coordinator.post(url + "/withdraw", {"reason": "已调离"}, follow_redirects=True)
    assert "no pioneer mark to withdraw" in text_of(twice)
    with ctx() as session:
        kinds = [m.kind for m in session.scalars(sa.select(PioneerMark).order_by(PioneerMark.id))]
        actions = list(session.scalars(sa.select(JournalEntry.action).where(JournalEntry.action.like("pioneer.%"))))
    assert kinds == ["mark", "withdraw"]
    assert sorted(actions) == ["pioneer.mark", "pioneer.withdraw"]


def test_the_admin_saves_weights_and_the_scores_follow(service, make_client, ctx):
    admin = make_client(service.admin)
    form = admin.get("/admin/recognition/")
    assert form.status_code == 200 and "out of 100 points" in text_of(form)
    data = {"training_max": "10", "training_per_unit": "10", "hours_max": "50", "hours_per_unit": "4",
            "reports_max": "20", "reports_per_unit": "5", "ratings_max": "20", "ratings_per_unit": "20"}
    assert admin.post("/admin/recognition/", data).status_code == 303
    assert "out of 100 points" in text_of(admin.get("/admin/recognition/"))
    page = text_of(make_client(service.rider).get("/recognition/"))
    assert "12 h verified volunteering → 48 of 50 points" in page  # 12 × 4
    assert "1 training attended → 10 of 10 points" in page
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).where(JournalEntry.action == "score.weights")) == 1


@pytest.mark.parametrize("bad", ["-1", "1001", "abc", "", "1.5"])
def test_a_weight_outside_0_to_1000_comes_back_with_its_message(service, make_client, ctx, bad):
    data = {"training_max": bad, "training_per_unit": "5", "hours_max": "40", "hours_per_unit": "3",
            "reports_max": "20", "reports_per_unit": "5", "ratings_max": "20", "ratings_per_unit": "20"}
    response = make_client(service.admin).post("/admin/recognition/", data)
    assert response.status_code == 422
    page = text_of(response)
    assert "Enter a whole number" in page and 'value="40"' in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ScorePart)) == 0


def test_only_admins_set_weights(service, make_client):
    assert make_client(service.coordinator).get("/admin/recognition/").status_code == 403
    assert make_client(service.coordinator).post("/admin/recognition/", {}).status_code == 403


@pytest.mark.parametrize("chosen", ["99999999999999999999", "-3", "abc", "0"])
def test_an_unknown_organisation_filter_shows_the_programme(service, make_client, chosen):
    page = text_of(make_client(service.admin).get(f"/coordinate/recognition/?organisation={chosen}"))
    assert "Every rider of the programme." in page and "赵佳楠" in page
