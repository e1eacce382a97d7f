"""Words a person reads, in both languages: plural counts, unambiguous dates, Chinese without stray
spaces, a task's end date when it crosses midnight, cancelled tasks, and a confirm screen short of points."""

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.messages.pofile import read_po

from accounts.models import User
from core.timeutil import at_local, local_today, localtime
from rewards.errors import AlreadyRedeemed, LimitReached
from rewards.models import Offer
from tests.factories import give_points, make_task
from tests.integration.test_i18n import ROOT
from tests.pages import text_of
from volunteer import services
from volunteer.models import Task

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rider_with(world, ctx, make_client, points):
    with ctx() as session:
        give_points(world.rider, points)
        session.commit()
    return make_client(world.rider)


# Plural counts

@pytest.mark.parametrize(("points", "english", "chinese"), [
    (1, "You have 1 point.", "你有1积分。"), (2, "You have 2 points.", "你有2积分。")])
def test_the_balance_is_counted_in_the_right_form(world, ctx, make_client, points, english, chinese):
    rider = rider_with(world, ctx, make_client, points)
    page = text_of(rider.get("/offers"))
    assert english in page
    assert re.search(f'class="balance-value">{points}</span> point{"s" if points > 1 else ""}<', page)
    assert chinese in text_of(rider.get("/offers", lang="zh"))
    assert re.search(f'class="balance-value">{points}</span>积分<', text_of(rider.get("/offers", lang="zh")))


def test_one_place_and_one_point_are_singular(world, ctx, make_client):
    with ctx() as session:
        task = make_task(world.org, world.coordinator, title="一个名额的任务", places=1, points=1)
        session.commit()
        task_id = task.id
    rider = make_client(world.rider)
    page = text_of(rider.get(f"/tasks/{task_id}"))
    assert "1 of 1 place left" in page and "1 of 1 places" not in page
    listing = text_of(rider.get("/tasks"))
    assert "+1 point<" in listing and "+1 points" not in listing
    assert "+30 points" in listing
    rider.post(f"/tasks/{task_id}/signup", htmx=True)
    assert "0 of 1 place left" not in text_of(rider.get(f"/tasks/{task_id}"))
    assert "Full · 1 place" in text_of(rider.get(f"/tasks/{task_id}"))
    assert "已满 · 共1个名额" in text_of(rider.get(f"/tasks/{task_id}", lang="zh"))


def test_a_limit_of_one_voucher_is_singular(app, world, ctx, make_client):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(LimitReached(1).message).startswith("Each rider may have 1 voucher of this offer")
        assert str(LimitReached(2).message).startswith("Each rider may have 2 vouchers of this offer")
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert "此优惠1张兑换券" in str(LimitReached(1).message)


# Dates

def test_short_dates_name_the_day_and_month_in_english_and_use_month_day_in_chinese(app):
    moment = datetime(2026, 12, 9, 15, 27, tzinfo=UTC)  # 23:27 in Shanghai
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert localtime(moment, "short") == "Wed 9 Dec, 23:27"
        assert localtime(moment) == "Wed 9 Dec 2026, 23:27"
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert localtime(moment, "short") == "12月9日 23:27"
        assert localtime(moment) == "2026年12月9日 23:27"


def test_a_refusal_names_the_time_without_us_numerals(app):
    voucher = SimpleNamespace(merchant=SimpleNamespace(name="暖新小厨"),
                              redeemed_at=datetime(2026, 12, 9, 15, 27, tzinfo=UTC))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(AlreadyRedeemed(voucher).message) == (
            "Already redeemed at 暖新小厨, Wed 9 Dec, 23:27. Do not accept it again.")
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert str(AlreadyRedeemed(voucher).message) == "已于12月9日 23:27在暖新小厨核销，请勿重复核销。"


def test_the_voucher_screen_shows_an_unambiguous_expiry(world, ctx, make_client):
    rider = rider_with(world, ctx, make_client, 100)
    voucher_url = rider.post(f"/offers/{world.offer}/redeem").headers["Location"]
    page = text_of(rider.get(voucher_url))
    assert re.search(r"Use by (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d", page)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}", page)
    assert re.search(r"\d{1,2}月\d{1,2}日 \d\d:\d\d前有效", text_of(rider.get(voucher_url, lang="zh")))


# Chinese without spaces around names and numbers

