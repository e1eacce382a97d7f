"""Restaurant rules as people meet them: the coordinator's merchant and offer forms, the counter's pause
button, the rider's offer, confirm and voucher pages, and the counter refusing outside serving hours."""

import re

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from core.timeutil import to_local, utcnow
from points.queries import balance_of
from rewards import vouchers
from rewards.models import Merchant, Offer, Voucher
from tests.factories import give_points
from tests.pages import input_value, text_of


def merchant_form(**overrides) -> dict:
    data = {"name": "暖新小厨", "address": "杨舍镇步行街68号", "active": "y"}
    data.update(overrides)
    return data


def offer_form(**overrides) -> dict:
    data = {"title": "牛肉面一碗", "points_cost": "40", "face_value": "12.5", "stock": "20", "per_rider_limit": "1",
            "validity_days": "7", "active": "y"}
    data.update(overrides)
    return data


def closed_hours() -> str:
    """Serving hours that exclude the present local hour (two hours from now, for an hour)."""
    hour = to_local(utcnow()).hour
    return f"{(hour + 2) % 24:02d}:00-{(hour + 3) % 24:02d}:00"


@pytest.fixture
def rider_with_points(world, ctx):
    with ctx():
        give_points(world.rider, 500)
        from extensions import db

        db.session.commit()
    return world


# --- the coordinator's forms ----------------------------------------------------------------------------

def test_a_coordinator_sets_serving_hours_typed_with_a_chinese_ime(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}",
                                merchant_form(serving_hours="１１：００～１４：００，１７：００－２１：００"))
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(Merchant, world.merchant).serving_hours == "11:00-14:00, 17:00-21:00"
    page = coordinator.get(f"/coordinate/merchants/{world.merchant}")
    assert input_value(page, "serving_hours") == "11:00-14:00, 17:00-21:00"


@pytest.mark.parametrize("typed", ["11:00——14:00，17:00——21:00",  # the Chinese IME's dash (Shift + -)
                                   "11:00〜14:00、17:00〜21:00",  # the wave dash
                                   "11:00-14:00 17:00-21:00", "11:00-14:00\n17:00-21:00",
                                   "11:00-14:00，17:00-21:00。"])
def test_serving_hours_as_people_type_them_are_read(world, coordinator, ctx, typed):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}", merchant_form(serving_hours=typed))
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(Merchant, world.merchant).serving_hours == "11:00-14:00, 17:00-21:00"


@pytest.mark.parametrize("typed, message", [
    ("11-14", "Cannot read “11-14”. Write ranges like 11:00-14:00, 17:00-21:00."),
    ("11:00-14:00, 13:30-15:00", "The ranges overlap. Write each serving time once."),
    ("09:00-25:00", "“09:00-25:00” is not a time of day (00:00 to 24:00)."),
    # 16 short ranges fit the 200-character field but not the column once written as 00:00-00:01, …
    (",".join(f"{h}:{m}-{h}:{m[0]}1" for h in range(8) for m in ("00", "30")), "Write at most 15 ranges."),
])
def test_unreadable_serving_hours_are_refused_with_the_input_kept(world, coordinator, ctx, typed, message):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}", merchant_form(serving_hours=typed))
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, "serving_hours") == typed
    with ctx() as session:
        assert session.get(Merchant, world.merchant).serving_hours == ""


def test_a_coordinator_adds_an_offer_with_a_daily_stock_and_a_limit_per_day(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new",
                                offer_form(limit_period="day", daily_stock="８"))
    assert response.status_code == 303
    with ctx() as session:
        offer = session.scalar(sa.select(Offer).where(Offer.title == "牛肉面一碗"))
        assert (offer.limit_period, offer.daily_stock, offer.per_rider_limit) == ("day", 8, 1)
    page = text_of(coordinator.get(f"/coordinate/merchants/{world.merchant}"))
    assert "8 a day" in page and "limit 1 per day" in page


