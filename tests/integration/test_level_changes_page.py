"""The rider's recognition page lists the level changes recorded for them, with the reason in their language."""

from datetime import timedelta

from accounts.models import User
from core.timeutil import utcnow
from tests.pages import text_of
from tests.service_factories import serve


def test_the_rider_sees_the_level_changes_of_their_verified_service(app, world, ctx, make_client):
    app.config["LEVEL_LADDER_HOURS"] = "1,2,3,4,5"  # an hour a star
    start = utcnow() - timedelta(days=3)
    with ctx() as session:
        rider, coordinator = session.get(User, world.rider), session.get(User, world.coordinator)
        serve(rider, coordinator, starts_at=start, minutes=60)
        serve(rider, coordinator, starts_at=start + timedelta(days=1), minutes=130, title="护学岗")
        session.commit()
    english = text_of(make_client(world.rider).get("/recognition/", lang="en"))
    chinese = text_of(make_client(world.rider).get("/recognition/", lang="zh"))
    assert "Level changes" in english
    assert "3 stars · Reached 3 verified volunteer hours." in english
    assert "1 star · Reached 1 verified volunteer hour." in english
    assert english.index("3 stars") < english.index("1 star ·")  # newest first
    assert "3星 · 核验志愿时长达到3小时。" in chinese


def test_without_recorded_changes_the_page_lists_none(world, make_client):
    assert "Level changes" not in text_of(make_client(world.rider).get("/recognition/", lang="en"))
