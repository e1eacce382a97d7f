"""Partner buildings, their staff and riders' day passes for the tests (issue 14)."""

from types import SimpleNamespace

from accounts.models import User
from core.timeutil import local_today, utcnow
from extensions import db
from passes.models import BuildingStaff
from passes.tokens import pass_token, short_code
from tests.factories import make_user
from tests.station_factories import HERE, make_station


def make_building(organisation_id, *, name="暖新大厦", at=HERE, spots=12, **overrides):
    """An active partner building (a station of kind ``building``) open 07:00–22:00 every day, with its fast
    lane and ``spots`` e-bike spots; flushed."""
    values = {"fast_lane": "东门快速通道，出示通行码", "ebike_spots": spots, "parking_where": "地下一层B区",
              "amenities": "water,toilet,ebike_parking", "hours": "07:00-22:00", **overrides}
    return make_station(organisation_id, name=name, at=at, kind="building", **values)


def make_building_staff(station_id, *, name="保安老李", created_by_id=None, **overrides) -> User:
    """A user of role ``building`` tied to building ``station_id``; flushed."""
    user = make_user("building", name, **overrides)
    db.session.add(BuildingStaff(user_id=user.id, station_id=station_id, created_at=utcnow(),
                                 created_by_id=created_by_id))
    db.session.flush()
    return user


def pass_of(rider_id, day=None) -> SimpleNamespace:
    """The token and short code of rider ``rider_id``'s pass for ``day`` (today, local, by default); needs an
    app context."""
    day = day or local_today()
    return SimpleNamespace(token=pass_token(rider_id, day), code=short_code(rider_id, day), day=day)


def pass_cast(world) -> dict:
    """A building of ``world.org`` with its staff and one of ``world.other_org`` with theirs (flushed), and the
    world's rider's pass of today: ``building``, ``other_building``, ``building_staff``,
    ``other_building_staff``, ``pass_token``, ``pass_code``."""
    building = make_building(world.org)
    other = make_building(world.other_org, name="港城商务楼", at=(HERE[0] + 0.01, HERE[1]))
    staff = make_building_staff(building.id, created_by_id=world.coordinator)
    other_staff = make_building_staff(other.id, name="保安小周", created_by_id=world.other_coordinator)
    today = pass_of(world.rider)
    return {"building": building.id, "other_building": other.id, "building_staff": staff.id,
            "other_building_staff": other_staff.id, "pass_token": today.token, "pass_code": today.code}
