"""The cast of the API tests: tokens of both scopes and vouchers of two merchants."""

from types import SimpleNamespace

from accounts.models import User
from api.tokens import issue_token
from extensions import db
from rewards import vouchers
from rewards.models import Offer
from tests.factories import give_points, make_offer


def api_cast(world) -> SimpleNamespace:
    """In the caller's session (committed): a till token of the world's merchant (acting as ``staff``), one of
    the other merchant, a platform token, and an issued voucher of each merchant for the world's rider.

    Returns the tokens' secrets and ids, the vouchers' ids and codes.
    """
    admin, rider = db.session.get(User, world.admin), db.session.get(User, world.rider)
    till, till_secret = issue_token(name="暖新小厨收银台", scope="till", staff_id=world.staff, actor=admin)
    other_till, other_secret = issue_token(name="港城面馆收银台", scope="till", staff_id=world.other_staff, actor=admin)
    platform, platform_secret = issue_token(name="张家港12345平台", scope="platform", actor=admin)
    give_points(rider.id, 200)
    voucher = vouchers.redeem_offer(offer=db.session.get(Offer, world.offer), rider=rider)
    other_offer = make_offer(world.other_merchant, title="牛肉面一碗")
    other_voucher = vouchers.redeem_offer(offer=other_offer, rider=rider)
    db.session.commit()
    return SimpleNamespace(till=till_secret, till_id=till.id, other_till=other_secret, other_till_id=other_till.id,
                           platform=platform_secret, platform_id=platform.id, voucher=voucher.id, code=voucher.code,
                           other_voucher=other_voucher.id, other_code=other_voucher.code)


def bearer(secret: str, **headers) -> dict:
    """Headers carrying ``secret`` as a bearer token (and any others given)."""
    return {"Authorization": f"Bearer {secret}", **headers}


def platform_data(world) -> SimpleNamespace:
    """In the caller's session (committed): three more upcoming tasks of ``org`` (one far away, one without a
    position), stations (two near HERE, one 3 km north, one without hours, one deactivated) and two reports
    (one just filed, one routed)."""
    from datetime import timedelta

    from core.timeutil import utcnow
    from tests.factories import make_task
    from tests.report_factories import make_departments, make_report, routed_report
    from tests.station_factories import HERE, east_of, make_station, north_of

    now = utcnow()
    tasks = [make_task(world.org, world.coordinator, title=f"路口文明劝导{i}", starts_at=now + timedelta(days=i + 2),
                       ends_at=now + timedelta(days=i + 2, hours=2), **position)
             for i, position in enumerate([{"latitude": HERE[0], "longitude": HERE[1]},
                                           {"latitude": 31.30, "longitude": 120.62}, {}])]
    near = make_station(world.org, name="人民路暖新窝", at=east_of(HERE, 120))
    near_no_hours = make_station(world.org, name="步行街驿站", at=north_of(HERE, 400), hours=None)
    far = make_station(world.org, name="金港暖新窝", at=north_of(HERE, 3000), hours="08:00-21:00")
    make_station(world.org, name="已停用驿站", at=HERE, active=False)
    make_departments()
    rider = db.session.get(User, world.rider)
    fresh = make_report(rider, category="sanitation", description="路边垃圾很多")
    routed = routed_report(world)
    db.session.commit()
    return SimpleNamespace(tasks=[t.id for t in tasks], near=near.id, near_no_hours=near_no_hours.id, far=far.id,
                           reports=[fresh.id, routed.id], here=HERE)
