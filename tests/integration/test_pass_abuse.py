"""The Haitang pass under a hostile or clumsy hand: replayed and doubled posts, passes of other days and of
other accounts, junk codes, staff and buildings changed mid-session, other organisations' figures, formula-like
names in exports and local midnight. Each answer is a clear page, never a 500, and at most one entry."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import at_local, local_today
from passes.models import PassEntry
from passes.services import check_pass
from stations.models import Station
from tests.integration.test_pass_pages import entries, guard, verdict_of
from tests.pages import input_value, text_of
from tests.pass_factories import pass_cast, pass_of


@pytest.fixture
def cast(world, ctx):
    with ctx() as session:
        values = pass_cast(world)
        session.commit()
    return values


def token_of(app, user_id, days=0):
    with app.app_context():
        return pass_of(user_id, local_today() + timedelta(days=days))


# --- doubled, replayed ----------------------------------------------------------------------------------------


def test_let_in_tapped_twice_records_one_entry_and_answers_as_the_first_tap(make_client, cast, ctx):
    staff = guard(make_client, cast)
    first = staff.post("/building/check", {"token": cast["pass_token"]})
    again = staff.post("/building/check", {"token": cast["pass_token"]}, lang="zh")
    assert verdict_of(first).startswith("✓ Valid — entry recorded at")
    time = verdict_of(first)[-5:]
    assert verdict_of(again) == f"✓ 有效，已于{time}登记进入"  # not "already": the guard tapped once, in effect
    assert len(entries(ctx)) == 1
    # Another guard at the same building, or the same guard a minute later, is told "already".
    with ctx() as session:
        entry = session.scalar(sa.select(PassEntry))
        entry.entered_at -= timedelta(seconds=61)
        session.commit()
    later = staff.post("/building/check", {"token": cast["pass_token"]})
    assert verdict_of(later).startswith("✓ Already checked in today at")
    assert len(entries(ctx)) == 1


def test_let_in_by_another_guard_of_the_building_says_already(make_client, cast, ctx):
    from tests.pass_factories import make_building_staff

    with ctx() as session:
        second_guard = make_building_staff(cast["building"], name="保安小王").id
        session.commit()
    guard(make_client, cast).post("/building/check", {"token": cast["pass_token"]})
    page = make_client(second_guard).post("/building/check", {"token": cast["pass_token"]})
    assert verdict_of(page).startswith("✓ Already checked in today at")
    assert len(entries(ctx)) == 1


def test_a_replayed_post_without_csrf_is_refused(make_client, cast, ctx):
    response = guard(make_client, cast).post("/building/check", {"token": cast["pass_token"]}, csrf=False)
    assert response.status_code in (400, 403)
    assert entries(ctx) == []


# --- other days, other accounts --------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [1, 30])
def test_a_pass_of_a_future_day_is_refused_and_records_nothing(app, make_client, world, cast, ctx, days):
    future = token_of(app, world.rider, days)
    staff = guard(make_client, cast)
    for page in (staff.get(f"/building/check/{future.token}"), staff.post("/building/check", {"code": future.code}),
                 staff.post("/building/check", {"token": future.token})):
        assert page.status_code == 200 and verdict_of(page) == "✗ Unknown code"
        assert "赵**" not in text_of(page) and 'name="token"' not in page.get_data(as_text=True)
    assert entries(ctx) == []


def test_another_riders_id_spliced_into_a_code_is_unknown(make_client, world, cast, ctx):
    _rider, digits = cast["pass_code"].split("-")
    page = guard(make_client, cast).post("/building/check", {"code": f"{world.rider2}-{digits}"})
    assert verdict_of(page) == "✗ Unknown code" and "赵**" not in text_of(page)
    assert entries(ctx) == []


@pytest.mark.parametrize("who", ["coordinator", "admin", "building_staff"])
def test_a_pass_of_a_non_rider_account_is_unknown(app, make_client, world, cast, ctx, who):
    user_id = cast[who] if who == "building_staff" else getattr(world, who)
    forged = token_of(app, user_id)
    staff = guard(make_client, cast)
    assert verdict_of(staff.get(f"/building/check/{forged.token}")) == "✗ Unknown code"
    assert verdict_of(staff.post("/building/check", {"code": forged.code})) == "✗ Unknown code"
    assert entries(ctx) == []


def test_a_deleted_rider_is_unknown(make_client, world, cast, ctx):
    from core.timeutil import utcnow

    with ctx() as session:
        session.get(User, world.rider).deleted_at = utcnow()
        session.commit()
    assert verdict_of(guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]})) == \
        "✗ Unknown code"
    assert entries(ctx) == []


def test_a_rider_suspended_after_the_scan_is_refused_on_let_in(make_client, world, cast, ctx):
    staff = guard(make_client, cast)
    assert verdict_of(staff.get(f"/building/check/{cast['pass_token']}")).startswith("✓")
    with ctx() as session:
        session.get(User, world.rider).active = False
        session.commit()
    page = staff.post("/building/check", {"token": cast["pass_token"]}, lang="zh")
    assert verdict_of(page) == "✗ 账号已停用"
    assert entries(ctx) == []


def test_a_rider_without_consent_is_asked_for_it_before_the_pass(make_client, world, cast, ctx):
    """A new privacy notice asks every rider again when they next open the app (the pass page included); a pass
    already shown today still lets them in: the gate is no place to hold riders up for a notice."""
    with ctx() as session:
        session.get(User, world.rider).privacy_version = None
        session.commit()
    response = make_client(world.rider).get("/pass/")
    assert response.status_code == 303 and "/consent" in response.location
    assert verdict_of(guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]})).startswith("✓")


# --- junk ---------------------------------------------------------------------------------------------------------


JUNK = ["9" * 5000, "١٢٣-٤٥٦٧٨٩", "😀😀😀", "1' OR '1'='1", "12\x00-345678", "\x00", "-----", "－－ ·",
        "https://example.com/evil", "javascript:alert(1)", "12-345678" * 40, "٣", "²³-⁴⁵⁶⁷⁸⁹", "0-000000",
        "99999999999999999999-123456", "../../etc/passwd", "%00", "<script>alert(1)</script>"]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_typed_is_a_clear_answer_never_a_500(make_client, cast, ctx, junk):
    for lang in ("en", "zh"):
        page = guard(make_client, cast).post("/building/check", {"code": junk}, lang=lang)
        assert page.status_code in (200, 422), page.status_code
        body = page.get_data(as_text=True)
        assert "<script>alert" not in body
        if page.status_code == 200:
            assert verdict_of(page).startswith("✗")
    assert entries(ctx) == []


@pytest.mark.parametrize("junk", ["x" * 5000, "%F0%9F%98%80", "1'%20OR%201=1", "..%2F..%2Fetc", "-",
                                  "%EF%BC%91%EF%BC%92", "12-345678", "a.b.c"])
def test_junk_scanned_is_a_clear_answer_never_a_500(make_client, cast, ctx, junk):
    page = guard(make_client, cast).get(f"/building/check/{junk}")
    assert page.status_code in (200, 404, 429)
    if page.status_code == 200:
        assert verdict_of(page).startswith("✗")
    assert entries(ctx) == []


@pytest.mark.parametrize("suffix", ["?utm_source=wechat", "?a=1&b=2#top", "/", "#frag", "?x=%00"])
def test_the_check_url_pasted_with_extra_bits_still_reads(make_client, cast, ctx, suffix):
    url = f"http://localhost/building/check/{cast['pass_token']}{suffix}"
    page = guard(make_client, cast).post("/building/check", {"code": url})
    assert verdict_of(page).startswith("✓ Valid — entry recorded at")
    assert len(entries(ctx)) == 1


def test_a_url_of_another_site_with_a_real_token_is_read_as_the_token(make_client, cast, ctx):
    page = guard(make_client, cast).post("/building/check", {"code": f"https://evil.example/x/{cast['pass_token']}"})
    assert page.status_code == 200


def test_a_token_field_with_junk_is_unknown(make_client, cast, ctx):
    page = guard(make_client, cast).post("/building/check", {"token": "x" * 5000})
    assert page.status_code in (200, 422)
    page = guard(make_client, cast).post("/building/check", {"token": "\x00\x00"})
    assert page.status_code in (200, 422)
    assert entries(ctx) == []


# --- staff and buildings changed mid-session ---------------------------------------------------------------------


def test_the_staff_of_one_building_record_for_their_own_only(make_client, cast, ctx):
    page = guard(make_client, cast, "other_building_staff").post(
        "/building/check", {"code": cast["pass_code"], "building": cast["building"],
                            "station_id": cast["building"]})
    assert verdict_of(page).startswith("✓ Valid")
    assert [row[0] for row in entries(ctx)] == [cast["other_building"]]


def test_staff_deactivated_mid_session_are_logged_out(make_client, cast, ctx):
    staff = guard(make_client, cast)
    assert staff.get("/building/check").status_code == 200
    with ctx() as session:
        session.get(User, cast["building_staff"]).active = False
        session.commit()
    response = staff.post("/building/check", {"code": cast["pass_code"]})
    assert response.status_code in (302, 303, 401, 403)
    assert entries(ctx) == []


def test_a_building_turned_into_another_kind_stops_its_staff(make_client, cast, ctx):
    staff = guard(make_client, cast)
    with ctx() as session:
        session.get(Station, cast["building"]).kind = "community_centre"
        session.commit()
    page = staff.post("/building/check", {"code": cast["pass_code"]}, lang="zh")
    assert page.status_code == 403
    assert entries(ctx) == []


# --- other organisations' buildings, figures ----------------------------------------------------------------------


def test_a_coordinator_cannot_create_staff_for_another_organisations_building(make_client, world, cast, ctx):
    coordinator = make_client(world.coordinator)
    response = coordinator.post(f"/coordinate/buildings/{cast['other_building']}/staff",
                                {"phone": "13900001111", "name": "坏人", "password": "long-enough-password"})
    assert response.status_code == 404
    response = coordinator.post(
        f"/coordinate/buildings/{cast['other_building']}/staff/{cast['other_building_staff']}/remove")
    assert response.status_code == 404
    with ctx() as session:
        assert session.get(User, cast["other_building_staff"]).active
        assert session.scalar(sa.select(User).where(User.name == "坏人")) is None


@pytest.mark.parametrize("query", ["building={other}", "building={other}&building={own}", "building=+{other}+",
                                   "building={other}.0", "building=-1", "building=%EF%BC%91",
                                   "building={own}%00"])
def test_a_coordinator_never_reads_another_organisations_figures(make_client, world, cast, query):
    coordinator = make_client(world.coordinator)
    url_query = query.format(other=cast["other_building"], own=cast["building"])
    for url in (f"/coordinate/buildings/figures?{url_query}", f"/coordinate/buildings/figures.csv?{url_query}"):
        response = coordinator.get(url)
        assert response.status_code in (200, 422), (url, response.status_code)
        assert "港城商务楼" not in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["from=2026-12-31&to=2026-01-01", "from=1900-01-01&to=1900-01-02",
                                   "from=2000-01-01&to=2100-12-31", "from=yesterday", "from=9999-12-31",
                                   "from=10000-01-01", "from=2026-02-30", "from=%00", "to=0001-01-01",
                                   "from=２０２６-０１-０１", "from=2026-1-1&to=2026-1-2", "from[]=1",
                                   "from=2026-12-01T00:00"])
def test_odd_dates_give_the_form_back_never_a_500(make_client, world, cast, query):
    for url in ("/coordinate/buildings/figures", "/coordinate/buildings/figures.xlsx", "/building/entries",
                "/building/entries.csv"):
        client = make_client(world.coordinator if url.startswith("/coord") else cast["building_staff"])
        response = client.get(f"{url}?{query}")
        assert response.status_code in (200, 422), (url, query, response.status_code)


def test_a_formula_like_building_name_is_exported_as_text(make_client, world, cast, ctx):
    with ctx() as session:
        session.get(Station, cast["building"]).name = "=cmd|' /C calc'!A0"
        session.commit()
    data = make_client(world.coordinator).get("/coordinate/buildings/figures.csv").get_data()
    names = {row[0] for row in list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]}
    assert names == {"'=cmd|' /C calc'!A0"}


# --- local midnight -------------------------------------------------------------------------------------------


def test_entries_at_2359_and_0001_local_are_two_days(app, world, cast, ctx):
    from tests.factories import make_user  # noqa: F401  (the app context below)

    with ctx() as session:
        building = session.get(Station, cast["building"])
        staff = session.get(User, cast["building_staff"])
        today = local_today()
        yesterday = today - timedelta(days=1)
        late = check_pass(text=pass_of(world.rider, yesterday).token, building=building, staff=staff, record=True,
                          now=at_local(yesterday, 23, 59))
        early = check_pass(text=pass_of(world.rider, today).token, building=building, staff=staff, record=True,
                           now=at_local(today, 0, 1))
        session.commit()
        assert (late.status, early.status) == ("valid", "valid")
        days = session.scalars(sa.select(PassEntry.local_day).order_by(PassEntry.local_day)).all()
        assert days == [yesterday, today]


def test_times_on_the_check_page_are_local(app, make_client, world, cast, ctx):
    with ctx() as session:
        today = local_today()
        session.add(PassEntry(station_id=cast["building"], rider_id=world.rider, local_day=today,
                              checked_by_id=cast["building_staff"], entered_at=at_local(today, 0, 30)))
        session.commit()
    page = guard(make_client, cast).post("/building/check", {"code": cast["pass_code"]})
    assert verdict_of(page) == "✓ Already checked in today at 00:30; not counted again"
    assert "00:30" in text_of(guard(make_client, cast).get("/building/entries"))


def test_input_is_kept_on_a_422(make_client, cast):
    page = guard(make_client, cast).post("/building/check", {"code": "😀"})
    assert page.status_code == 422 and input_value(page, "code") == "😀"


# --- a partner building switched back to another kind ---------------------------------------------------------


def test_a_former_building_lists_its_staff_who_can_be_removed(make_client, world, cast, ctx):
    with ctx() as session:
        session.get(Station, cast["building"]).kind = "community_centre"
        session.commit()
    coordinator = make_client(world.coordinator)
    listing = text_of(coordinator.get("/coordinate/buildings/", lang="zh"))
    assert "已不是合作楼宇" in listing and "暖新大厦" in listing
    page = coordinator.get(f"/coordinate/buildings/{cast['building']}/staff")
    assert page.status_code == 200 and "保安老李" in text_of(page) and "it takes no new staff" in text_of(page)
    removed = coordinator.post(f"/coordinate/buildings/{cast['building']}/staff/{cast['building_staff']}/remove")
    assert removed.status_code == 303
    with ctx() as session:
        assert not session.get(User, cast["building_staff"]).active
    assert "已不是合作楼宇" not in text_of(coordinator.get("/coordinate/buildings/", lang="zh"))
    # Another organisation's coordinator still gets 404, and a station that never had staff too.
    assert make_client(world.other_coordinator).get(
        f"/coordinate/buildings/{cast['building']}/staff").status_code == 404


def test_no_verdict_is_kept_for_the_back_button(make_client, cast):
    """Back from "entry recorded" to the scanned page reloads it: "already", and no second "Let in" button."""
    staff = guard(make_client, cast)
    for response in (staff.get(f"/building/check/{cast['pass_token']}"), staff.get("/building/check"),
                     staff.post("/building/check", {"token": cast["pass_token"]}),
                     staff.post("/building/check", {"code": "abc"})):
        assert response.headers["Cache-Control"] == "no-store"


def test_the_pass_page_near_local_midnight(app, monkeypatch, make_client, world, cast, ctx):
    import re

    import passes.views

    with ctx():
        today = local_today()
        tomorrow = today + timedelta(days=1)
        before, after = at_local(today, 23, 59) + timedelta(seconds=30), at_local(tomorrow, 0) + timedelta(seconds=30)
        codes = {day: pass_of(world.rider, day).code for day in (today, tomorrow)}
        midnight = at_local(tomorrow, 0).strftime("%Y-%m-%dT%H:%M:%SZ")
    rider = make_client(world.rider)
    monkeypatch.setattr(passes.views, "utcnow", lambda: before)
    late = rider.get("/pass/", lang="zh")
    assert late.headers["Cache-Control"] == "private, max-age=30"
    # the service worker keeps it until local midnight, given in UTC (Shanghai: 16:00 the day before)
    assert late.headers["X-Pass-Until"] == midnight
    assert late.headers["X-Pass-Until"].endswith("T16:00:00Z")
    assert codes[today].split("-")[1][:3] in text_of(late) and f"{today.month}月{today.day}日" in text_of(late)
    monkeypatch.setattr(passes.views, "utcnow", lambda: after)
    early = rider.get("/pass/", lang="zh")
    assert re.search(r"max-age=(\d+)", early.headers["Cache-Control"]).group(1) == str(24 * 3600 - 30)
    assert f"{tomorrow.month}月{tomorrow.day}日" in text_of(early)
    assert codes[tomorrow].split("-")[1][:3] in text_of(early)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_formula_like_names_in_the_xlsx_are_text(make_client, world, cast, ctx, name):
    from openpyxl import load_workbook

    with ctx() as session:
        session.get(Station, cast["building"]).name = name
        session.commit()
    for client, url in ((make_client(world.coordinator), "/coordinate/buildings/figures.xlsx"),
                        (guard(make_client, cast), "/building/entries.xlsx")):
        sheet = load_workbook(io.BytesIO(client.get(url).get_data())).active
        cells = {row[0].value for row in sheet.iter_rows(min_row=2)}
        assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row[:1])
        assert cells == {name}  # a text cell (type "s"): Excel shows it, never runs it


@pytest.mark.parametrize("query", ["kind=building", "kind=BUILDING", "kind=building&kind=shop", "kind=%00",
                                   "kind=<script>", "kind=building&lat=91&lng=200", "kind=building&lat=x",
                                   "kind=building&lat=31.87&lng=120.55&radius=-1", "kind=" + "b" * 5000])
def test_the_near_me_building_filter_never_fails(client, make_client, world, cast, query):
    for who in (client, make_client(world.rider)):
        response = who.get(f"/stations/?{query}", lang="zh")
        assert response.status_code in (200, 422), (query, response.status_code)
        assert "<script>" not in response.get_data(as_text=True)


def test_a_deactivated_buildings_page_is_not_a_500(client, make_client, world, cast, ctx):
    with ctx() as session:
        session.get(Station, cast["building"]).active = False
        session.commit()
    for who in (client, make_client(world.rider)):
        assert who.get(f"/stations/{cast['building']}").status_code in (200, 404)
