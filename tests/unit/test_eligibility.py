"""Who may join an activity: each rule, combinations, the local month and year at their boundaries, an unknown
birth month — and the SQL filter of the list gives the same answers as the check of one rider."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from tests.factories import make_org, make_task, make_user
from volunteer.eligibility import open_to, unmet_rules
from volunteer.models import Task

ZONE = ZoneInfo("Asia/Shanghai")
DEC_10 = datetime(2026, 12, 10, 11, 0, tzinfo=UTC)  # 19:00 on 10 December in Zhangjiagang


def activity(starts_at=DEC_10, **rules) -> Task:
    fields = {"rule_birth_month": False, "rule_trade": None, "rule_platform": None, "rule_new_this_year": False}
    return Task(kind="activity", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), points=0,
                **(fields | rules))


def rider(birth_month=12, trade="food_delivery", platform="美团", created_at=datetime(2025, 3, 1, tzinfo=UTC)):
    return SimpleNamespace(birth_month=birth_month, trade=trade, platform=platform, created_at=created_at)


def unmet(task, person) -> list[str]:
    return [u.rule for u in unmet_rules(task, person, zone=ZONE)]


def texts(task, person, language) -> list[str]:
    with force_locale(language):
        return [str(u.text) for u in unmet_rules(task, person, zone=ZONE)]


def test_volunteer_work_and_an_activity_without_rules_are_open_to_every_rider(app):
    volunteer = Task(kind="volunteer", starts_at=DEC_10, rule_birth_month=False, rule_trade=None,
                     rule_platform=None, rule_new_this_year=False)
    assert unmet(volunteer, rider(birth_month=None, trade=None, platform=None)) == []
    assert unmet(activity(), rider(birth_month=None, trade=None, platform=None)) == []


def test_the_birthday_rule_wants_the_month_the_activity_starts_in(app):
    party = activity(rule_birth_month=True)
    assert unmet(party, rider(birth_month=12)) == []
    assert unmet(party, rider(birth_month=11)) == ["birth_month"]
    with app.test_request_context():
        assert texts(party, rider(birth_month=11), "zh") == ["仅限12月生日的骑手"]
        assert texts(party, rider(birth_month=11), "en") == ["Only for riders born in December"]


@pytest.mark.parametrize(("starts_at", "month"), [
    (datetime(2026, 11, 30, 16, 30, tzinfo=UTC), 12),  # 00:30 on 1 December locally, still 30 November in UTC
    (datetime(2026, 11, 30, 15, 30, tzinfo=UTC), 11),  # 23:30 on 30 November locally
])
def test_the_month_is_that_of_the_local_start_near_a_month_boundary(app, starts_at, month):
    party = activity(starts_at, rule_birth_month=True)
    assert unmet(party, rider(birth_month=month)) == []
    assert unmet(party, rider(birth_month=month % 12 + 1)) == ["birth_month"]


def test_a_rider_without_a_birth_month_is_asked_to_add_it(app):
    [reason] = unmet_rules(activity(rule_birth_month=True), rider(birth_month=None), zone=ZONE)
    assert reason.add_birth_month
    with app.test_request_context():
        assert texts(activity(rule_birth_month=True), rider(birth_month=None), "zh") == [
            "仅限12月生日的骑手。请先在个人资料中填写出生月份。"]


def test_the_trade_rule(app):
    couriers = activity(rule_trade="courier")
    assert unmet(couriers, rider(trade="courier")) == []
    assert unmet(couriers, rider(trade="food_delivery")) == ["trade"]
    assert unmet(couriers, rider(trade=None)) == ["trade"]


def test_the_platform_rule_ignores_case_and_spaces(app):
    meituan = activity(rule_platform="Meituan")
    assert unmet(meituan, rider(platform="  meituan ")) == []
    assert unmet(meituan, rider(platform="MEITUAN")) == []
    assert unmet(meituan, rider(platform="饿了么")) == ["platform"]
    assert unmet(meituan, rider(platform=None)) == ["platform"]


def test_new_this_year_is_the_local_year_the_activity_starts_in(app):
    newcomers = activity(datetime(2027, 1, 5, 2, 0, tzinfo=UTC), rule_new_this_year=True)
    # registered at 00:30 on 1 January 2027 local time (still 2026 in UTC): new in 2027
    assert unmet(newcomers, rider(created_at=datetime(2026, 12, 31, 16, 30, tzinfo=UTC))) == []
    # registered at 23:30 on 31 December 2026 local time: not new in 2027
    assert unmet(newcomers, rider(created_at=datetime(2026, 12, 31, 15, 30, tzinfo=UTC))) == ["new_this_year"]
    # an activity at 00:30 on 1 January locally is in the new year for the rule too
    first_night = activity(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), rule_new_this_year=True)
    assert unmet(first_night, rider(created_at=datetime(2027, 1, 1, 1, 0, tzinfo=UTC))) == []


def test_every_rule_must_match_and_each_unmet_one_is_listed(app):
    strict = activity(rule_birth_month=True, rule_trade="courier", rule_platform="顺丰", rule_new_this_year=True)
    matching = rider(birth_month=12, trade="courier", platform="顺丰", created_at=datetime(2026, 2, 1, tzinfo=UTC))
    assert unmet(strict, matching) == []
    assert unmet(strict, rider()) == ["trade", "platform", "new_this_year"]
    with app.test_request_context():
        assert texts(strict, rider(), "zh") == ["仅限快递骑手", "仅限顺丰的骑手", "仅限2026年注册的新骑手"]


def test_the_sql_filter_agrees_with_the_check_of_one_rider(session):
    org = make_org()
    coordinator = make_user("coordinator", organisation_id=org.id)
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    starts = [DEC_10, datetime(2026, 11, 30, 16, 30, tzinfo=UTC), datetime(2027, 1, 3, 2, 0, tzinfo=UTC),
              datetime(2027, 12, 3, 2, 0, tzinfo=UTC)]
    rule_sets = [{}, {"rule_birth_month": True}, {"rule_trade": "courier"}, {"rule_platform": " Meituan"},
                 {"rule_new_this_year": True}, {"rule_birth_month": True, "rule_platform": "meituan"}]
    tasks = [make_task(org.id, coordinator.id, kind="activity", points=0, starts_at=start,
                       ends_at=start + timedelta(hours=1), **rules) for start in starts for rules in rule_sets]
    tasks.append(make_task(org.id, coordinator.id))  # volunteer work: open to all
    riders = [make_user(birth_month=12, platform="MEITUAN", created_at=datetime(2026, 5, 1, tzinfo=UTC)),
              make_user(birth_month=1, trade="courier", platform="顺丰", created_at=datetime(2027, 1, 1, tzinfo=UTC)),
              make_user(birth_month=None, trade=None, platform=None, created_at=datetime(2025, 1, 1, tzinfo=UTC))]
    session.flush()
    ids = [t.id for t in tasks]
    for person in riders:
        found = set(session.scalars(sa.select(Task.id).where(Task.id.in_(ids), open_to(person, now=now, zone=ZONE))))
        expected = {t.id for t in tasks if not unmet_rules(t, person, zone=ZONE)}
        assert found == expected, person.id
        assert tasks[-1].id in found
    everyone = sa.select(sa.func.count()).select_from(Task).where(Task.id.in_(ids), open_to(None, now=now))
    assert session.scalar(everyone) == len(tasks)
