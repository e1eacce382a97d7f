"""The opening-hours pages of stations and merchants: a week of days, the holiday rule, dated exceptions."""

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from rewards.models import Merchant, MerchantHours, MerchantHoursException
from stations.models import Station, StationHours, StationHoursException
from tests.pages import input_value, text_of


def week(**overrides) -> dict:
    """Monday to Friday 08:00–12:00 and 14:00–21:00, Saturday 22:00–02:00, Sunday closed; Weekly holiday rule."""
    data = {"holiday_rule": "weekly", "d6_closed": "y", "d5_opens_1": "22:00", "d5_closes_1": "02:00"}
    for day in range(5):
        data.update({f"d{day}_opens_1": "08:00", f"d{day}_closes_1": "12:00",
                     f"d{day}_opens_2": "14:00", f"d{day}_closes_2": "21:00"})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def station(world, ctx):
    with ctx() as session:
        station = Station(organisation_id=world.org, name="塘市暖新驿站", address="长兴路8号", latitude=31.87,
                          longitude=120.55)
        session.add(station)
        session.commit()
        return station.id


def weekly_rows(ctx, model, **where):
    with ctx() as session:
        return [(r.weekday, r.opens, r.closes) for r in session.scalars(
            sa.select(model).filter_by(**where).order_by(model.weekday, model.opens))]


def exception_rows(ctx, model, **where):
    with ctx() as session:
        return [(r.day.isoformat(), r.closed, r.opens, r.closes, r.note) for r in session.scalars(
            sa.select(model).filter_by(**where).order_by(model.day, model.opens))]


# Stations


def test_a_week_is_saved_with_a_span_across_midnight(coordinator, ctx, station):
    page = coordinator.get(f"/coordinate/stations/{station}/hours")
    assert page.status_code == 200
    assert "runs past midnight" in text_of(page)
    assert 'checked id="d6_closed"' not in page.get_data(as_text=True)  # a first week is typed without unticking
    response = coordinator.post(f"/coordinate/stations/{station}/hours",
                                week(holiday_rule="closed_on_holidays", d3_opens_2=None, d3_closes_2=None,
                                     d4_opens_1=None, d4_closes_1=None, d4_opens_2=None, d4_closes_2=None,
                                     d4_all_day="y"))
    assert response.status_code == 303
    rows = weekly_rows(ctx, StationHours, station_id=station)
    assert (5, "22:00", "02:00") in rows
    assert (0, "08:00", "12:00") in rows and (0, "14:00", "21:00") in rows
    assert [r for r in rows if r[0] == 3] == [(3, "08:00", "12:00")]
    assert [r for r in rows if r[0] == 4] == [(4, "00:00", "24:00")]
    assert not [r for r in rows if r[0] == 6]
    with ctx() as session:
        assert session.get(Station, station).holiday_rule == "closed_on_holidays"
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry).where(
            JournalEntry.action == "station.hours")) == 1
    page = coordinator.get(f"/coordinate/stations/{station}/hours")
    assert input_value(page, "d5_opens_1") == "22:00" and input_value(page, "d5_closes_1") == "02:00"
    assert 'checked id="d4_all_day"' in page.get_data(as_text=True)
    assert 'checked id="d6_closed"' in page.get_data(as_text=True)
    assert "Opening hours saved." in text_of(page)
    # the list says whether it is open now, not "no hours"
    assert "No opening hours entered yet" not in text_of(coordinator.get("/coordinate/stations/"))


def test_tuesday_to_friday_can_copy_monday(coordinator, ctx, station):
    data = {"holiday_rule": "weekly", "d0_opens_1": "09:00", "d0_closes_1": "17:00", "d1_closed": "y",
            "d5_all_day": "y", "d6_closed": "y", "copy_monday": "y"}
    assert coordinator.post(f"/coordinate/stations/{station}/hours", data).status_code == 303
    assert weekly_rows(ctx, StationHours, station_id=station) == [
        *((day, "09:00", "17:00") for day in range(5)), (5, "00:00", "24:00")]


def test_saving_again_replaces_the_rows(coordinator, ctx, station):
    coordinator.post(f"/coordinate/stations/{station}/hours", week())
    coordinator.post(f"/coordinate/stations/{station}/hours", week(d0_opens_2="", d0_closes_2="",
                                                                   d0_closes_1="24:00"))
    rows = weekly_rows(ctx, StationHours, station_id=station)
    assert [r for r in rows if r[0] == 0] == [(0, "08:00", "24:00")]
    assert len(rows) == 4 * 2 + 1 + 1


