"""The counter's lock on unknown codes: only codes that match no voucher count, and a rider's QR link of
a real voucher always opens, even while typed look-ups are locked."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from rewards.codes import luhn_digit
from rewards.models import Voucher
from tests.integration.test_merchant import issue
from tests.pages import text_of

LIMIT = 3
LOCKED = "Look-ups are locked until"


@pytest.fixture
def app(app):
    app.config["UNKNOWN_CODES_PER_STAFF"] = f"{LIMIT} per 10 minutes"
    return app


@pytest.fixture
def staff(world, make_client):
    return make_client(world.staff)


def unknown_codes(count: int) -> list[str]:
    bodies = [f"{n:015d}" for n in range(200000000000000, 200000000000000 + count)]
    return [body + luhn_digit(body) for body in bodies]


def lock(staff) -> None:
    """Spend the staff account's whole budget on unknown codes; the next typed look-up is locked."""
    for code in unknown_codes(LIMIT):
        assert staff.get(f"/merchant/vouchers/{code}").status_code == 404
    assert staff.get("/merchant/lookup?code=1234").status_code == 429


def assert_not_locked(staff) -> None:
    typed = staff.get("/merchant/lookup?code=1234")  # a short code: the form answers, not the lock
    assert typed.status_code == 422 and LOCKED not in text_of(typed)


def test_the_limit_trips_at_exactly_one_more_than_allowed(staff):
    codes = unknown_codes(LIMIT + 1)
    for code in codes[:LIMIT]:  # N unknown codes are each answered "no voucher has this code"
        page = staff.get(f"/merchant/vouchers/{code}")
        assert page.status_code == 404 and "No voucher has this code" in text_of(page)
    locked = staff.get(f"/merchant/vouchers/{codes[LIMIT]}")  # attempt N + 1 meets the lock
    assert locked.status_code == 429 and LOCKED in text_of(locked)


def test_another_restaurants_voucher_never_locks_the_counter(world, ctx, make_client):
    code = issue(ctx, world.offer, world.rider)
    other_staff = make_client(world.other_staff)
    for _ in range(LIMIT * 3):
        page = other_staff.get(f"/merchant/vouchers/{code}")
        assert page.status_code == 403 and "another restaurant" in text_of(page)
        assert other_staff.get(f"/merchant/lookup?code={code}").status_code == 303
    assert_not_locked(other_staff)


def test_an_expired_voucher_never_locks_the_counter(world, ctx, staff):
    code = issue(ctx, world.offer, world.rider, now=utcnow() - timedelta(days=8))
    for _ in range(LIMIT * 3):
        assert staff.get(f"/merchant/vouchers/{code}").status_code == 409
        assert staff.post(f"/merchant/vouchers/{code}/confirm").status_code == 409
    assert_not_locked(staff)


def test_a_redeemed_voucher_never_locks_the_counter(world, ctx, staff, make_client):
    code = issue(ctx, world.offer, world.rider)
    assert staff.post(f"/merchant/vouchers/{code}/confirm").status_code in (200, 303)
    colleague = make_client(world.staff)
    for _ in range(LIMIT * 3):
        page = colleague.get(f"/merchant/vouchers/{code}")
        assert page.status_code == 409 and "Already redeemed" in text_of(page)
    assert_not_locked(colleague)


def test_a_riders_qr_link_opens_and_confirms_while_typed_look_ups_are_locked(world, ctx, staff):
    code = issue(ctx, world.offer, world.rider)
    lock(staff)
    page = staff.get(f"/merchant/vouchers/{code}")
    assert page.status_code == 200 and "Confirm redemption" in text_of(page) and LOCKED not in text_of(page)
    assert staff.post(f"/merchant/vouchers/{code}/confirm").status_code in (200, 303)
    with ctx() as session:
        assert session.scalar(sa.select(Voucher.status).where(Voucher.code == code)) == "redeemed"
    # The typed code box stays locked, also for the real code, and so does an unknown code's URL.
    assert LOCKED in text_of(staff.get(f"/merchant/lookup?code={code}"))
    unknown = staff.get(f"/merchant/vouchers/{unknown_codes(LIMIT + 1)[-1]}")
    assert unknown.status_code == 429 and LOCKED in text_of(unknown)


def test_a_locked_unknown_code_keeps_the_code_in_the_box(staff):
    lock(staff)
    code = unknown_codes(LIMIT + 2)[-1]
    page = staff.get(f"/merchant/vouchers/{code}")
    assert page.status_code == 429 and f'value="{code}"' in page.get_data(as_text=True)

