"""Coordinators' station pages: the list, adding and changing a station (the position entered three ways),
deactivating and reactivating; who may see what."""

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from core.geo import gcj02_to_wgs84
from stations.models import Station
from tests.integration.conftest import count
from tests.pages import input_value, text_of


def station_form(**overrides) -> dict:
    data = {"name": "塘市暖新驿站", "kind": "community_centre", "address": "塘市街道长兴路8号",
            "amenities": ["water", "charging"], "phone": "0512-5868 1234", "map_link": "",
            "latitude": "31.87", "longitude": "120.55", "entered_crs": "wgs84"}
    data.update(overrides)
    return data


def add_station(ctx, organisation_id, name="塘市暖新驿站", active=True, **overrides) -> int:
    with ctx() as session:
        station = Station(organisation_id=organisation_id, name=name, address="长兴路8号", latitude=31.87,
                          longitude=120.55, active=active, **overrides)
        session.add(station)
        session.commit()
        return station.id


def stored(ctx, name="塘市暖新驿站") -> Station:
    with ctx() as session:
        station = session.scalar(sa.select(Station).where(Station.name == name))
        session.expunge_all()
        return station


@pytest.fixture
def station(world, ctx):
    return add_station(ctx, world.org)


@pytest.fixture
def other_station(world, ctx):
    return add_station(ctx, world.other_org, name="长江村驿站")


# The list


def test_the_list_shows_the_organisations_stations_active_and_deactivated_apart(world, ctx, coordinator,
                                                                                 other_station):
    add_station(ctx, world.org, name="塘市暖新驿站")
    add_station(ctx, world.org, name="老街驿站", active=False)
    response = coordinator.get("/coordinate/stations/")
    assert response.status_code == 200
    page = text_of(response)
    assert "塘市暖新驿站" in page and "No opening hours entered yet" in page
    assert page.index("塘市暖新驿站") < page.index("Deactivated") < page.index("老街驿站")
    assert "长江村驿站" not in page
    assert "New station" in page


def test_an_admin_sees_every_station_with_its_organisation(world, make_client, station, other_station):
    page = text_of(make_client(world.admin).get("/coordinate/stations/"))
    assert "塘市暖新驿站" in page and "长江村驿站" in page and "金港镇长江村" in page


def test_the_coordinators_nav_has_a_stations_tab(coordinator):
    page = coordinator.get("/coordinate/stations/").get_data(as_text=True)
    assert 'href="/coordinate/stations/" aria-current="page">Stations<' in page


# Adding: three ways to give the position


def test_typed_gps_coordinates_are_kept(coordinator, ctx):
    response = coordinator.post("/coordinate/stations/new", station_form())
    assert response.status_code == 303
    station = stored(ctx)
    assert (station.latitude, station.longitude, station.entered_crs) == (31.87, 120.55, "wgs84")
    assert station.amenity_codes == ("water", "charging") and station.phone == "0512-5868 1234"
    assert response.headers["Location"] == f"/coordinate/stations/{station.id}"
    assert "Station saved." in text_of(coordinator.get(response.headers["Location"]))


def test_typed_gcj02_coordinates_are_converted_to_gps(coordinator, ctx):
    assert coordinator.post("/coordinate/stations/new", station_form(entered_crs="gcj02")).status_code == 303
    station = stored(ctx)
    lat, lng = gcj02_to_wgs84(31.87, 120.55)
    assert (station.latitude, station.longitude) == (round(lat, 6), round(lng, 6))
    assert station.entered_crs == "gcj02"
    assert abs(station.longitude - 120.55) > 0.003  # moved about 500 m: it was converted


def test_a_pasted_amap_link_is_converted_to_gps_and_the_reading_is_shown(coordinator, ctx):
    link = "https://uri.amap.com/marker?position=120.55,31.87&name=驿站"
    response = coordinator.post("/coordinate/stations/new", station_form(map_link=link, latitude="", longitude=""))
    assert response.status_code == 303
    station = stored(ctx)
    lat, lng = gcj02_to_wgs84(31.87, 120.55)
    assert (station.latitude, station.longitude, station.entered_crs) == (round(lat, 6), round(lng, 6), "gcj02")
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "Read as 31.87, 120.55 (GCJ-02, converted to GPS)" in page


def test_a_pasted_link_is_read_back_on_a_refused_form(coordinator, ctx):
    response = coordinator.post("/coordinate/stations/new", station_form(
        name="", map_link="31.87, 120.55", latitude="", longitude=""))
    assert response.status_code == 422
    page = text_of(response)
    assert "Enter the station's name." in page
    assert "Read as 31.87, 120.55 (GCJ-02, converted to GPS)" in page
    assert input_value(response, "map_link") == "31.87, 120.55"
    assert count(ctx, Station) == 0


def test_the_location_button_is_there_for_javascript_only(coordinator):
    page = coordinator.get("/coordinate/stations/new").get_data(as_text=True)
    assert "data-locate-box" in page and 'hidden data-locate-box' in page
    assert "js/station-locate." in page


