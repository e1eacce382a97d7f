"""The Haitang pass pages: the rider's day pass, and the building staff's check (typed or scanned), what each
says in both languages and the one entry per rider, building and day it records."""

import html
import re
from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import local_today
from passes.models import BuildingStaff, PassEntry
from tests.factories import make_user
from tests.pages import input_value, text_of
from tests.pass_factories import make_building, pass_cast, pass_of


@pytest.fixture
def cast(world, ctx):
    with ctx() as session:
        values = pass_cast(world)
        session.commit()
    return values


def verdict_of(response) -> str:
    """The verdict's headline as the guard reads it (whitespace collapsed)."""
    match = re.search(r'<p class="pass-verdict-head">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert match, f"no verdict on the page ({response.status_code})"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def entries(ctx) -> list[tuple]:
    with ctx() as session:
        return session.execute(sa.select(PassEntry.station_id, PassEntry.rider_id, PassEntry.local_day,
                                         PassEntry.checked_by_id).order_by(PassEntry.id)).all()


def guard(make_client, cast, who="building_staff"):
    return make_client(cast[who])


# --- the rider's pass ------------------------------------------------------------------------------------------


def test_the_rider_sees_todays_code_qr_name_trade_platform_and_until_midnight(make_client, world, cast, app):
    page = make_client(world.rider).get("/pass/", lang="zh")
    text = text_of(page)
    assert page.status_code == 200
    rider_id, digits = cast["pass_code"].split("-")
    assert f"{rider_id}-{digits[:3]} {digits[3:]}" in text  # grouped for reading aloud
    assert "赵** · 外卖配送 · 美团" in text and "赵佳楠" not in text
    assert "今日有效，至24:00" in text
    url = f"http://localhost/building/check/{cast['pass_token']}"
    assert url in text  # the link under the QR code, for copying
    expected = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True)
    assert expected in page.get_data(as_text=True)  # the QR code encodes exactly that URL
    article = re.search(r'<article class="voucher day-pass".*?</article>', page.get_data(as_text=True), re.S).group(0)
    assert "hx-" not in article  # the pass polls nothing: offline it stays as it is


def test_the_pass_is_cached_privately_until_local_midnight(make_client, world, cast):
    page = make_client(world.rider).get("/pass/")
    cache = page.headers["Cache-Control"]
    seconds = int(re.search(r"max-age=(\d+)", cache).group(1))
    assert cache.startswith("private") and 0 < seconds <= 24 * 3600
    assert "valid today until 24:00" in text_of(page)


def test_a_rider_without_trade_or_platform_is_named_by_what_is_known(make_client, ctx):
    with ctx() as session:
        rider = make_user(name="钱多多", trade=None, platform=None)
        session.commit()
        rider_id = rider.id
    text = text_of(make_client(rider_id).get("/pass/"))
    assert "钱**" in text and "钱** ·" not in text


# --- typing a code -------------------------------------------------------------------------------------------


def test_a_typed_code_is_valid_records_one_entry_and_names_the_rider_from_the_database(make_client, world, cast, ctx):
    staff = guard(make_client, cast)
    page = staff.post("/building/check", {"code": cast["pass_code"]})
    assert page.status_code == 200
    assert re.fullmatch(r"✓ Valid — entry recorded at \d\d:\d\d", verdict_of(page))
    assert "赵** · Food delivery · 美团" in text_of(page)
    assert "暖新大厦" in text_of(page)  # the staff's building at the top
    assert input_value(page, "code") == ""  # ready for the next code
    assert re.search(r'<input id="code"[^>]*autofocus', page.get_data(as_text=True))
    with ctx():
        today = local_today()
    assert entries(ctx) == [(cast["building"], world.rider, today, cast["building_staff"])]


def test_checking_again_says_already_with_the_local_time_and_counts_nothing(make_client, world, cast, ctx):
    staff = guard(make_client, cast)
    first = verdict_of(staff.post("/building/check", {"code": cast["pass_code"]}))
    time = re.search(r"\d\d:\d\d", first).group(0)
    again = staff.post("/building/check", {"code": cast["pass_code"]})
    assert verdict_of(again) == f"✓ Already checked in today at {time}; not counted again"
    zh = staff.post("/building/check", {"code": cast["pass_code"]}, lang="zh")
    assert verdict_of(zh) == f"✓ 今天已于{time}登记，不再计数"
    assert len(entries(ctx)) == 1


def test_the_other_buildings_staff_records_its_own_entry(make_client, world, cast, ctx):
    guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]})
    other = guard(make_client, cast, "other_building_staff").post("/building/check", {"code": cast["pass_code"]})
    assert verdict_of(other).startswith("✓ Valid — entry recorded at")
    assert "港城商务楼" in text_of(other)
    assert sorted((station, staff) for station, _r, _d, staff in entries(ctx)) == sorted(
        [(cast["building"], cast["building_staff"]), (cast["other_building"], cast["other_building_staff"])])


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_code_is_422_with_a_clear_message(make_client, cast, ctx, typed):
    page = guard(make_client, cast).post("/building/check", {"code": typed})
    assert page.status_code == 422
    assert "Type the pass code shown under the rider's QR code." in text_of(page)
    assert entries(ctx) == []


def test_junk_is_422_with_the_input_kept_in_either_language(make_client, cast, ctx):
    staff = guard(make_client, cast)
    page = staff.post("/building/check", {"code": "abc xyz"})
    assert page.status_code == 422 and input_value(page, "code") == "abc xyz"
    assert "A pass code is made of digits" in text_of(page)
    zh = staff.post("/building/check", {"code": "abc"}, lang="zh")
    assert zh.status_code == 422 and "通行码由数字组成" in text_of(zh)


