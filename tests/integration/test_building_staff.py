"""Coordinators and admins list their partner buildings and create and remove building staff accounts."""

import re

import sqlalchemy as sa

from accounts import scope
from accounts.journal import JournalEntry
from accounts.models import User
from core.timeutil import local_today
from passes.models import BuildingStaff, PassEntry
from tests.factories import PASSWORD, make_user
from tests.pass_factories import make_building, make_building_staff, pass_cast
from tests.station_factories import make_station

NEW_PHONE = "13912345678"
NEW_STAFF = {"name": "保安小王", "phone": "139 1234 5678", "password": PASSWORD}


def cast(world, ctx) -> dict:
    with ctx() as session:
        ids = pass_cast(world)
        session.commit()
    return ids


def test_a_coordinator_sees_their_buildings_with_staff_and_entries(world, ctx, make_client):
    ids = cast(world, ctx)
    with ctx() as session:
        session.add(PassEntry(station_id=ids["building"], rider_id=world.rider, local_day=local_today(),
                              checked_by_id=ids["building_staff"]))
        session.commit()
    page = make_client(world.coordinator).get("/coordinate/buildings/").get_data(as_text=True)
    assert "暖新大厦" in page and "港城商务楼" not in page
    assert "12 e-bike spots" in page and "1 building staff account" in page
    assert "1 entry today" in page and "1 entry this week" in page
    assert f'href="/coordinate/buildings/{ids["building"]}/staff"' in page


def test_an_admin_sees_every_organisations_buildings(world, ctx, make_client):
    cast(world, ctx)
    page = make_client(world.admin).get("/coordinate/buildings/").get_data(as_text=True)
    assert "暖新大厦" in page and "港城商务楼" in page


def test_with_no_building_the_page_says_how_to_make_one_in_both_languages(world, make_client):
    coordinator = make_client(world.coordinator)
    assert "set its kind to “Partner building (Haitang pass)”" in coordinator.get("/coordinate/buildings/").get_data(
        as_text=True)
    assert coordinator.get("/coordinate/buildings/", lang="zh").status_code == 200


def test_the_station_list_links_to_the_buildings(world, make_client):
    page = make_client(world.coordinator).get("/coordinate/stations/").get_data(as_text=True)
    assert 'href="/coordinate/buildings/"' in page


def test_the_staff_page_lists_staff_with_masked_phones(world, ctx, make_client):
    ids = cast(world, ctx)
    with ctx() as session:
        phone = session.get(User, ids["building_staff"]).phone
    page = make_client(world.coordinator).get(f"/coordinate/buildings/{ids['building']}/staff").get_data(as_text=True)
    assert "保安老李" in page and phone not in page and f"{phone[:3]}****{phone[-4:]}" in page
    assert "by 陈丽华" in page


def test_a_coordinator_creates_staff_who_then_log_in_tied_to_the_building(world, ctx, make_client, client):
    ids = cast(world, ctx)
    coordinator = make_client(world.coordinator)
    response = coordinator.post(f"/coordinate/buildings/{ids['building']}/staff", NEW_STAFF)
    assert response.status_code == 303
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == NEW_PHONE))
        assert user.role == "building" and user.name == "保安小王" and user.active
        link = session.get(BuildingStaff, user.id)
        assert link.station_id == ids["building"] and link.created_by_id == world.coordinator
        actions = set(session.scalars(sa.select(JournalEntry.action).where(JournalEntry.subject == f"user:{user.id}")))
        assert actions == {"account.create", "building.add_staff"}
        user_id = user.id
    assert "保安小王" in coordinator.get(f"/coordinate/buildings/{ids['building']}/staff").get_data(as_text=True)
    assert client.post("/login", {"phone": NEW_PHONE, "password": PASSWORD}).status_code == 303
    page = client.get("/building/entries")
    assert page.status_code == 200 and "暖新大厦" in page.get_data(as_text=True)
    # the coordinator now sees the account among their organisation's accounts
    with ctx() as session:
        assert scope.can_see(session.get(User, world.coordinator), user_id)


def test_a_taken_phone_is_refused_beside_the_field_with_the_input_kept(world, ctx, make_client):
    ids = cast(world, ctx)
    with ctx() as session:
        rider_phone = session.get(User, world.rider).phone
    response = make_client(world.coordinator).post(f"/coordinate/buildings/{ids['building']}/staff",
                                                   {**NEW_STAFF, "phone": rider_phone})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="phone-error">An account with this mobile number exists already', page)
    assert 'value="保安小王"' in page and f'value="{rider_phone}"' in page