@pytest.mark.parametrize(("overrides", "message", "kept"), [
    ({"name": ""}, "Enter the station's name.", ("address", "塘市街道长兴路8号")),
    ({"latitude": "abc"}, "The position is not a valid latitude", ("latitude", "abc")),
    ({"latitude": "95"}, "The position is not a valid latitude", ("latitude", "95")),
    ({"latitude": "", "longitude": ""}, "Give the position", ("name", "塘市暖新驿站")),
    ({"map_link": "https://example.com/nowhere"}, "Cannot read a position in China",
     ("map_link", "https://example.com/nowhere")),
    ({"phone": "call me"}, "Give a phone number", ("phone", "call me")),
    ({"entered_crs": "gcj02", "latitude": "48.85", "longitude": "2.35"}, "must lie in China", ("latitude", "48.85")),
], ids=["no-name", "junk-latitude", "latitude-95", "no-position", "unreadable-link", "bad-phone", "gcj-outside-china"])
def test_bad_input_is_refused_next_to_its_field_with_everything_kept(coordinator, ctx, overrides, message, kept):
    response = coordinator.post("/coordinate/stations/new", station_form(**overrides))
    assert response.status_code == 422
    assert message in text_of(response)
    assert input_value(response, kept[0]) == kept[1]
    assert 'checked id="amenities-3" name="amenities" type="checkbox" value="charging"' in response.get_data(
        as_text=True)
    assert count(ctx, Station) == 0


def test_a_refusal_is_in_the_users_language(coordinator):
    response = coordinator.post("/coordinate/stations/new", station_form(name=""), lang="zh")
    assert response.status_code == 422
    assert "Enter the station's name." not in text_of(response)


def test_an_admin_chooses_the_organisation(world, make_client, ctx):
    admin = make_client(world.admin)
    assert admin.post("/coordinate/stations/new", station_form()).status_code == 422  # none chosen
    assert admin.post("/coordinate/stations/new", station_form(organisation=str(world.other_org))).status_code == 303
    assert stored(ctx).organisation_id == world.other_org


# Changing


def test_editing_shows_the_stored_gps_position_and_saves_changes(coordinator, ctx, station):
    page = coordinator.get(f"/coordinate/stations/{station}")
    assert page.status_code == 200
    assert input_value(page, "latitude") == "31.870000"
    response = coordinator.post(f"/coordinate/stations/{station}", station_form(
        name="塘市驿站（新）", kind="shop", amenities=["toilet"], latitude="31.880000", longitude="120.560000"))
    assert response.status_code == 303
    changed = stored(ctx, "塘市驿站（新）")
    assert (changed.kind, changed.amenities, changed.latitude) == ("shop", "toilet", 31.88)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry).where(
            JournalEntry.action == "station.update")) == 1


def test_a_refused_edit_keeps_the_input(coordinator, ctx, station):
    response = coordinator.post(f"/coordinate/stations/{station}", station_form(name="新名字", address=""))
    assert response.status_code == 422
    assert input_value(response, "name") == "新名字"
    assert "Enter the address." in text_of(response)
    assert stored(ctx).address == "长兴路8号"


# Deactivate and reactivate


def test_deactivating_and_reactivating_are_journalled(coordinator, ctx, station):
    page = text_of(coordinator.get(f"/coordinate/stations/{station}"))
    assert "Deactivate station" in page
    response = coordinator.post(f"/coordinate/stations/{station}/deactivate")
    assert response.status_code == 303
    assert stored(ctx).active is False
    assert "Reactivate station" in text_of(coordinator.get(f"/coordinate/stations/{station}"))
    assert coordinator.post(f"/coordinate/stations/{station}/reactivate").status_code == 303
    assert stored(ctx).active is True
    with ctx() as session:
        actions = session.scalars(sa.select(JournalEntry.action).where(
            JournalEntry.subject == f"station:{station}").order_by(JournalEntry.id)).all()
    assert actions == ["station.deactivate", "station.reactivate"]


# Who may


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/coordinate/stations/{id}"), ("POST", "/coordinate/stations/{id}"),
    ("POST", "/coordinate/stations/{id}/deactivate"), ("POST", "/coordinate/stations/{id}/reactivate"),
    ("GET", "/coordinate/stations/{id}/hours"), ("POST", "/coordinate/stations/{id}/hours"),
    ("POST", "/coordinate/stations/{id}/hours/exceptions"),
])
def test_another_organisations_coordinator_gets_404_and_a_rider_403(world, make_client, ctx, station, method, path):
    url = path.format(id=station)
    for user_id, expected in ((world.other_coordinator, 404), (world.rider, 403), (world.staff, 403)):
        client = make_client(user_id)
        response = client.get(url) if method == "GET" else client.post(url, station_form())
        assert response.status_code == expected
    assert stored(ctx).name == "塘市暖新驿站" and stored(ctx).active is True


def test_an_admin_manages_any_station(world, make_client, ctx, other_station):
    admin = make_client(world.admin)
    assert admin.get(f"/coordinate/stations/{other_station}").status_code == 200
    assert admin.post(f"/coordinate/stations/{other_station}/deactivate").status_code == 303
    assert stored(ctx, "长江村驿站").active is False


def test_the_list_is_for_coordinators_and_admins(world, make_client):
    assert make_client(world.rider).get("/coordinate/stations/").status_code == 403
    assert make_client().get("/coordinate/stations/").status_code == 302
