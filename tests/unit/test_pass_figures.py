"""The Haitang pass figures over fixed entries: per local day and ISO week, distinct riders, several buildings,
an organisation's buildings only, the local-day boundary at midnight; and reading the period asked for."""

from datetime import date, timedelta

import pytest

from accounts.models import User
from core.timeutil import at_local
from passes import figures
from passes.figures import ALL, Count, Period
from passes.services import ALREADY, VALID, check_pass
from passes.tokens import pass_token
from tests import factories
from tests.pass_factories import make_building, make_building_staff
from tests.station_factories import HERE

SUNDAY, MONDAY = date(2026, 11, 29), date(2026, 11, 30)  # the last day of one ISO week, the first of the next
PERIOD = Period(date(2026, 11, 23), date(2026, 12, 6))


def _check(session, building, staff, rider_id, day, hour, minute=0):
    """Check rider ``rider_id``'s pass of ``day`` at local ``hour:minute`` that day (recording the entry)."""
    return check_pass(text=pass_token(rider_id, day), building=building, staff=staff, record=True,
                      now=at_local(day, hour, minute)).status


@pytest.fixture
def entries(session):
    """Building A and B of the world's organisation, C of the other; the world's two riders' entries."""
    world = factories.make_world()
    a = make_building(world.org, name="A楼")
    b = make_building(world.org, name="B楼", at=(HERE[0] + 0.01, HERE[1]))
    c = make_building(world.other_org, name="C楼", at=(HERE[0] + 0.02, HERE[1]))
    staff = {building.id: make_building_staff(building.id, name=f"保安{building.name}") for building in (a, b, c)}
    rider, rider2 = world.rider, world.rider2
    statuses = [
        _check(session, a, staff[a.id], rider, SUNDAY, 23, 59),  # Sunday night, local
        _check(session, a, staff[a.id], rider, MONDAY, 0, 1),  # two minutes later: another day, another week
        _check(session, a, staff[a.id], rider2, MONDAY, 10),
        _check(session, a, staff[a.id], rider, MONDAY, 15),  # already let in today: nothing recorded
        _check(session, b, staff[b.id], rider, MONDAY, 12),
        _check(session, c, staff[c.id], rider, MONDAY, 12),
    ]
    assert statuses == [VALID, VALID, VALID, ALREADY, VALID, VALID]
    session.commit()
    return world, a, b, c


def test_a_building_counts_entries_per_local_day_and_iso_week(entries):
    _world, a, _b, _c = entries
    result = figures.figures([a], PERIOD)
    assert result.day(a.id, SUNDAY) == Count(1, 1)
    assert result.day(a.id, MONDAY) == Count(2, 2)
    assert result.day(a.id, MONDAY + timedelta(days=1)) == Count(0, 0)
    assert result.week(a.id, date(2026, 11, 23)) == Count(1, 1)
    assert result.week(a.id, MONDAY) == Count(2, 2)
    assert result.over(a.id) == Count(3, 2)  # the rider came twice: two entries, one distinct rider


def test_an_organisations_buildings_together_count_each_rider_once(entries):
    world, a, b, c = entries
    buildings = figures.buildings_of(world.org)
    assert [building.id for building in buildings] == [a.id, b.id]
    result = figures.figures(buildings, PERIOD)
    assert result.over(b.id) == Count(1, 1)
    assert result.day(ALL, MONDAY) == Count(3, 2)  # the rider at A and at B is one rider that day
    assert result.week(ALL, MONDAY) == Count(3, 2)
    assert result.over() == Count(4, 2)
    assert c.id not in result.total


def test_an_admin_sees_every_building(entries):
    _world, _a, _b, _c = entries
    result = figures.figures(figures.buildings_of(None), PERIOD)
    assert len(result.buildings) == 3 and result.over() == Count(5, 2)


def test_a_period_counts_only_its_own_days(entries):
    _world, a, _b, _c = entries
    assert figures.figures([a], Period(MONDAY, MONDAY)).over(a.id) == Count(2, 2)
    assert figures.figures([a], Period(SUNDAY, SUNDAY)).over(a.id) == Count(1, 1)
    assert figures.figures([], PERIOD).over() == Count(0, 0)


def test_todays_entries_and_this_weeks_for_the_list(entries, session):
    _world, a, b, _c = entries
    assert figures.today_and_week([a.id, b.id], today=MONDAY) == {a.id: (2, 2), b.id: (1, 1)}
    assert figures.today_and_week([a.id], today=MONDAY + timedelta(days=1)) == {a.id: (0, 2)}
    listed = figures.entries_on(a.id, MONDAY)
    assert [session.get(User, entry.rider_id).name for entry in listed] == ["张松阳", "赵佳楠"]  # latest first


def test_staff_counts_leave_out_deactivated_accounts(entries, session):
    _world, a, b, _c = entries
    extra = make_building_staff(a.id, name="保安二号")
    extra.active = False
    session.flush()
    assert figures.staff_counts([a.id, b.id]) == {a.id: 1, b.id: 1}


def test_weeks_of_a_period_start_on_mondays_and_are_cut_to_the_period():
    period = Period(date(2026, 11, 26), date(2026, 12, 8))
    assert period.weeks == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]
    assert len(period.days) == 13


@pytest.mark.parametrize(("args", "expected"), [
    ({}, (date(2026, 11, 3), date(2026, 11, 30))),
    ({"from": "2026-11-01", "to": "2026-11-07"}, (date(2026, 11, 1), date(2026, 11, 7))),
    ({"from": " 2026-11-01 "}, (date(2026, 11, 1), date(2026, 11, 30))),
    ({"to": "2026-11-20"}, (date(2026, 11, 3), date(2026, 11, 20))),
    ({"from": "2026-12-24"}, (date(2026, 12, 24), date(2026, 12, 24))),
])
def test_the_period_asked_for(app, args, expected):
    with app.test_request_context():
        period, errors = figures.read_period(args, today=MONDAY)
    assert errors == {} and (period.first, period.last) == expected


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "tomorrow"}, "from"), ({"to": "2026-13-01"}, "to"), ({"from": "1900-01-01"}, "from"),
    ({"from": "2026-11-10", "to": "2026-11-01"}, "to"), ({"from": "2024-01-01", "to": "2026-01-01"}, "to"),
])
def test_a_period_that_cannot_be_used_names_the_field(app, args, field):
    with app.test_request_context():
        period, errors = figures.read_period(args, today=MONDAY)
    assert period is None and list(errors) == [field]
