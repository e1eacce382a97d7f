"""Coordinators' reward pages: the partner restaurants and their offers (face values, stock)."""

import pytest
import sqlalchemy as sa

from accounts.models import User
from rewards.models import Merchant, Offer
from tests.factories import give_points
from tests.integration.conftest import count
from tests.pages import input_value, text_of


def merchant_form(**overrides) -> dict:
    data = {"name": "港城小馆", "address": "人民中路88号", "latitude": "31.87", "longitude": "120.55", "active": "y"}
    data.update(overrides)
    return data


def offer_form(**overrides) -> dict:
    data = {"title": "牛肉面一碗", "description": "中碗", "points_cost": "40", "face_value": "12.5", "stock": "20",
            "per_rider_limit": "1", "validity_days": "14", "active": "y"}
    data.update(overrides)
    return data


# Merchants


def test_adding_a_merchant_stores_it_and_opens_its_page(coordinator, ctx):
    response = coordinator.post("/coordinate/merchants/new", merchant_form(name="  港城小馆  "))
    assert response.status_code == 303
    with ctx() as session:
        merchant = session.scalar(sa.select(Merchant).where(Merchant.name == "港城小馆"))
        assert merchant is not None
        assert (merchant.address, merchant.latitude, merchant.longitude, merchant.active) == (
            "人民中路88号", 31.87, 120.55, True)
    assert response.headers["Location"] == f"/coordinate/merchants/{merchant.id}"
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Merchant added. Now add its offers and staff." in page
    assert "No offers yet." in page


def test_the_merchant_list_shows_every_partner_restaurant(coordinator):
    response = coordinator.get("/coordinate/merchants")
    assert response.status_code == 200
    page = text_of(response)
    assert "暖新小厨" in page and "港城面馆" not in page  # another organisation's merchant is not theirs


@pytest.mark.parametrize(("overrides", "message", "kept_field"), [
    ({"name": ""}, "Enter the restaurant's name.", "address"),
    ({"latitude": "91"}, "Latitude is between -90 and 90.", "latitude"),
    ({"latitude": "abc"}, "Enter a number like 31.87.", "latitude"),
    ({"longitude": "abc"}, "Enter a number like 31.87.", "longitude"),
    ({"longitude": "181"}, "Longitude is between -180 and 180.", "longitude"),
], ids=["empty-name", "latitude-91", "junk-latitude", "junk-longitude", "longitude-181"])
def test_it_refuses_an_invalid_new_merchant_and_keeps_the_input(coordinator, ctx, overrides, message, kept_field):
    before = count(ctx, Merchant)
    data = merchant_form(**overrides)
    response = coordinator.post("/coordinate/merchants/new", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept_field) == data[kept_field]
    assert count(ctx, Merchant) == before


def test_editing_a_merchant_saves_the_changes(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}",
                                merchant_form(name="暖新小厨（新店）", address="步行街70号", latitude="", longitude="",
                                              active=""))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/merchants/{world.merchant}"
    with ctx() as session:
        merchant = session.get(Merchant, world.merchant)
        assert (merchant.name, merchant.address, merchant.latitude, merchant.active) == (
            "暖新小厨（新店）", "步行街70号", None, False)
    assert "Merchant saved." in text_of(coordinator.get(response.headers["Location"]))


@pytest.mark.parametrize(("overrides", "message", "kept_field"), [
    ({"name": ""}, "Enter the restaurant's name.", "address"),
    ({"latitude": "91"}, "Latitude is between -90 and 90.", "latitude"),
    ({"latitude": "abc"}, "Enter a number like 31.87.", "latitude"),
], ids=["empty-name", "latitude-91", "junk-latitude"])
def test_it_refuses_an_invalid_merchant_edit_and_keeps_the_input(world, coordinator, ctx, overrides, message,
                                                                 kept_field):
    data = merchant_form(**overrides)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept_field) == data[kept_field]
    with ctx() as session:
        merchant = session.get(Merchant, world.merchant)
        assert (merchant.name, merchant.address, merchant.latitude) == ("暖新小厨", "杨舍镇步行街68号", None)


def test_it_refuses_a_merchant_name_of_only_spaces(coordinator, ctx):
    before = count(ctx, Merchant)
    response = coordinator.post("/coordinate/merchants/new", merchant_form(name="   "))
    assert response.status_code == 422
    assert "Enter the restaurant's name." in text_of(response)
    assert count(ctx, Merchant) == before


def test_a_merchant_refusal_is_shown_in_chinese(coordinator):
    response = coordinator.post("/coordinate/merchants/new", merchant_form(name=""), lang="zh")
    assert response.status_code == 422
    page = text_of(response)
    assert "请输入店名。" in page
    assert "Enter the restaurant's name." not in page


def test_a_missing_merchant_is_not_found(coordinator):
    assert coordinator.get("/coordinate/merchants/999999").status_code == 404


# Offers


@pytest.mark.parametrize(("typed", "fen"), [("12.5", 1250), ("15", 1500), ("0.01", 1), ("１２.５０", 1250)])
def test_adding_an_offer_stores_the_face_value_in_fen(world, coordinator, ctx, typed, fen):
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new", offer_form(face_value=typed))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/merchants/{world.merchant}"
    with ctx() as session:
        offer = session.scalar(sa.select(Offer).where(Offer.title == "牛肉面一碗"))
        assert (offer.merchant_id, offer.face_value_fen, offer.points_cost) == (world.merchant, fen, 40)
        assert offer.stock == 20
        assert (offer.per_rider_limit, offer.validity_days, offer.active) == (1, 14, True)
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Offer added." in page
    assert f"¥{fen // 100}.{fen % 100:02d}" in page


