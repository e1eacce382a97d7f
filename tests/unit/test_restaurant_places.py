"""Partner restaurants as places: the "restaurant" finder of core.places (rewards/places.py)."""

import math
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from core.places import nearby_places
from rewards.models import MerchantHours, MerchantHoursException, OfferDay
from rewards.places import find_restaurants, with_offers_now
from tests.factories import make_merchant, make_offer

HERE = (31.875, 120.553)  # 杨舍, Zhangjiagang
M_LAT = 1 / 111_195  # degrees of latitude in a metre (the sphere of distance_m)
# Wednesday 3 June 2026, 12:00 in Zhangjiagang (04:00 UTC): an ordinary working day
NOON = datetime(2026, 6, 3, 4, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 3, 14, 0, tzinfo=UTC)  # 22:00 local


def east(metres: float) -> float:
    return HERE[1] + metres / (111_195 * math.cos(math.radians(HERE[0])))


def hours(merchant, opens="10:00", closes="21:00", days=range(7)):
    for weekday in days:
        merchant.hours.append(MerchantHours(weekday=weekday, opens=opens, closes=closes))


@pytest.fixture
def request_ctx(app, session):
    with app.test_request_context(), force_locale("en"):
        yield session


@pytest.fixture
def restaurants(request_ctx):
    session = request_ctx
    north = make_merchant("北1公里面馆", latitude=HERE[0] + 1000 * M_LAT, longitude=HERE[1])
    near = make_merchant("东300米小厨", latitude=HERE[0], longitude=east(300))
    far = make_merchant("北6公里饭店", latitude=HERE[0] + 6000 * M_LAT, longitude=HERE[1])
    closed = make_merchant("已停业", latitude=HERE[0], longitude=east(100), active=False)
    nowhere = make_merchant("没有位置")
    hours(near)
    hours(north, "17:00", "02:00")  # a night stall, across midnight
    for merchant in (north, near, far, closed, nowhere):
        make_offer(merchant.id)
    session.commit()
    return {"north": north.id, "near": near.id, "far": far.id, "closed": closed.id, "nowhere": nowhere.id}


def names(places):
    return [place.name for place in places]


def test_it_lists_active_restaurants_with_a_position_nearest_first_with_their_distances(restaurants):
    found = find_restaurants(*HERE, now=NOON)
    assert names(found) == ["东300米小厨", "北1公里面馆"]
    assert [round(place.distance_m) for place in found] == [300, 1000]
    assert {place.kind for place in found} == {"restaurant"}
    assert found[0].url == f"/offers/restaurants/{restaurants['near']}"
    assert names(find_restaurants(*HERE, now=NOON, radius_m=7000))[-1] == "北6公里饭店"
    assert names(find_restaurants(*HERE, now=NOON, limit=1)) == ["东300米小厨"]


def test_it_says_open_or_closed_from_the_hours_and_nothing_without_hours(restaurants, request_ctx):
    at_noon = {place.name: place for place in find_restaurants(*HERE, now=NOON, radius_m=7000)}
    assert (at_noon["东300米小厨"].open_now, at_noon["东300米小厨"].status_text) == (True, "Open now · closes 21:00")
    assert (at_noon["北1公里面馆"].open_now, at_noon["北1公里面馆"].status_text) == (False, "Closed · opens 17:00")
    assert (at_noon["北6公里饭店"].open_now, at_noon["北6公里饭店"].status_text) == (None, "")
    at_night = {place.name: place for place in find_restaurants(*HERE, now=EVENING)}
    assert at_night["北1公里面馆"].status_text == "Open now · closes tomorrow 02:00"
    assert at_night["东300米小厨"].status_text == "Closed · opens tomorrow 10:00"
    with force_locale("zh"):
        assert find_restaurants(*HERE, now=NOON)[0].status_text == "营业中 · 21:00关门"


def test_open_now_keeps_only_restaurants_open_then(restaurants):
    assert names(find_restaurants(*HERE, now=NOON, open_now=True, radius_m=7000)) == ["东300米小厨"]
    assert names(find_restaurants(*HERE, now=EVENING, open_now=True)) == ["北1公里面馆"]