def test_a_wrong_code_says_unknown_in_either_language(make_client, cast, ctx):
    staff = guard(make_client, cast)
    rider_id, digits = cast["pass_code"].split("-")
    wrong = f"{rider_id}-{(int(digits) + 1) % 10 ** 6:06d}"
    assert verdict_of(staff.post("/building/check", {"code": wrong})) == "✗ Unknown code"
    assert verdict_of(staff.post("/building/check", {"code": wrong}, lang="zh")) == "✗ 无法识别的通行码"
    assert entries(ctx) == []


def test_yesterdays_code_is_expired_with_its_date(make_client, world, cast, app, ctx):
    with app.app_context():
        yesterday = pass_of(world.rider, local_today() - timedelta(days=1))
    staff = guard(make_client, cast)
    day = yesterday.day
    assert verdict_of(staff.post("/building/check", {"code": yesterday.code}, lang="zh")) == \
        f"✗ 已过期：这是{day.month}月{day.day}日的通行码"
    en = verdict_of(staff.post("/building/check", {"code": yesterday.code}))
    assert en == f"✗ Expired: this is the pass of {day.day} {day.strftime('%B')}"
    assert entries(ctx) == []


def test_a_suspended_riders_pass_stops_at_once(make_client, world, cast, ctx):
    with ctx() as session:
        session.get(User, world.rider).active = False
        session.commit()
    page = guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]}, lang="zh")
    assert verdict_of(page) == "✗ 账号已停用" and "赵**" in text_of(page)
    assert entries(ctx) == []


def test_wrong_codes_are_limited_per_staff_member_and_the_screen_says_until_when(app, make_client, world, cast):
    app.config["WRONG_PASS_CODES_PER_STAFF"] = "3 per 10 minutes"
    staff = guard(make_client, cast)
    for n in range(3):
        assert verdict_of(staff.post("/building/check", {"code": f"{world.rider}-00000{n}"})) == "✗ Unknown code"
    locked = staff.post("/building/check", {"code": cast["pass_code"]})
    assert locked.status_code == 429
    assert re.search(r"Typing codes is locked until \d\d:\d\d", text_of(locked))
    assert input_value(locked, "code") == cast["pass_code"]
    # The scanned pass (a signed token) still works, and another guard is not locked.
    assert guard(make_client, cast).get(f"/building/check/{cast['pass_token']}").status_code == 200
    other = guard(make_client, cast, "other_building_staff").post("/building/check", {"code": cast["pass_code"]})
    assert other.status_code == 200


# --- the scanned pass ----------------------------------------------------------------------------------------


def test_a_scanned_pass_shows_the_verdict_without_recording_then_the_button_records(make_client, world, cast, ctx):
    staff = guard(make_client, cast)
    scanned = staff.get(f"/building/check/{cast['pass_token']}", lang="zh")
    assert scanned.status_code == 200
    assert verdict_of(scanned) == "✓ 有效，尚未登记通行" and "赵** · 外卖配送 · 美团" in text_of(scanned)
    assert "登记通行</button>" in scanned.get_data(as_text=True)
    assert input_value(scanned, "token") == cast["pass_token"]
    assert entries(ctx) == []  # GET never writes
    let_in = staff.post("/building/check", {"token": cast["pass_token"]}, lang="zh")
    assert re.fullmatch(r"✓ 有效，已于\d\d:\d\d登记进入", verdict_of(let_in))
    assert len(entries(ctx)) == 1
    again = staff.get(f"/building/check/{cast['pass_token']}")
    assert verdict_of(again).startswith("✓ Already checked in today at")
    assert 'name="token"' not in again.get_data(as_text=True)  # no button to let in twice
    assert len(entries(ctx)) == 1


def test_a_scanned_tampered_token_is_unknown_and_writes_nothing(make_client, cast, ctx):
    token = cast["pass_token"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    page = guard(make_client, cast).get(f"/building/check/{tampered}")
    assert verdict_of(page) == "✗ Unknown code" and 'name="token"' not in page.get_data(as_text=True)
    assert entries(ctx) == []


def test_a_logged_out_scan_goes_to_log_in_and_comes_back(client, cast):
    response = client.get(f"/building/check/{cast['pass_token']}")
    assert response.status_code == 302
    assert "/login" in response.location and "next=" in response.location and cast["pass_token"] in response.location


# --- who may check --------------------------------------------------------------------------------------------


def test_staff_whose_link_was_removed_get_a_clear_403(make_client, cast, ctx):
    with ctx() as session:
        session.delete(session.get(BuildingStaff, cast["building_staff"]))
        session.commit()
    page = guard(make_client, cast).get("/building/check")
    assert page.status_code == 403 and "no longer linked to a partner building" in text_of(page)


def test_staff_of_a_building_that_was_closed_get_403(make_client, cast, ctx):
    from stations.models import Station

    with ctx() as session:
        session.get(Station, cast["building"]).active = False
        session.commit()
    assert guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]}).status_code == 403
    assert entries(ctx) == []


def test_a_building_staff_account_of_a_non_building_station_gets_403(make_client, world, ctx):
    from tests.pass_factories import make_building_staff
    from tests.station_factories import make_station

    with ctx() as session:
        station = make_station(world.org, name="杨舍暖新窝")
        staff = make_building_staff(station.id)
        make_building(world.org)  # another building exists; this account is not tied to it
        session.commit()
        staff_id = staff.id
    assert make_client(staff_id).get("/building/check").status_code == 403


def test_a_rider_cannot_check_passes(make_client, world, cast, ctx):
    assert make_client(world.rider).post("/building/check", {"code": cast["pass_code"]}).status_code == 403
    assert make_client(world.coordinator).get(f"/building/check/{cast['pass_token']}").status_code == 403
    assert entries(ctx) == []