@pytest.mark.parametrize(("overrides", "message", "kept"), [
    ({"d1_opens_2": "11:00"}, "The opening times of Tuesday overlap", ("d1_opens_2", "11:00")),
    ({"d2_closes_1": ""}, "Give both the opening and the closing time.", ("d2_opens_1", "08:00")),
    ({"d6_opens_1": "09:00", "d6_closes_1": "17:00"}, "A closed day has no opening times",
     ("d6_opens_1", "09:00")),
    ({"d0_opens_1": "8 am"}, "Cannot read “8 am” as a time.", ("d0_opens_1", "8 am")),
    ({"d0_opens_1": "08:00", "d0_closes_1": "08:00"}, "cannot open and close at the same time",
     ("d0_closes_1", "08:00")),
], ids=["overlap", "half-span", "closed-with-times", "junk-time", "empty-span"])
def test_bad_hours_are_refused_next_to_the_day_and_kept(coordinator, ctx, station, overrides, message, kept):
    response = coordinator.post(f"/coordinate/stations/{station}/hours", week(**overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept[0]) == kept[1]
    assert weekly_rows(ctx, StationHours, station_id=station) == []


def test_exceptions_are_added_and_deleted(coordinator, ctx, station):
    url = f"/coordinate/stations/{station}/hours/exceptions"
    assert coordinator.post(url, {"day": "2026-10-01", "closed": "y", "note": "国庆节休息"}).status_code == 303
    assert coordinator.post(url, {"day": "2026-10-02", "opens": "10:00", "closes": "16:00"}).status_code == 303
    assert coordinator.post(url, {"day": "2026-10-02", "opens": "20:00", "closes": "01:00"}).status_code == 303
    assert exception_rows(ctx, StationHoursException, station_id=station) == [
        ("2026-10-01", True, None, None, "国庆节休息"), ("2026-10-02", False, "10:00", "16:00", ""),
        ("2026-10-02", False, "20:00", "01:00", "")]
    page = text_of(coordinator.get(f"/coordinate/stations/{station}/hours"))
    assert "国庆节休息" in page and "October 1, 2026" in page
    with ctx() as session:
        first = session.scalar(sa.select(StationHoursException.id).where(StationHoursException.closed))
    assert coordinator.post(f"{url}/{first}/delete").status_code == 303
    assert [r[0] for r in exception_rows(ctx, StationHoursException, station_id=station)] == ["2026-10-02"] * 2


@pytest.mark.parametrize(("first", "second", "status", "message"), [
    ({"closed": "y"}, {"opens": "10:00", "closes": "16:00"}, 409, "That day is marked closed."),
    ({"opens": "10:00", "closes": "16:00"}, {"closed": "y"}, 409, "That day already has opening times."),
    ({"closed": "y"}, {"closed": "y"}, 409, "That day is already marked closed."),
    ({"opens": "10:00", "closes": "16:00"}, {"opens": "15:00", "closes": "18:00"}, 409, "overlap"),
    ({"opens": "10:00", "closes": "16:00"}, {"closed": "y", "opens": "10:00"}, 422, "A closed day has no opening"),
    ({"opens": "10:00", "closes": "16:00"}, {}, 422, "Tick “closed” or give the opening and closing times."),
], ids=["open-on-closed", "closed-on-open", "closed-twice", "overlap", "closed-with-times", "nothing"])
def test_conflicting_exceptions_are_refused(coordinator, ctx, station, first, second, status, message):
    url = f"/coordinate/stations/{station}/hours/exceptions"
    assert coordinator.post(url, {"day": "2026-10-01", **first}).status_code == 303
    response = coordinator.post(url, {"day": "2026-10-01", "note": "留着", **second})
    assert response.status_code == status
    assert message in text_of(response)
    assert input_value(response, "note") == "留着"
    assert len(exception_rows(ctx, StationHoursException, station_id=station)) == 1


def test_another_organisations_exception_cannot_be_deleted_through_this_station(world, make_client, ctx,
                                                                               coordinator, station):
    with ctx() as session:
        theirs = Station(organisation_id=world.other_org, name="长江村驿站", address="长江路1号", latitude=31.9,
                         longitude=120.6)
        session.add(theirs)
        session.flush()
        row = StationHoursException(station_id=theirs.id, day=sa.func.current_date(), closed=True)
        session.add(row)
        session.commit()
        row_id, theirs_id = row.id, theirs.id
    assert coordinator.post(f"/coordinate/stations/{station}/hours/exceptions/{row_id}/delete").status_code == 404
    assert coordinator.post(f"/coordinate/stations/{theirs_id}/hours/exceptions/{row_id}/delete").status_code == 404
    assert make_client(world.admin).post(
        f"/coordinate/stations/{theirs_id}/hours/exceptions/{row_id}/delete").status_code == 303


# Merchants: the same forms


def test_the_merchant_page_links_to_its_hours(coordinator, world):
    page = coordinator.get(f"/coordinate/merchants/{world.merchant}").get_data(as_text=True)
    assert f'href="/coordinate/merchants/{world.merchant}/hours"' in page


def test_a_merchants_week_and_exceptions_are_saved(coordinator, ctx, world):
    url = f"/coordinate/merchants/{world.merchant}/hours"
    assert coordinator.get(url).status_code == 200
    assert coordinator.post(url, week(holiday_rule="sunday_hours_on_holidays")).status_code == 303
    rows = weekly_rows(ctx, MerchantHours, merchant_id=world.merchant)
    assert (5, "22:00", "02:00") in rows and len(rows) == 11
    with ctx() as session:
        assert session.get(Merchant, world.merchant).holiday_rule == "sunday_hours_on_holidays"
    assert coordinator.post(f"{url}/exceptions", {"day": "2026-10-01", "closed": "y"}).status_code == 303
    refused = coordinator.post(f"{url}/exceptions", {"day": "2026-10-01", "opens": "10:00", "closes": "14:00"})
    assert refused.status_code == 409 and "That day is marked closed." in text_of(refused)
    assert exception_rows(ctx, MerchantHoursException, merchant_id=world.merchant) == [
        ("2026-10-01", True, None, None, "")]
    bad = coordinator.post(url, week(d1_opens_2="11:00"))
    assert bad.status_code == 422 and "overlap" in text_of(bad)
    with ctx() as session:
        row_id = session.scalar(sa.select(MerchantHoursException.id))
    assert coordinator.post(f"{url}/exceptions/{row_id}/delete").status_code == 303
    assert exception_rows(ctx, MerchantHoursException, merchant_id=world.merchant) == []


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/hours"), ("POST", "/hours"), ("POST", "/hours/exceptions")])
def test_merchant_hours_are_for_its_managers(world, make_client, ctx, method, path):
    url = f"/coordinate/merchants/{world.merchant}{path}"
    for user_id, expected in ((world.other_coordinator, 404), (world.rider, 403), (world.staff, 403)):
        client = make_client(user_id)
        response = client.get(url) if method == "GET" else client.post(url, week())
        assert response.status_code == expected
    admin = make_client(world.admin)
    assert (admin.get(url) if method == "GET" else admin.post(url, week())).status_code in (200, 303, 422)


def test_a_day_with_three_spans_from_an_import_shows_them_all_and_keeps_them_when_saved(coordinator, ctx, station):
    with ctx() as session:  # an import may give a day more spans than the form offers for a new day
        session.add_all([StationHours(station_id=station, weekday=0, opens=opens, closes=closes)
                         for opens, closes in (("07:00", "09:00"), ("11:00", "13:00"), ("17:00", "20:00"))])
        session.commit()
    page = coordinator.get(f"/coordinate/stations/{station}/hours")
    assert input_value(page, "d0_opens_3") == "17:00" and input_value(page, "d0_closes_3") == "20:00"
    assert 'name="d1_opens_3"' not in page.get_data(as_text=True)  # other days offer two
    response = coordinator.post(f"/coordinate/stations/{station}/hours", {
        "holiday_rule": "weekly", "d0_opens_1": "07:00", "d0_closes_1": "09:00", "d0_opens_2": "11:00",
        "d0_closes_2": "13:00", "d0_opens_3": "17:00", "d0_closes_3": "20:00",
        **{f"d{day}_closed": "y" for day in range(1, 7)}})
    assert response.status_code == 303
    assert weekly_rows(ctx, StationHours, station_id=station) == [
        (0, "07:00", "09:00"), (0, "11:00", "13:00"), (0, "17:00", "20:00")]


def test_more_than_four_spans_a_day_are_refused_with_the_day_named(coordinator, ctx, station, app):
    spans = {f"d0_{kind}_{n}": f"{6 + 3 * n:02d}:{'00' if kind == 'opens' else '30'}"
             for n in range(1, 5) for kind in ("opens", "closes")}
    response = coordinator.post(f"/coordinate/stations/{station}/hours",
                                {"holiday_rule": "weekly", **spans, **{f"d{day}_closed": "y" for day in range(1, 7)}})
    assert response.status_code == 303  # four are fine
    assert len(weekly_rows(ctx, StationHours, station_id=station)) == 4
    from flask_babel import force_locale

    from core.hours_form import HoursRefused, check_weekly

    with app.test_request_context(), force_locale("en"), pytest.raises(HoursRefused) as refused:
        check_weekly([(2, f"{h:02d}:00", f"{h:02d}:30") for h in range(8, 13)])
    assert refused.value.details["field"] == "d2"
    assert refused.value.message == "Wednesday has more than four opening spans: join some of them."