def test_a_dated_exception_closes_a_restaurant_that_day(restaurants, request_ctx):
    request_ctx.add(MerchantHoursException(merchant_id=restaurants["near"], day=datetime(2026, 6, 3).date(),
                                           closed=True, note="装修"))
    request_ctx.commit()
    place = find_restaurants(*HERE, now=NOON)[0]
    assert (place.name, place.open_now, place.status_text) == ("东300米小厨", False, "Closed · opens tomorrow 10:00")


def test_asking_for_amenities_finds_no_restaurant(restaurants):
    assert find_restaurants(*HERE, now=NOON, amenities=("water",)) == []


def test_a_restaurant_has_offers_when_a_rider_could_get_one_now(restaurants):
    found = find_restaurants(*HERE, now=NOON)
    assert [(place.has_offers, place.features) for place in found] == [(True, (("offers", "Offers with points"),))] * 2


def offers_of(restaurants, key):
    return next(place for place in find_restaurants(*HERE, now=NOON, radius_m=7000)
                if place.id == restaurants[key]).has_offers


def test_a_paused_merchant_has_no_offers_to_get(restaurants, request_ctx):
    from rewards.models import Merchant

    request_ctx.get(Merchant, restaurants["near"]).paused_at = NOON
    request_ctx.commit()
    assert offers_of(restaurants, "near") is False and offers_of(restaurants, "north") is True


def test_an_offer_out_of_stock_or_inactive_does_not_count_and_another_one_does(restaurants, request_ctx):
    from rewards.models import Offer

    near = request_ctx.get(Offer, make_offer(restaurants["near"], stock=0).id)
    for offer in request_ctx.query(Offer).filter_by(merchant_id=restaurants["near"]):
        if offer.id != near.id:
            offer.active = False
    request_ctx.commit()
    assert offers_of(restaurants, "near") is False
    make_offer(restaurants["near"], stock=1)
    request_ctx.commit()
    assert offers_of(restaurants, "near") is True


def test_an_offer_whose_daily_stock_is_taken_today_does_not_count_until_tomorrow(restaurants, request_ctx):
    from rewards.models import Offer

    only = request_ctx.query(Offer).filter_by(merchant_id=restaurants["near"]).one()
    only.daily_stock = 2
    request_ctx.add(OfferDay(offer_id=only.id, day=datetime(2026, 6, 3).date(), taken=2))
    request_ctx.commit()
    assert with_offers_now([restaurants["near"]], NOON) == set()
    assert with_offers_now([restaurants["near"]], datetime(2026, 6, 4, 4, tzinfo=UTC)) == {restaurants["near"]}


def test_a_merchant_without_any_offer_has_none(request_ctx):
    make_merchant("只吃饭", latitude=HERE[0], longitude=HERE[1])
    request_ctx.commit()
    place = find_restaurants(*HERE, now=NOON)[0]
    assert (place.name, place.has_offers, place.features) == ("只吃饭", False, ())


def test_near_me_lists_restaurants_among_the_kinds(restaurants):
    assert names(nearby_places(*HERE, kinds=["restaurant"], now=NOON)) == ["东300米小厨", "北1公里面馆"]


def test_the_finder_takes_a_fixed_number_of_queries_however_many_restaurants(restaurants, request_ctx, app):
    import sqlalchemy as sa

    from extensions import db

    def count_queries():
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            find_restaurants(*HERE, now=NOON, radius_m=7000)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    request_ctx.expire_all()
    few = count_queries()
    for n in range(8):
        merchant = make_merchant(f"新店{n}", latitude=HERE[0] + n * 100 * M_LAT, longitude=east(50))
        hours(merchant)
        make_offer(merchant.id)
        request_ctx.add(MerchantHoursException(merchant_id=merchant.id, day=datetime(2026, 6, 4).date(), closed=True))
    request_ctx.commit()
    request_ctx.expire_all()
    assert count_queries() == few <= 4