def test_a_bad_phone_or_short_password_is_refused_in_chinese(world, ctx, make_client):
    ids = cast(world, ctx)
    response = make_client(world.coordinator).post(f"/coordinate/buildings/{ids['building']}/staff",
                                                   {"name": "保安小王", "phone": "1234", "password": "short"},
                                                   lang="zh")
    assert response.status_code == 422
    assert 'value="保安小王"' in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BuildingStaff)) == 2


def test_another_organisations_coordinator_gets_404(world, ctx, make_client):
    ids = cast(world, ctx)
    other = make_client(world.other_coordinator)
    assert other.get(f"/coordinate/buildings/{ids['building']}/staff").status_code == 404
    assert other.post(f"/coordinate/buildings/{ids['building']}/staff", NEW_STAFF).status_code == 404
    remove = f"/coordinate/buildings/{ids['building']}/staff/{ids['building_staff']}/remove"
    assert other.post(remove).status_code == 404
    with ctx() as session:
        assert session.get(User, ids["building_staff"]).active


def test_a_station_of_another_kind_has_no_staff_page(world, ctx, make_client):
    with ctx() as session:
        station = make_station(world.org, name="暖新驿站")
        session.commit()
        station_id = station.id
    assert make_client(world.coordinator).get(f"/coordinate/buildings/{station_id}/staff").status_code == 404


def test_a_deactivated_building_takes_no_new_staff(world, ctx, make_client):
    with ctx() as session:
        building = make_building(world.org, active=False)
        session.commit()
        building_id = building.id
    coordinator = make_client(world.coordinator)
    page = coordinator.get(f"/coordinate/buildings/{building_id}/staff").get_data(as_text=True)
    assert "it takes no new staff" in page and "Create staff account" not in page
    response = coordinator.post(f"/coordinate/buildings/{building_id}/staff", NEW_STAFF)
    assert response.status_code == 409 and "it takes no new staff" in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(User).where(User.phone == NEW_PHONE)) is None


def test_removing_staff_stops_their_checking_at_once_and_keeps_the_history(world, ctx, make_client):
    ids = cast(world, ctx)
    guard = make_client(ids["building_staff"])
    assert guard.get("/building/entries").status_code == 200
    response = make_client(world.coordinator).post(
        f"/coordinate/buildings/{ids['building']}/staff/{ids['building_staff']}/remove")
    assert response.status_code == 303
    with ctx() as session:
        user = session.get(User, ids["building_staff"])
        assert user.active is False and session.get(BuildingStaff, user.id) is not None
        actions = set(session.scalars(sa.select(JournalEntry.action).where(JournalEntry.subject == f"user:{user.id}")))
        assert {"account.deactivate", "building.remove_staff"} <= actions
    assert guard.get("/building/entries").status_code == 302  # the session ended: sent to log in
    assert guard.get("/building/check").status_code != 200  # the check page (passes/staff.py) lets them in no more
    page = make_client(world.coordinator).get(f"/coordinate/buildings/{ids['building']}/staff").get_data(as_text=True)
    assert "Removed: cannot log in" in page


def test_an_admin_removes_staff_of_any_building(world, ctx, make_client):
    ids = cast(world, ctx)
    response = make_client(world.admin).post(
        f"/coordinate/buildings/{ids['other_building']}/staff/{ids['other_building_staff']}/remove")
    assert response.status_code == 303
    with ctx() as session:
        assert session.get(User, ids["other_building_staff"]).active is False


def test_removing_someone_not_on_the_buildings_staff_is_404(world, ctx, make_client):
    ids = cast(world, ctx)
    coordinator = make_client(world.coordinator)
    with ctx() as session:
        stranger = make_building_staff(ids["other_building"], name="别处保安")
        other_user = make_user("building", "无楼保安")
        session.commit()
        stranger_id, other_id = stranger.id, other_user.id
    for user_id in (stranger_id, other_id, world.rider):
        assert coordinator.post(f"/coordinate/buildings/{ids['building']}/staff/{user_id}/remove").status_code == 404


def test_building_staff_and_riders_may_not_manage_buildings(world, ctx, make_client):
    ids = cast(world, ctx)
    for user_id in (ids["building_staff"], world.rider):
        assert make_client(user_id).get("/coordinate/buildings/").status_code == 403

