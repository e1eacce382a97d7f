"""Stations: who may create, change and deactivate them, what they store, and the journal (stations/services.py)."""

import json

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from accounts.journal import JournalEntry
from core.geo import distance_m, wgs84_to_gcj02
from stations import services
from stations.errors import BadCoordinates, InvalidStation, NotYourStation, OutsideChina, UnknownCoordinateSystem
from stations.models import Station
from tests.factories import make_org, make_user

GPS = (31.875, 120.553)  # 杨舍, Zhangjiagang


@pytest.fixture
def cast(session):
    org, other = make_org(), make_org()
    people = {"coordinator": make_user("coordinator", "陈丽华", org.id),
              "other_coordinator": make_user("coordinator", "王建国", other.id),
              "admin": make_user("admin", "刘管理"), "rider": make_user()}
    session.commit()
    return org.id, other.id, people


def add(actor, **overrides):
    fields = {"name": "杨舍暖新窝", "address": "人民中路1号", "latitude": GPS[0], "longitude": GPS[1],
              "amenities": ["toilet", "water", "charging"], "phone": "0512-5868 1234", **overrides}
    return services.create_station(actor=actor, **fields)


def journal(session, action):
    entries = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == action)).all()
    return [(entry.actor_id, entry.organisation_id, json.loads(entry.details)) for entry in entries]


def test_a_coordinator_adds_an_active_station_of_their_organisation_and_it_is_journalled(session, cast):
    org, _, people = cast
    station = add(people["coordinator"])
    session.commit()
    stored = session.get(Station, station.id)
    assert (stored.organisation_id, stored.active, stored.latitude, stored.longitude, stored.entered_crs) == (
        org, True, GPS[0], GPS[1], "wgs84")
    assert stored.amenities == "water,charging,toilet" and stored.amenity_codes == ("water", "charging", "toilet")
    assert stored.phone == "0512-5868 1234" and stored.kind == "community_centre"
    [(actor, organisation, details)] = journal(session, "station.create")
    assert actor == people["coordinator"].id and organisation == org and details["name"] == "杨舍暖新窝"


def test_a_position_read_on_a_chinese_map_app_is_stored_as_gps(session, cast):
    _, _, people = cast
    on_amap = wgs84_to_gcj02(*GPS)
    station = add(people["coordinator"], latitude=on_amap[0], longitude=on_amap[1], entered_crs="gcj02")
    session.commit()
    stored = session.get(Station, station.id)
    assert stored.entered_crs == "gcj02"
    assert distance_m(stored.latitude, stored.longitude, *GPS) < 0.5
    assert distance_m(stored.latitude, stored.longitude, *on_amap) > 400


def test_an_admin_adds_a_station_for_an_organisation_they_name_and_must_name_one(session, cast):
    _, other, people = cast
    assert add(people["admin"], organisation_id=other).organisation_id == other
    with pytest.raises(InvalidStation) as refused:
        add(people["admin"])
    assert refused.value.details == {"field": "organisation_id"}


@pytest.mark.parametrize("who", ["rider", "other_coordinator"])
def test_nobody_else_adds_a_station_for_the_organisation(session, cast, who):
    org, _, people = cast
    with pytest.raises(NotYourStation):
        add(people[who], organisation_id=org)
    assert session.scalar(sa.select(sa.func.count()).select_from(Station)) == 0


@pytest.mark.parametrize(("overrides", "error", "field"), [
    ({"latitude": 91}, BadCoordinates, "latitude"),
    ({"longitude": -180.5}, BadCoordinates, "latitude"),
    ({"latitude": float("nan")}, BadCoordinates, "latitude"),
    ({"latitude": "31,87"}, BadCoordinates, "latitude"),
    ({"latitude": None}, BadCoordinates, "latitude"),
    ({"latitude": 51.5, "longitude": -0.12, "entered_crs": "gcj02"}, OutsideChina, "latitude"),
    ({"entered_crs": "bd09"}, UnknownCoordinateSystem, "entered_crs"),
    ({"name": "  "}, InvalidStation, "name"),
    ({"name": "站" * 101}, InvalidStation, "name"),
    ({"address": ""}, InvalidStation, "address"),
    ({"kind": "temple"}, InvalidStation, "kind"),
    ({"amenities": ["water", "sauna"]}, InvalidStation, "amenities"),
    ({"phone": "call me"}, InvalidStation, "phone"),
])
def test_bad_input_is_refused_with_the_field_to_mark(session, cast, overrides, error, field):
    _, _, people = cast
    with pytest.raises(error) as refused:
        add(people["coordinator"], **overrides)
    assert refused.value.status == 422 and refused.value.details == {"field": field}


def test_refusals_speak_both_languages(app, session, cast):
    _, _, people = cast
    with pytest.raises(BadCoordinates) as en, force_locale("en"):
        add(people["coordinator"], latitude=200)
    with pytest.raises(BadCoordinates) as zh, force_locale("zh"):
        add(people["coordinator"], latitude=200)
    assert "latitude" in en.value.message and "纬度" in zh.value.message


def test_a_change_is_stored_and_journalled_with_what_changed_and_no_change_writes_nothing(session, cast):
    _, _, people = cast
    station = add(people["coordinator"])
    session.commit()
    fields = {"name": "杨舍暖新驿站", "address": "人民中路1号", "latitude": GPS[0], "longitude": GPS[1],
              "entered_crs": "wgs84", "kind": "shop", "amenities": ["water"], "phone": None}
    services.update_station(station=station, actor=people["coordinator"], **fields)
    services.update_station(station=station, actor=people["admin"], **fields)  # the same again: no entry
    session.commit()
    stored = session.get(Station, station.id)
    assert (stored.name, stored.kind, stored.amenities, stored.phone) == ("杨舍暖新驿站", "shop", "water", None)
    [(actor, _, details)] = journal(session, "station.update")
    assert actor == people["coordinator"].id
    assert details["changed"] == {"name": ["杨舍暖新窝", "杨舍暖新驿站"], "kind": ["community_centre", "shop"],
                                  "amenities": ["water,charging,toilet", "water"], "phone": ["0512-5868 1234", None]}


def test_a_coordinator_elsewhere_can_neither_change_nor_deactivate_the_station(session, cast):
    _, _, people = cast
    station = add(people["coordinator"])
    session.commit()
    with pytest.raises(NotYourStation) as refused:
        services.update_station(station=station, actor=people["other_coordinator"], name="x", address="y",
                                latitude=GPS[0], longitude=GPS[1], entered_crs="wgs84", kind="shop")
    with pytest.raises(NotYourStation):
        services.deactivate_station(station=station, actor=people["other_coordinator"])
    session.rollback()
    stored = session.get(Station, station.id)
    assert refused.value.status == 404 and stored.name == "杨舍暖新窝" and stored.active


def test_deactivating_keeps_the_station_and_twice_changes_nothing(session, cast):
    org, _, people = cast
    station = add(people["coordinator"])
    session.commit()
    services.deactivate_station(station=station, actor=people["admin"])
    services.deactivate_station(station=station, actor=people["coordinator"])
    session.commit()
    assert session.get(Station, station.id).active is False
    assert journal(session, "station.deactivate") == [(people["admin"].id, org, {"name": "杨舍暖新窝"})]