def test_a_new_offer_is_limited_per_week_unless_the_coordinator_says_otherwise(world, coordinator, ctx):
    form = coordinator.get(f"/coordinate/merchants/{world.merchant}/offers/new").get_data(as_text=True)
    assert re.search(r'<option selected value="week">|<option value="week" selected>', form)
    assert coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new", offer_form()).status_code == 303
    with ctx() as session:
        offer = session.scalar(sa.select(Offer).where(Offer.title == "牛肉面一碗"))
        assert (offer.limit_period, offer.daily_stock) == ("week", None)


@pytest.mark.parametrize("fields, message", [
    ({"daily_stock": "0"}, "The daily stock must be between 1 and 100000, or empty."),
    ({"daily_stock": "many"}, "Enter a whole number."),
    ({"limit_period": "year"}, "Not a valid choice."),
])
def test_a_bad_daily_stock_or_period_is_refused_with_the_input_kept(world, coordinator, ctx, fields, message):
    response = coordinator.post(f"/coordinate/offers/{world.offer}/edit", offer_form(**fields))
    assert response.status_code == 422
    assert message in text_of(response)
    if "daily_stock" in fields:
        assert input_value(response, "daily_stock") == fields["daily_stock"]
    with ctx() as session:
        assert session.get(Offer, world.offer).daily_stock is None


# --- pausing at the counter -----------------------------------------------------------------------------

def test_staff_pause_all_offers_in_one_tap_and_riders_see_them_paused(rider_with_points, make_client, ctx):
    world = rider_with_points
    staff, rider = make_client(world.staff), make_client(world.rider)
    tapped = staff.post("/merchant/pause", htmx=True)
    assert tapped.status_code == 200
    widget = text_of(tapped)
    assert widget.lstrip().startswith(f'<section id="merchant-{world.merchant}-pause"')
    assert "Offers paused since" in widget and "Resume offers" in widget

    listing = text_of(rider.get("/offers"))
    assert "Paused for now (a busy kitchen): its offers cannot be redeemed." in listing
    confirm = rider.get(f"/offers/{world.offer}")
    assert "暖新小厨 has paused its offers for now (a busy kitchen)." in text_of(confirm)
    assert f'action="/offers/{world.offer}/redeem"' not in confirm.get_data(as_text=True)
    refused = rider.post(f"/offers/{world.offer}/redeem")
    assert refused.status_code == 409
    assert "has paused its offers for now" in text_of(refused)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Voucher)) == 0
        assert balance_of(world.rider) == 500

    resumed = staff.post("/merchant/resume")  # without JavaScript: flash and back to the counter
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith("/merchant/")
    assert "Offers resumed. Riders can redeem them again." in text_of(staff.get("/merchant/"))
    assert rider.post(f"/offers/{world.offer}/redeem").status_code == 303
    with ctx() as session:
        actions = session.scalars(sa.select(JournalEntry.action).where(JournalEntry.merchant_id == world.merchant,
                                                                       JournalEntry.action.like("merchant.%"))
                                  .order_by(JournalEntry.id)).all()
        assert actions == ["merchant.pause", "merchant.resume"]


def test_a_double_tap_on_pause_journals_once_and_the_counter_shows_resume(world, make_client, ctx):
    staff = make_client(world.staff)
    assert staff.post("/merchant/pause").status_code == 303
    assert staff.post("/merchant/pause").status_code == 303
    home = text_of(staff.get("/merchant/"))
    assert "Resume offers" in home and "Pause all offers" not in home
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                              .where(JournalEntry.action == "merchant.pause")) == 1
        assert session.get(Merchant, world.other_merchant).paused_at is None  # only their own restaurant


def test_the_coordinator_sees_that_the_staff_paused_the_offers(world, make_client, coordinator):
    make_client(world.staff).post("/merchant/pause")
    assert "Its staff paused all its offers at" in text_of(coordinator.get(f"/coordinate/merchants/{world.merchant}"))


# --- the rider's limit per period and the daily stock -----------------------------------------------------