def test_no_chinese_message_puts_spaces_around_a_name_or_a_number():
    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="zh")
    han = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    token = r"(%\([a-z_]+\)[+]?[sd]|[0-9])"
    spaced = re.compile(f"{han} +{token}|{token} +{han}")
    wrong = [form for m in catalog if m.id
             for form in (m.string if isinstance(m.string, tuple) else (m.string,)) if spaced.search(form)]
    assert not wrong


def test_a_name_sits_in_a_chinese_sentence_without_spaces(world, ctx, make_client):
    with ctx() as session:
        task = session.get(Task, world.task)
        signup = services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        signup_id = signup.id
    coordinator = make_client(world.coordinator)
    signup_page = text_of(coordinator.get(f"/coordinate/tasks/{world.task}", lang="zh"))
    assert "赵佳楠" in signup_page
    response = coordinator.post(f"/coordinate/tasks/{world.task}/attendance", {"signups": str(signup_id)},
                                htmx=True, lang="zh")
    assert "已将1名骑手标为已出勤。" in text_of(response)


# A task that crosses midnight

def test_a_task_across_midnight_shows_its_end_date_everywhere(world, ctx, make_client):
    with ctx() as session:
        starts = at_local(local_today() + timedelta(days=1), 22)
        ends = starts + timedelta(hours=4)
        task = make_task(world.org, world.coordinator, title="夜间巡查", starts_at=starts, ends_at=ends)
        services.sign_up(task=task, rider=session.get(User, world.rider))
        session.commit()
        task_id = task.id
    end = {lang: format_datetime(ends.astimezone(SHANGHAI), pattern, locale=lang)
           for lang, pattern in (("en", "EEE d MMM HH:mm"), ("zh", "M月d日 EEE HH:mm"))}
    start = format_datetime(starts.astimezone(SHANGHAI), "EEE d MMM HH:mm", locale="en")
    rider, coordinator = make_client(world.rider), make_client(world.coordinator)
    for client, url in ((rider, f"/tasks/{task_id}"), (rider, "/tasks"), (rider, "/my/tasks"),
                        (coordinator, f"/coordinate/tasks/{task_id}"), (coordinator, "/coordinate/tasks")):
        assert f"{start} – {end['en']}" in text_of(client.get(url)), url
        assert f"– {end['zh']}" in text_of(client.get(url, lang="zh")), url


def test_a_task_within_one_day_shows_only_its_end_time(world, ctx, make_client):
    with ctx() as session:
        starts = at_local(local_today() + timedelta(days=1), 10)
        task = make_task(world.org, world.coordinator, starts_at=starts, ends_at=starts + timedelta(hours=2))
        session.commit()
        task_id = task.id
    page = text_of(make_client(world.rider).get(f"/tasks/{task_id}"))
    assert re.search(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} 10:00 – 12:00</dd>", page)


# A cancelled task

def test_a_cancelled_task_never_shows_signed_up_or_a_cancel_button(world, ctx, make_client):
    with ctx() as session:
        task = session.get(Task, world.task)
        services.sign_up(task=task, rider=session.get(User, world.rider))
        services.cancel_task(task=task, actor=session.get(User, world.coordinator))
        session.commit()
    rider = make_client(world.rider)
    for url in (f"/tasks/{world.task}", "/tasks", "/my/tasks"):
        page = text_of(rider.get(url))
        assert "You are signed up" not in page and "Cancel my sign-up" not in page, url
        assert f"/tasks/{world.task}/cancel" not in page, url
        chinese = text_of(rider.get(url, lang="zh"))
        assert f"/tasks/{world.task}/cancel" not in chinese, url
    my_tasks = text_of(rider.get("/my/tasks"))
    assert "Cancelled by the organiser" in my_tasks and "status-confirmed" not in my_tasks


# A confirm screen short of points

def test_the_confirm_screen_says_how_many_points_are_missing_not_a_negative_after(world, ctx, make_client):
    rider = rider_with(world, ctx, make_client, 29)
    page = text_of(rider.get(f"/offers/{world.offer}"))
    assert re.search(r"Missing <strong[^>]*>1</strong>", page)
    assert "After" not in page and "−1<" not in page and ">-1<" not in page
    assert "you need 1 more point." in page
    chinese = text_of(rider.get(f"/offers/{world.offer}", lang="zh"))
    assert re.search(r"还差 <strong[^>]*>1</strong>", chinese) and "兑换后" not in chinese
    with ctx() as session:
        assert session.get(Offer, world.offer).points_cost == 30