@pytest.mark.parametrize(("typed", "message"), [
    ("12.345", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("-1", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("abc", "Enter an amount in yuan, like 15 or 12.50."),
    ("10000.01", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("99999999999999999999", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("", "Enter the face value."),
])
def test_it_refuses_a_face_value_that_is_not_an_amount_in_yuan(world, coordinator, ctx, typed, message):
    before = count(ctx, Offer)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new", offer_form(face_value=typed))
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, "face_value") in ((typed or None), typed)
    assert input_value(response, "title") == "牛肉面一碗"
    assert count(ctx, Offer) == before


@pytest.mark.parametrize("typed", ["999999999999999999999999999999", "1e30"])
def test_it_refuses_an_enormous_face_value_with_a_message(world, coordinator, ctx, typed):
    before = count(ctx, Offer)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new", offer_form(face_value=typed))
    assert response.status_code == 422
    assert "Enter an amount between 0 and 10000 yuan, at most two decimals." in text_of(response)
    assert input_value(response, "face_value") == typed
    assert count(ctx, Offer) == before


@pytest.mark.parametrize(("overrides", "message", "kept_field"), [
    ({"title": ""}, "Enter a title.", "face_value"),
    ({"points_cost": "0"}, "Points cost must be between 1 and 100000.", "points_cost"),
    ({"stock": "abc"}, "Enter a whole number.", "stock"),
    ({"validity_days": "400"}, "Validity must be between 1 and 365 days.", "validity_days"),
], ids=["empty-title", "zero-points-cost", "junk-stock", "long-validity"])
def test_it_refuses_other_invalid_offer_fields_and_keeps_the_input(world, coordinator, ctx, overrides, message,
                                                                   kept_field):
    before = count(ctx, Offer)
    data = offer_form(**overrides)
    response = coordinator.post(f"/coordinate/merchants/{world.merchant}/offers/new", data)
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept_field) == data[kept_field]
    assert count(ctx, Offer) == before


def test_the_offer_edit_form_shows_the_face_value_in_yuan(world, coordinator):
    response = coordinator.get(f"/coordinate/offers/{world.offer}/edit")
    assert response.status_code == 200
    assert input_value(response, "face_value") == "15.00"
    assert input_value(response, "title") == "暖心盒饭一份"


def test_editing_an_offer_stores_the_new_face_value_in_fen(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/offers/{world.offer}/edit",
                                offer_form(title="暖心盒饭（大份）", face_value="18.8", stock="5"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/merchants/{world.merchant}"
    with ctx() as session:
        offer = session.get(Offer, world.offer)
        assert (offer.title, offer.face_value_fen, offer.stock) == ("暖心盒饭（大份）", 1880, 5)
    assert "Offer saved." in text_of(coordinator.get(response.headers["Location"]))


@pytest.mark.parametrize(("typed", "message"), [
    ("12.345", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("-1", "Enter an amount between 0 and 10000 yuan, at most two decimals."),
    ("abc", "Enter an amount in yuan, like 15 or 12.50."),
])
def test_it_refuses_an_offer_edit_with_a_bad_face_value(world, coordinator, ctx, typed, message):
    response = coordinator.post(f"/coordinate/offers/{world.offer}/edit", offer_form(face_value=typed))
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, "face_value") == typed
    with ctx() as session:
        offer = session.get(Offer, world.offer)
        assert (offer.title, offer.face_value_fen) == ("暖心盒饭一份", 1500)


def test_a_missing_offer_is_not_found(coordinator):
    assert coordinator.get("/coordinate/offers/999999/edit").status_code == 404


# Stock edited while vouchers are issued


def test_editing_stock_keeps_vouchers_issued_while_the_form_was_open(world, coordinator, ctx):
    from rewards import vouchers

    page = coordinator.get(f"/coordinate/offers/{world.offer}/edit").get_data(as_text=True)
    assert 'name="stock_shown" type="hidden" value="10"' in page
    with ctx() as session:  # a rider redeems while the coordinator looks at the form
        give_points(world.rider, 30)
        vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider))
        session.commit()
    data = {"title": "暖心盒饭一份", "points_cost": "30", "face_value": "15", "stock": "15", "per_rider_limit": "2",
            "validity_days": "7", "active": "y", "stock_shown": "10"}
    assert coordinator.post(f"/coordinate/offers/{world.offer}/edit", data).status_code == 303
    with ctx() as session:
        assert session.get(Offer, world.offer).stock == 14  # 9 left + the 5 added


def test_removing_more_stock_than_is_left_is_refused(world, coordinator, ctx):
    data = {"title": "暖心盒饭一份", "points_cost": "30", "face_value": "15", "stock": "0", "per_rider_limit": "2",
            "validity_days": "7", "active": "y", "stock_shown": "12"}
    response = coordinator.post(f"/coordinate/offers/{world.offer}/edit", data)
    assert response.status_code == 422 and "only 10 left now" in response.get_data(as_text=True)


@pytest.mark.parametrize("shown", ["99999999999", "²", "-5", "12a"])
def test_a_tampered_stock_shown_on_the_offer_form_never_breaks_the_save(world, coordinator, ctx, shown):
    """The hidden original stock is only trusted when it is a plausible stock; else the typed stock is set."""
    response = coordinator.post(f"/coordinate/offers/{world.offer}/edit", {
        "title": "暖心盒饭一份", "points_cost": "30", "face_value": "15", "stock": "7", "per_rider_limit": "2",
        "validity_days": "7", "active": "y", "stock_shown": shown})
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(Offer, world.offer).stock == 7
