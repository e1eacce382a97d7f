"""The day pass's token and short code, read by ``check_pass``: tampering, other days, suspended, deleted and
non-rider accounts, what a guard may type, and the local midnight between two days."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from core.timeutil import local_midnight
from passes import tokens
from passes.models import PassEntry
from passes.services import ALREADY, EXPIRED, SUSPENDED, UNKNOWN, VALID, check_pass
from passes.tokens import BadPass, pass_token, read_pass, read_pass_token, short_code
from tests.factories import make_org, make_user
from tests.pass_factories import make_building, make_building_staff

NOW = datetime(2026, 12, 9, 2, 0, tzinfo=UTC)  # 10:00 on 9 December in Shanghai
TODAY = date(2026, 12, 9)


@pytest.fixture
def scene(session):
    """A rider (赵佳楠, food delivery, 美团), a second rider, a partner building and its guard; committed."""
    org = make_org()
    rider, other = make_user(name="赵佳楠"), make_user(name="张松阳")
    building = make_building(org.id)
    guard = make_building_staff(building.id)
    session.commit()
    return rider, other, building, guard


def check(scene, text, *, now=NOW, record=False):
    _rider, _other, building, guard = scene
    return check_pass(text=text, building=building, staff=guard, record=record, now=now)


# --- tampering -------------------------------------------------------------------------------------------------


def test_todays_token_and_code_are_valid(scene):
    rider = scene[0]
    for text in (pass_token(rider.id, TODAY), short_code(rider.id, TODAY)):
        verdict = check(scene, text)
        assert (verdict.status, verdict.rider, verdict.day) == (VALID, rider, TODAY)


def test_a_token_with_one_character_flipped_is_unknown(scene):
    token = pass_token(scene[0].id, TODAY)
    for i in (0, len(token) // 2, len(token) - 1):
        flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        assert check(scene, flipped).status == UNKNOWN


def test_a_token_signed_with_another_secret_is_unknown(scene):
    forged = URLSafeSerializer("not-our-secret", salt=tokens.SALT).dumps([scene[0].id, TODAY.isoformat()])
    assert check(scene, forged).status == UNKNOWN
    with pytest.raises(BadPass):
        read_pass_token(forged)


def test_another_riders_id_spliced_into_a_code_is_unknown(scene):
    rider, other = scene[0], scene[1]
    digits = short_code(rider.id, TODAY).split("-")[1]
    assert check(scene, f"{other.id}-{digits}").status == UNKNOWN
    assert check(scene, f"{rider.id}-{digits}").status == VALID


def test_a_code_made_with_another_secret_is_unknown(scene, app):
    rider = scene[0]
    app.secret_key, real = "another-secret", app.secret_key
    try:
        forged = short_code(rider.id, TODAY)
    finally:
        app.secret_key = real
    assert check(scene, forged).status == UNKNOWN


@pytest.mark.parametrize("junk", ["", " ", "abc", "0-123456", "12", "1" * 40, "a/b/c", "x" * 500, "１２",
                                  "100000٠", "١٢-٣٤٥٦٧٨"])  # Arabic-Indic digits: found by the form fuzzer
def test_junk_is_unknown_never_an_error(scene, junk):
    assert check(scene, junk).status == UNKNOWN


# --- other days ------------------------------------------------------------------------------------------------


def test_yesterdays_token_is_expired_and_says_its_day(scene):
    verdict = check(scene, pass_token(scene[0].id, TODAY - timedelta(days=1)))
    assert (verdict.status, verdict.day, verdict.rider) == (EXPIRED, date(2026, 12, 8), scene[0])


def test_tomorrows_token_and_code_are_unknown(scene):
    rider = scene[0]
    assert check(scene, pass_token(rider.id, TODAY + timedelta(days=1))).status == UNKNOWN
    assert check(scene, short_code(rider.id, TODAY + timedelta(days=1))).status == UNKNOWN


def test_a_code_of_three_days_ago_is_expired_with_its_day_one_of_nine_days_ago_unknown(scene):
    rider = scene[0]
    three = check(scene, short_code(rider.id, TODAY - timedelta(days=3)))
    assert (three.status, three.day) == (EXPIRED, date(2026, 12, 6))
    assert check(scene, short_code(rider.id, TODAY - timedelta(days=9))).status == UNKNOWN


def test_an_old_pass_records_nothing(scene, session):
    check(scene, pass_token(scene[0].id, TODAY - timedelta(days=1)), record=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(PassEntry)) == 0


# --- the account behind the pass -------------------------------------------------------------------------------


def test_a_deactivated_riders_pass_is_suspended_at_once(scene, session):
    rider = scene[0]
    token = pass_token(rider.id, TODAY)
    assert check(scene, token).status == VALID
    rider.active = False
    session.commit()
    verdict = check(scene, token, record=True)
    assert (verdict.status, verdict.rider) == (SUSPENDED, rider)
    assert check(scene, short_code(rider.id, TODAY)).status == SUSPENDED
    assert session.scalar(sa.select(sa.func.count()).select_from(PassEntry)) == 0


def test_a_deleted_riders_pass_is_unknown(scene, session):
    rider = scene[0]
    rider.deleted_at = NOW - timedelta(hours=1)
    session.commit()
    verdict = check(scene, pass_token(rider.id, TODAY))
    assert (verdict.status, verdict.rider) == (UNKNOWN, None)


def test_a_pass_made_for_a_non_rider_or_no_one_is_unknown(scene):
    guard = scene[3]
    assert check(scene, pass_token(guard.id, TODAY)).status == UNKNOWN
    assert check(scene, short_code(guard.id, TODAY)).status == UNKNOWN
    assert check(scene, pass_token(987654, TODAY)).status == UNKNOWN


# --- what a guard types -----------------------------------------------------------------------------------------


def test_typed_codes_may_have_spaces_dashes_and_full_width_digits(scene):
    rider = scene[0]
    code = short_code(rider.id, TODAY)
    plain = code.replace("-", "")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in plain)
    for typed in (code, plain, f" {code[:-3]} {code[-3:]} ", f"{rider.id} - {plain[-6:-3]}-{plain[-3:]}", full_width,
                  code.replace("-", "－"), f"{rider.id}.{plain[-6:]}"):
        assert check(scene, typed).status == VALID, typed


def test_a_scanned_url_is_read_by_its_last_part(scene):
    token = pass_token(scene[0].id, TODAY)
    assert read_pass(f"https://nuanxin.example/building/check/{token}", TODAY) == (scene[0].id, TODAY)
    assert check(scene, f"https://nuanxin.example/building/check/{token}/").status == VALID


# --- local midnight ---------------------------------------------------------------------------------------------


def test_a_pass_is_valid_until_local_midnight_and_expired_after_it(scene, session):
    rider = scene[0]
    midnight = local_midnight(TODAY + timedelta(days=1))  # 16:00 UTC on the 9th
    before, after = midnight - timedelta(seconds=1), midnight + timedelta(seconds=1)
    todays, tomorrows = short_code(rider.id, TODAY), pass_token(rider.id, TODAY + timedelta(days=1))
    assert check(scene, todays, now=before, record=True).status == VALID
    assert check(scene, tomorrows, now=before).status == UNKNOWN
    late = check(scene, todays, now=after)
    assert (late.status, late.day) == (EXPIRED, TODAY)
    assert check(scene, tomorrows, now=after, record=True).status == VALID
    assert check(scene, tomorrows, now=after + timedelta(hours=1), record=True).status == ALREADY
    session.commit()
    days = session.scalars(sa.select(PassEntry.local_day).order_by(PassEntry.id)).all()
    assert days == [TODAY, TODAY + timedelta(days=1)]  # one entry per local day
