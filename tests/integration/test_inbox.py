"""The inbox: every logged-in user's notifications in their language, opening one, "mark all read", the
header's unread badge, SMS preferences, the admin's outbox page, and the language kept on the account."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from accounts.models import User
from notifications.models import Notification, NotificationPreference, SmsMessage
from notifications.services import notify
from tests.pages import text_of

STARTS = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)  # 09:30 local


def write(ctx, user_id, count=1, **overrides):
    with ctx() as session:
        notes = [notify(**{"user_id": user_id, "kind": "task_cancelled", "link": "/my/tasks",
                           "params": {"title": f"路口劝导{i}", "starts_at": STARTS},
                           "now": datetime(2026, 12, 3, 2, 0, tzinfo=UTC) + timedelta(minutes=i), **overrides})
                 for i in range(count)]
        session.commit()
        return [n.id for n in notes]


def test_the_inbox_shows_newest_first_in_the_viewers_language_with_unread_marked(world, ctx, make_client):
    write(ctx, world.rider, 2)
    rider = make_client(world.rider)
    english = text_of(rider.get("/inbox"))
    assert english.index("路口劝导1 on Wed 9 Dec 09:30 is cancelled.") < english.index("路口劝导0 on")
    assert english.count("Unread:") == 2 and "Mark all read" in english
    chinese = text_of(rider.get("/inbox", lang="zh-CN"))
    assert "“路口劝导1”（12月9日 周三 09:30）已取消。" in chinese and chinese.count("未读：") == 2
    assert "12月3日 10:01" in chinese  # written at 02:01 UTC, shown in local time


def test_opening_a_notification_marks_it_read_and_goes_to_its_link(world, ctx, make_client):
    first, second = write(ctx, world.rider, 2)
    rider = make_client(world.rider)
    response = rider.get(f"/inbox/{first}")
    assert response.status_code == 303 and response.headers["Location"] == "/my/tasks"
    with ctx() as session:
        assert session.get(Notification, first).read_at is not None
        assert session.get(Notification, second).read_at is None
    assert text_of(rider.get("/inbox")).count("Unread:") == 1


def test_another_users_notification_is_a_404_and_stays_unread(world, ctx, make_client):
    [theirs] = write(ctx, world.rider)
    assert make_client(world.rider2).get(f"/inbox/{theirs}").status_code == 404
    assert make_client(world.admin).get(f"/inbox/{theirs}").status_code == 404
    with ctx() as session:
        assert session.get(Notification, theirs).read_at is None


def test_a_link_off_the_site_is_never_followed(world, ctx, make_client):
    [note] = write(ctx, world.rider, link="//evil.example/x")
    assert make_client(world.rider).get(f"/inbox/{note}").headers["Location"] == "/inbox"


def test_mark_all_read_works_as_a_plain_form(world, ctx, make_client):
    write(ctx, world.rider, 3)
    write(ctx, world.rider2, 1)
    rider = make_client(world.rider)
    response = rider.post("/inbox/read", {"next": "/inbox"})
    assert response.status_code == 303 and response.headers["Location"] == "/inbox"
    page = text_of(rider.get("/inbox"))
    assert "All notifications are marked read." in page and "Unread:" not in page and "Mark all read" not in page
    with ctx() as session:
        unread = session.scalars(sa.select(Notification.user_id).where(Notification.read_at.is_(None))).all()
    assert unread == [world.rider2]


def test_mark_all_read_with_htmx_returns_the_list_and_refreshes_the_badge(world, ctx, make_client):
    write(ctx, world.rider, 2)
    response = make_client(world.rider).post("/inbox/read", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('<div id="inbox">')
    assert response.headers["HX-Trigger"] == "notifications-changed"
    assert "Unread:" not in body and "路口劝导1" in body


def test_the_badge_counts_unread_notifications_in_both_languages(world, ctx, make_client):
    rider = make_client(world.rider)
    assert "0 unread notifications" in text_of(rider.get("/inbox/unread"))
    write(ctx, world.rider, 3)
    badge = rider.get("/inbox/unread", htmx=True).get_data(as_text=True)
    assert badge.startswith('<a id="unread-badge"')
    assert 'hx-trigger="every 30s, notifications-changed from:body"' in badge
    assert '<span class="unread-count" aria-hidden="true">3</span>' in badge and "3 unread notifications" in badge
    assert "3条未读通知" in text_of(rider.get("/inbox/unread", lang="zh-CN"))
    rider.post("/inbox/read")
    write(ctx, world.rider, 1)
    assert "1 unread notification<" in rider.get("/inbox/unread").get_data(as_text=True)


def test_every_logged_in_page_has_the_badge_and_anonymous_ones_do_not(world, ctx, make_client):
    write(ctx, world.staff, 2)
    assert 'id="unread-badge"' in make_client(world.staff).get("/merchant/").get_data(as_text=True)
    assert "2 unread notifications" in text_of(make_client(world.staff).get("/merchant/"))
    assert 'id="unread-badge"' not in make_client().get("/tasks").get_data(as_text=True)


def test_the_inbox_has_20_a_page_and_an_empty_state(world, ctx, make_client):
    rider = make_client(world.rider)
    assert "Nothing here yet." in text_of(rider.get("/inbox"))
    write(ctx, world.rider, 23)
    first, second = text_of(rider.get("/inbox")), text_of(rider.get("/inbox?page=2"))
    assert len(re.findall(r"路口劝导\d+ on", first)) == 20 and "路口劝导22 on" in first and "Older" in first
    assert re.findall(r"路口劝导(\d+) on", second) == ["2", "1", "0"] and "Newer" in second
    assert "Nothing here yet." in text_of(rider.get("/inbox?page=9"))


def test_sms_preferences_are_saved_per_kind(world, ctx, make_client):
    rider = make_client(world.rider)
    page = rider.get("/inbox/settings").get_data(as_text=True)
    assert page.count('type="checkbox"') == 5 and page.count("checked") == 5
    assert "22:00" in text_of(rider.get("/inbox/settings")) and "At most 10 text messages a day." in text_of(
        rider.get("/inbox/settings"))
    response = rider.post("/inbox/settings", {"promoted": "y", "task_cancelled": "y", "task_changed": "y",
                                              "task_reminder": "y"})  # place_offered left unticked
    assert response.status_code == 303
    assert 'name="place_offered" type="checkbox" value="y">' in rider.get("/inbox/settings").get_data(as_text=True)
    with ctx() as session:
        chosen = dict(session.execute(sa.select(NotificationPreference.kind, NotificationPreference.sms)
                                      .where(NotificationPreference.user_id == world.rider)).all())
    assert chosen == {"place_offered": False, "promoted": True, "task_cancelled": True, "task_changed": True,
                      "task_reminder": True}
    write(ctx, world.rider, kind="place_offered",
          params={"title": "路口劝导", "starts_at": STARTS, "hold_until": STARTS - timedelta(hours=1)})
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SmsMessage)) == 0


def test_the_settings_page_is_in_chinese_too(world, make_client):
    page = text_of(make_client(world.rider).get("/inbox/settings", lang="zh-CN"))
    assert "短信" in page and "Text message" not in page


def test_the_admin_sees_the_outbox_with_masked_phones(world, ctx, make_client):
    write(ctx, world.rider, 1)
    page = text_of(make_client(world.admin).get("/admin/sms-outbox"))
    masked = f"{world.rider_phone[:3]}****{world.rider_phone[-4:]}"
    assert masked in page and world.rider_phone not in page and "A task is cancelled" in page
    assert re.search(r"Waiting</span> <strong>1</strong>", page)
    assert make_client(world.coordinator).get("/admin/sms-outbox").status_code == 403
    assert 'href="/admin/sms-outbox"' in make_client(world.admin).get("/admin/").get_data(as_text=True)


def test_the_language_switch_is_kept_on_the_account_and_used_without_the_cookie(world, ctx, make_client, app):
    rider = make_client(world.rider)
    assert rider.post("/language", {"lang": "en", "next": "/inbox"}, lang="zh-CN").status_code == 303
    with ctx() as session:
        assert session.get(User, world.rider).language == "en"
    fresh = make_client(world.rider)  # another device: no cookie, a Chinese browser
    assert "Notifications" in text_of(fresh.get("/inbox", lang="zh-CN"))


def test_logging_in_stores_the_language_when_none_is_kept(world, ctx, client):
    from tests.factories import PASSWORD

    response = client.post("/login", {"phone": world.rider_phone, "password": PASSWORD}, lang="en")
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(User, world.rider).language == "en"


def test_registering_keeps_the_language_of_the_page(client, ctx):
    from tests.pages import registration_code

    phone = "13912345670"
    code = registration_code(client, phone)
    response = client.post("/register", {"phone": phone, "name": "赵佳楠", "password": "longenough1",
                                         "trade": "food_delivery", "platform": "美团", "privacy": "y", "code": code},
                           lang="zh-CN")
    assert response.status_code == 303
    with ctx() as session:
        assert session.scalar(sa.select(User.language).where(User.phone == phone)) == "zh"


def test_the_badge_poll_after_the_session_ended_removes_the_badge_instead_of_leaving_a_public_page(client, world):
    on_the_task_list = {"HX-Current-URL": "http://localhost/tasks"}
    poll = client.get("/inbox/unread", htmx=True, headers=on_the_task_list)
    assert poll.status_code == 286 and poll.get_data(as_text=True) == "" and "HX-Redirect" not in poll.headers
    plain = client.get("/inbox/unread")
    assert plain.status_code == 302 and "/login" in plain.headers["Location"]
    accept = client.post(f"/tasks/{world.task}/accept", htmx=True, headers=on_the_task_list)
    assert accept.headers["HX-Redirect"].startswith("/login")  # a tap that needs a session still goes to log in
