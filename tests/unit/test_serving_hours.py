"""Serving hours: typed as local ranges, checked when a voucher is confirmed at the counter (rewards.hours)."""

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from points.queries import balance_of
from rewards import hours, merchants, vouchers
from rewards.errors import AlreadyRedeemed, OutsideServingHours
from tests.factories import give_points, make_merchant, make_offer, make_staff, make_user

LUNCH_AND_DINNER = "11:00-14:00, 17:00-21:00"


def local(day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai (UTC+8) wall-clock time in December 2026 as aware UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.mark.parametrize("typed, spans", [
    ("", []),
    ("  ", []),
    ("11:00-14:00, 17:00-21:00", [(660, 840), (1020, 1260)]),
    ("１７：００～２１：００，１１：００－１４：００", [(660, 840), (1020, 1260)]),  # a Chinese IME, any order
    ("11:00 – 14:00、17:00至21:00", [(660, 840), (1020, 1260)]),
    ("7:30-9:00; 22:00-02:00", [(450, 540), (1320, 120)]),  # the second crosses midnight
    ("18:00-24:00", [(1080, 1440)]),
])
def test_it_reads_hours_as_people_type_them(typed, spans):
    assert hours.parse_hours(typed) == spans


@pytest.mark.parametrize("typed, message", [
    ("lunch", "Cannot read “lunch”. Write ranges like 11:00-14:00, 17:00-21:00."),
    ("11-14", "Cannot read “11-14”. Write ranges like 11:00-14:00, 17:00-21:00."),
    ("25:00-26:00", "“25:00-26:00” is not a time of day (00:00 to 24:00)."),
    ("11:00-11:00", "“11:00-11:00” starts and ends at the same time."),
    ("11:00-14:00, 13:00-15:00", "The ranges overlap. Write each serving time once."),
    ("22:00-02:00, 01:00-03:00", "The ranges overlap. Write each serving time once."),
])
def test_it_refuses_unreadable_hours_with_a_clear_message(app, typed, message):
    with app.test_request_context(), force_locale("en"), pytest.raises(hours.HoursError) as refused:
        hours.parse_hours(typed)
    with app.test_request_context(), force_locale("en"):
        assert str(refused.value.args[0]) == message


def test_it_knows_when_serving_starts_next_in_local_time(app):
    with app.app_context():
        assert hours.is_serving(LUNCH_AND_DINNER, local(9, 11, 0))
        assert not hours.is_serving(LUNCH_AND_DINNER, local(9, 14, 0))  # the end is exclusive
        assert hours.next_open(LUNCH_AND_DINNER, local(9, 12)) is None
        assert hours.next_open(LUNCH_AND_DINNER, local(9, 15)) == local(9, 17)
        assert hours.next_open(LUNCH_AND_DINNER, local(9, 21, 30)) == local(10, 11)
        assert hours.next_open(LUNCH_AND_DINNER, local(9, 8)) == local(9, 11)
        assert hours.next_open("22:00-02:00", local(10, 1, 59)) is None  # still last night's range
        assert hours.next_open("22:00-02:00", local(10, 2, 0)) == local(10, 22)
        assert hours.next_open("", local(9, 3)) is None and hours.is_serving(None, local(9, 3))


@pytest.fixture
def counter(session):
    merchant = make_merchant(serving_hours=LUNCH_AND_DINNER)
    staff = make_staff(merchant.id)
    offer = make_offer(merchant.id)
    rider = make_user()
    give_points(rider.id, 100)
    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=local(9, 9))
    session.commit()
    return merchant, staff, voucher


def test_outside_serving_hours_a_voucher_cannot_be_confirmed_and_the_refusal_says_when(session, counter):
    _, staff, voucher = counter
    with pytest.raises(OutsideServingHours) as refused:
        vouchers.confirm_voucher(code=voucher.code, staff=staff, now=local(9, 15, 30))
    assert refused.value.opens_at == local(9, 17)
    session.rollback()
    assert session.get(type(voucher), voucher.id).status == "issued"
    assert balance_of(voucher.rider_id) == 70
    assert vouchers.refusal_for(voucher, local(9, 15, 30)).opens_at == local(9, 17)
    with force_locale("en"):
        assert OutsideServingHours(LUNCH_AND_DINNER, local(9, 17)).message == (
            "Outside serving hours (11:00-14:00, 17:00-21:00). This voucher can be used from Wed 9 Dec, 17:00.")

    assert vouchers.confirm_voucher(code=voucher.code, staff=staff, now=local(9, 17, 0)).status == "redeemed"
    session.commit()
    with pytest.raises(AlreadyRedeemed):  # a used voucher says so, whatever the hour
        vouchers.confirm_voucher(code=voucher.code, staff=staff, now=local(9, 22))


def test_saving_a_merchant_stores_its_hours_in_one_form(session):
    coordinator = make_user("admin", "刘管理")
    merchant = merchants.save_merchant(merchant=None, name="夜宵铺", address="步行街1号", latitude=None,
                                       longitude=None, active=True, actor=coordinator,
                                       serving_hours="１７：００～２１：００，11:00 - 14:00")
    assert merchant.serving_hours == LUNCH_AND_DINNER
    merchants.save_merchant(merchant=merchant, name="夜宵铺", address="步行街1号", latitude=None, longitude=None,
                            active=True, actor=coordinator)  # hours not given: kept
    assert merchant.serving_hours == LUNCH_AND_DINNER