def test_a_rider_at_the_weekly_limit_is_told_when_they_may_redeem_again(rider_with_points, make_client, ctx):
    world = rider_with_points
    with ctx() as session:
        session.get(Offer, world.offer).limit_period = "week"
        session.get(Offer, world.offer).per_rider_limit = 1
        session.commit()
    rider = make_client(world.rider)
    assert rider.post(f"/offers/{world.offer}/redeem").status_code == 303
    confirm = rider.get(f"/offers/{world.offer}")
    page = text_of(confirm)
    assert "1 per rider per week; you have used or hold 1" in page
    assert re.search(r"You may redeem this offer 1 time a week\. You can redeem it again from Mon \d+ \w+, 00:00\.",
                     page)
    assert f'action="/offers/{world.offer}/redeem"' not in confirm.get_data(as_text=True)
    refused = rider.post(f"/offers/{world.offer}/redeem")
    assert refused.status_code == 409 and "You can redeem it again from Mon" in text_of(refused)
    chinese = text_of(rider.get(f"/offers/{world.offer}", lang="zh"))
    assert re.search(r"此优惠每周限兑换1次。\d+月\d+日 00:00起可以再次兑换。", chinese)


def test_when_todays_vouchers_are_gone_the_rider_is_told_when_more_come(rider_with_points, make_client, ctx):
    world = rider_with_points
    with ctx() as session:
        session.get(Offer, world.offer).daily_stock = 1
        rider2 = session.get(User, world.rider2)
        give_points(rider2.id, 100)
        vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=rider2)
        session.commit()
    rider = make_client(world.rider)
    confirm = text_of(rider.get(f"/offers/{world.offer}"))
    assert "0 of 1 left today" in confirm
    assert re.search(r"Today's vouchers of this offer are all taken\. More from \w+ \d+ \w+, 00:00\.", confirm)
    refused = rider.post(f"/offers/{world.offer}/redeem")
    assert refused.status_code == 409 and "Today's vouchers of this offer are all taken." in text_of(refused)


# --- serving hours at the counter and on the rider's voucher ----------------------------------------------

def test_outside_serving_hours_the_counter_refuses_and_the_rider_is_told_when(rider_with_points, make_client, ctx):
    world = rider_with_points
    with ctx() as session:
        hours = closed_hours()
        session.get(Merchant, world.merchant).serving_hours = hours
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider))
        session.commit()
        voucher_id, code = voucher.id, voucher.code
    staff, rider = make_client(world.staff), make_client(world.rider)

    shown = staff.get(f"/merchant/vouchers/{code}")
    assert shown.status_code == 409
    assert f"Outside serving hours ({hours}). This voucher can be used from" in text_of(shown)
    assert "Confirm redemption" not in text_of(shown)
    refused = staff.post(f"/merchant/vouchers/{code}/confirm", htmx=True)
    assert refused.status_code == 409 and "Outside serving hours" in text_of(refused)
    with ctx() as session:
        assert session.get(Voucher, voucher_id).status == "issued"

    page = text_of(rider.get(f"/vouchers/{voucher_id}"))
    start = hours[:5]
    assert re.search(rf"暖新小厨 is not serving now \(serving hours {hours}\)\. You can use this voucher from "
                     rf"\w+ \d+ \w+, {start}\.", page), page
    chinese = text_of(rider.get(f"/vouchers/{voucher_id}", lang="zh"))
    assert re.search(rf"暖新小厨现在不营业（营业时间{hours}）。这张券\d+月\d+日 {start}起可以使用。", chinese)


def test_within_serving_hours_the_counter_confirms_as_before(rider_with_points, make_client, ctx):
    world = rider_with_points
    with ctx() as session:
        hour = to_local(utcnow()).hour
        session.get(Merchant, world.merchant).serving_hours = f"{hour:02d}:00-{hour + 1:02d}:00"
        code = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider)).code
        session.commit()
    confirmed = make_client(world.staff).post(f"/merchant/vouchers/{code}/confirm")
    assert confirmed.status_code == 200 and "Redeemed. Give the rider" in text_of(confirmed)
