"""Every figure of the dashboard over data made here, with known answers: two organisations (A, B), riders
inside and outside A's scope, tasks inside and outside November 2026 (local days, Asia/Shanghai) and of B,
attended and no-show sign-ups, verified minutes, ledger awards, spends, refunds, an expiry, a reversal and
adjustments, vouchers redeemed at A's, B's and a programme-wide merchant, reports received and resolved after
known days. The period's edges are local midnights: something at 00:00 on 1 November counts, at 23:59 on
31 October it does not; 23:59 on 30 November counts, 00:00 on 1 December does not."""

import itertools
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from accounts import figures as account_figures
from core.timeutil import at_local
from extensions import db
from oversight import dashboard_figures
from oversight.dashboard_figures import Period, bucket_starts, per_bucket, preset_period, read_period
from points import figures as points_figures
from points import ledger
from reports import figures as report_figures
from reports import services as report_services
from reports.access import visible_reports
from rewards import figures as reward_figures
from rewards.models import Voucher
from tests import factories
from tests.report_factories import make_departments, make_report, photo_bytes
from volunteer import figures as volunteer_figures
from volunteer.models import Signup

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
_codes = itertools.count(1000_0000_0000_0000)


def local(month, day, hour=10, minute=0):
    """A local wall-clock time in 2026 as aware UTC."""
    return at_local(date(2026, month, day), hour, minute)


FIRST_MINUTE = (11, 1, 0, 0)  # 00:00 on 1 November: inside
BEFORE = (10, 31, 23, 59)  # 23:59 on 31 October: outside
LAST_MINUTE = (11, 30, 23, 59)  # 23:59 on 30 November: inside
AFTER = (12, 1, 0, 0)  # 00:00 on 1 December: outside


def signup(task, rider, status, queued, minutes=None, method=None):
    row = Signup(task_id=task.id, rider_id=rider.id, status=status, queued_at=local(*queued),
                 attendance_method=method or ("verified" if minutes is not None else None),
                 verified_minutes=minutes)
    db.session.add(row)
    db.session.flush()
    return row


def voucher(offer, rider, staff, *, face, points, redeemed=None, status="redeemed"):
    issued = (redeemed or local(11, 1)) - timedelta(days=1)
    row = Voucher(code=str(next(_codes)), offer_id=offer.id, merchant_id=offer.merchant_id, rider_id=rider.id,
                  status=status, points_cost=points, face_value_fen=face, issued_at=issued,
                  expires_at=issued + timedelta(days=30), redeemed_at=redeemed if status == "redeemed" else None,
                  redeemed_by_id=staff.id if status == "redeemed" else None)
    db.session.add(row)
    db.session.flush()
    return row


def entry(rider, amount, kind, when, **extra):
    return ledger.post_entry(rider_id=rider.id, amount=amount, kind=kind, now=local(*when),
                             reason=extra.pop("reason", "测试" if kind == "adjustment" else ""), **extra)


def report(rider, organisation, created, resolved_after_days, admin, staff):
    filed = make_report(rider, now=local(*created))
    filed.organisation_id = organisation.id
    db.session.flush()
    if resolved_after_days is not None:
        report_services.accept_report(report=filed, coordinator=admin, now=filed.created_at)
        report_services.resolve_report(report=filed, staff=staff, note="已处理", photo=("a.jpg", photo_bytes((32, 24))),
                                       now=filed.created_at + timedelta(days=resolved_after_days))
    return filed


@pytest.fixture
def data(session):
    a, b = factories.make_org("塘市办事处"), factories.make_org("金港镇长江村")
    ca, cb = factories.make_user("coordinator", "陈丽华", a.id), factories.make_user("coordinator", "王建国", b.id)
    admin = factories.make_user("admin", "刘管理")
    r1 = factories.make_user(name="骑手一", created_at=local(11, 5))
    r2 = factories.make_user(name="骑手二", created_at=local(10, 1))
    r3 = factories.make_user(name="骑手三", created_at=local(*FIRST_MINUTE))  # B's only
    r4 = factories.make_user(name="骑手四", created_at=local(*BEFORE))
    r5 = factories.make_user(name="骑手五", created_at=local(*LAST_MINUTE))  # no organisation's
    factories.make_user(name="骑手六", created_at=local(*AFTER))

    def task(org, coordinator, starts, **overrides):
        return factories.make_task(org.id, coordinator.id, starts_at=starts, ends_at=starts + timedelta(hours=2),
                                   **overrides)

    ta1 = task(a, ca, local(*FIRST_MINUTE))
    ta2 = task(a, ca, local(11, 15))
    ta3 = task(a, ca, local(10, 31, 23, 0))  # starts before the period (ends inside it)
    ta4 = task(a, ca, local(11, 20), status="cancelled", cancelled_at=local(11, 10))
    ta5 = task(a, ca, local(*AFTER))
    tb1 = task(b, cb, local(11, 10))
    signup(ta1, r1, "attended", (10, 25), minutes=90)
    signup(ta1, r2, "no_show", FIRST_MINUTE)
    signup(ta2, r4, "attended", (11, 10), minutes=60)
    signup(ta2, r2, "attended", LAST_MINUTE, method="manual")
    signup(ta3, r1, "attended", (10, 20), minutes=45)
    signup(ta5, r1, "confirmed", AFTER)
    signup(ta4, r2, "cancelled", (11, 18))
    signup(tb1, r3, "attended", (11, 5), minutes=120)

    ma = factories.make_merchant("暖新小厨", organisation_id=a.id)
    mb = factories.make_merchant("港城面馆", organisation_id=b.id)
    mp = factories.make_merchant("全市通用餐厅")  # programme-wide: an admin's only
    oa, ob, op = factories.make_offer(ma.id), factories.make_offer(mb.id), factories.make_offer(mp.id)
    sa_, sb = factories.make_staff(ma.id), factories.make_staff(mb.id, "面馆店员")
    sp = factories.make_staff(mp.id, "店员")
    voucher(oa, r1, sa_, face=1500, points=30, redeemed=local(*FIRST_MINUTE))
    voucher(oa, r2, sa_, face=1500, points=30, redeemed=local(11, 20))
    voucher(oa, r2, sa_, face=1500, points=30, redeemed=local(*BEFORE))
    voucher(ob, r3, sb, face=2000, points=50, redeemed=local(11, 12))
    voucher(oa, r4, sa_, face=1500, points=30, status="issued")
    voucher(op, r5, sp, face=1000, points=40, redeemed=local(*LAST_MINUTE))
    voucher(oa, r4, sa_, face=1500, points=30, redeemed=local(*AFTER))

    entry(r1, 30, "award", (10, 20))
    award = entry(r1, 30, "award", FIRST_MINUTE)
    entry(r1, -30, "spend", (11, 5))
    entry(r1, 30, "refund", (11, 6))
    entry(r1, -30, "reversal", (11, 10), reverses_id=award)
    entry(r2, 50, "award", (11, 15))
    entry(r2, 10, "adjustment", LAST_MINUTE)
    entry(r2, 100, "award", AFTER)
    entry(r4, 40, "award", (11, 2))
    entry(r4, -30, "spend", (11, 3))
    entry(r4, 30, "expiry", (11, 25))
    entry(r3, 60, "award", (11, 10))
    entry(r3, -50, "spend", (11, 12))
    entry(r5, 25, "adjustment", (11, 29))

    deps = make_departments()
    staff = deps.transport_staff
    report(r2, a, (11, 2, 0, 0), 2, admin, staff)  # A's, resolved in 2 days
    report(r1, a, (10, 28, 0, 0), 6, admin, staff)  # filed before, resolved inside: 6 days
    report(r1, b, (11, 6, 0, 0), 1.5, admin, staff)  # B's place, A's rider: both see it
    report(r3, b, (11, 8), None, admin, staff)  # B's, open
    report(r4, a, AFTER, None, admin, staff)  # after the period
    session.flush()
    return SimpleNamespace(a=a, b=b, ca=ca, cb=cb, admin=admin, r=[None, r1, r2, r3, r4, r5], ma=ma, mb=mb, mp=mp)


S, E = datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC)  # November in Zhangjiagang


def test_the_period_is_local_midnight_to_local_midnight_in_utc(app):
    with app.app_context():
        assert (NOVEMBER.start, NOVEMBER.end) == (S, E)


def test_tasks_held_are_the_uncancelled_tasks_starting_in_the_period(data):
    assert volunteer_figures.tasks_held(data.a.id, S, E) == 2  # 00:00 on the 1st and the 15th
    assert volunteer_figures.tasks_held(data.b.id, S, E) == 1
    assert volunteer_figures.tasks_held(None, S, E) == 3


def test_sign_ups_count_those_made_in_the_period_whatever_their_status(data):
    # 00:00 on the 1st, the 10th, 23:59 on the 30th, and one cancelled since
    assert volunteer_figures.signups_made(data.a.id, S, E) == 4
    assert volunteer_figures.signups_made(data.b.id, S, E) == 1
    assert volunteer_figures.signups_made(None, S, E) == 5
    assert len(volunteer_figures.signup_times(data.a.id, S, E)) == 4


def test_attendance_counts_attended_and_no_shows_of_tasks_starting_in_the_period(data):
    attendance = volunteer_figures.attendance(data.a.id, S, E)
    assert (attendance.attended, attendance.no_show, attendance.rate) == (3, 1, 0.75)
    assert volunteer_figures.attendance(data.b.id, S, E).rate == 1.0
    everyone = volunteer_figures.attendance(None, S, E)
    assert (everyone.attended, everyone.no_show) == (4, 1)
    assert volunteer_figures.attendance(data.a.id, local(12, 5), local(12, 6)).rate is None  # nothing marked


def test_verified_minutes_add_up_checked_in_service_of_tasks_starting_in_the_period(data):
    assert volunteer_figures.verified_minutes(data.a.id, S, E) == 150  # 90 + 60; the manual one has none
    assert volunteer_figures.verified_minutes(data.b.id, S, E) == 120
    assert volunteer_figures.verified_minutes(None, S, E) == 270
    assert dashboard_figures.hours(150) == 2.5


def test_new_riders_are_accounts_created_in_the_period_in_the_organisations_scope(data):
    assert account_figures.new_riders(data.a.id, S, E) == 1  # r1; r4 was a minute early
    assert account_figures.new_riders(data.b.id, S, E) == 1  # r3, at 00:00 on the 1st
    assert account_figures.new_riders(None, S, E) == 3  # r1, r3, r5 (23:59 on the 30th); not r6


def test_points_figures_follow_the_ledger_kinds_of_the_riders_in_scope(data):
    a = points_figures.points_figures(data.a.id, S, E)
    assert (a.awarded, a.spent, a.refunded, a.adjusted, a.outstanding) == (90, 60, 60, 10, 130)
    before = points_figures.points_figures(data.a.id, local(1, 1), S).outstanding
    assert before + a.awarded - a.spent + a.refunded + a.adjusted == a.outstanding  # the figures add up
    b = points_figures.points_figures(data.b.id, S, E)
    assert (b.awarded, b.spent, b.refunded, b.adjusted, b.outstanding) == (60, 50, 0, 0, 10)
    everyone = points_figures.points_figures(None, S, E)
    assert (everyone.awarded, everyone.spent, everyone.refunded, everyone.adjusted, everyone.outstanding) == (
        150, 110, 60, 35, 165)


def test_vouchers_redeemed_per_merchant_of_the_organisation(data):
    a = reward_figures.redeemed_by_merchant(data.a.id, S, E)
    assert [(line.name, line.vouchers, line.face_value_fen) for line in a] == [("暖新小厨", 2, 3000)]
    everyone = reward_figures.redeemed_by_merchant(None, S, E)
    assert [(line.name, line.vouchers, line.face_value_fen) for line in everyone] == [
        ("暖新小厨", 2, 3000), ("港城面馆", 1, 2000), ("全市通用餐厅", 1, 1000)]
    assert reward_figures.redeeming_riders(data.a.id, S, E) == {data.r[1].id, data.r[2].id}


def test_an_undone_confirmation_no_longer_counts_as_redeemed(data, session):
    undone = session.query(Voucher).filter_by(merchant_id=data.mb.id).one()
    undone.status, undone.redeemed_at, undone.redeemed_by_id = "issued", None, None
    session.flush()
    assert reward_figures.redeemed_by_merchant(data.b.id, S, E) == []


def test_a_point_is_worth_what_the_redeemed_vouchers_bought(data):
    value = reward_figures.point_value(E)  # every voucher redeemed before the end, any merchant
    assert (value.face_value_fen, value.points) == (7500, 180)
    assert value.fen_per_point == pytest.approx(7500 / 180)
    assert reward_figures.point_value(local(1, 1)).fen_per_point is None  # none yet: unknown


def test_reports_received_resolved_and_the_median_days(data):
    a = report_figures.summary(visible_reports(data.ca), S, E)
    assert (a.received, a.resolved) == (2, 3)
    assert a.median_days == pytest.approx(2.0)  # of 2, 6 and 1.5 days
    b = report_figures.summary(visible_reports(data.cb), S, E)
    assert (b.received, b.resolved, b.median_days) == (2, 1, pytest.approx(1.5))
    everyone = report_figures.summary(report_figures.organisation_reports(None), S, E)
    assert (everyone.received, everyone.resolved, everyone.median_days) == (3, 3, pytest.approx(2.0))
    assert report_figures.reporting_riders(visible_reports(data.ca), S, E) == {data.r[1].id, data.r[2].id}


def test_an_organisations_reports_are_what_its_coordinators_see(data, session):
    for org, coordinator in ((data.a, data.ca), (data.b, data.cb)):
        theirs = set(session.scalars(visible_reports(coordinator)))
        assert set(session.scalars(report_figures.organisation_reports(org.id))) == theirs


def test_the_dashboard_unites_the_figures_and_counts_active_riders_once(data, app):
    a = dashboard_figures.dashboard(NOVEMBER, data.a.id, visible_reports(data.ca))
    assert a.riders_active == 3  # r1, r2, r4: attended, redeemed or reported
    assert (a.new_riders, a.tasks_held, a.signups, a.verified_minutes) == (1, 2, 4, 150)
    assert (a.redeemed_vouchers, a.redeemed_fen) == (2, 3000)
    assert a.point_value_source == "redemptions"
    assert a.liability_fen == round(130 * 7500 / 180)  # 5417 fen
    b = dashboard_figures.dashboard(NOVEMBER, data.b.id, visible_reports(data.cb))
    assert b.riders_active == 2  # r3, and r1 who filed a report in B
    everyone = dashboard_figures.dashboard(NOVEMBER, None, visible_reports(data.admin))
    assert everyone.riders_active == 5
    assert sum(count for _day, count in everyone.signups_per_bucket) == everyone.signups == 5
    assert sum(minutes for _day, minutes in everyone.minutes_per_bucket) == 270
    chosen = dashboard_figures.dashboard(NOVEMBER, data.a.id, report_figures.organisation_reports(data.a.id))
    assert chosen == a  # an admin's filter on A sees what A's coordinator sees


def test_a_configured_point_value_replaces_the_derived_one(data, app):
    app.config["POINT_VALUE_FEN"] = "50"
    a = dashboard_figures.dashboard(NOVEMBER, data.a.id, visible_reports(data.ca))
    assert (a.point_value_source, a.liability_fen) == ("config", 6500)
    app.config["POINT_VALUE_FEN"] = "not a number"
    derived = dashboard_figures.dashboard(NOVEMBER, data.a.id, visible_reports(data.ca))
    assert derived.point_value_source == "redemptions"


def test_another_organisations_data_never_counts_for_a_coordinator(data):
    b_only = (volunteer_figures.attending_riders(data.b.id, S, E) | reward_figures.redeeming_riders(data.b.id, S, E))
    assert data.r[3].id in b_only
    a = dashboard_figures.dashboard(NOVEMBER, data.a.id, visible_reports(data.ca))
    assert data.r[3].id not in (volunteer_figures.attending_riders(data.a.id, S, E)
                                | reward_figures.redeeming_riders(data.a.id, S, E))
    assert [line.name for line in a.merchants] == ["暖新小厨"]
    assert a.verified_minutes == 150  # not B's 120


def test_the_edges_of_a_period_are_local_midnights(data):
    from_the_2nd = Period(date(2026, 11, 2), date(2026, 11, 30))
    assert volunteer_figures.tasks_held(data.a.id, from_the_2nd.start, from_the_2nd.end) == 1  # not 00:00 on the 1st
    until_the_29th = Period(date(2026, 11, 1), date(2026, 11, 29))
    until = (until_the_29th.start, until_the_29th.end)
    assert volunteer_figures.signups_made(data.a.id, *until) == 3  # not 23:59 on the 30th
    last_of_october = Period(date(2026, 10, 31), date(2026, 10, 31))
    assert account_figures.new_riders(None, last_of_october.start, last_of_october.end) == 1  # r4 at 23:59
    assert reward_figures.redeemed_by_merchant(data.a.id, last_of_october.start, last_of_october.end)[0].vouchers == 1
    first_of_december = Period(date(2026, 12, 1), date(2026, 12, 1))
    assert volunteer_figures.tasks_held(data.a.id, first_of_december.start, first_of_december.end) == 1


def test_charts_count_per_local_day_with_empty_days_as_zero(data):
    buckets = dict(dashboard_figures.series("signups", NOVEMBER, data.a.id))
    assert len(buckets) == 30
    assert buckets[date(2026, 11, 1)] == 1 and buckets[date(2026, 11, 30)] == 1 and buckets[date(2026, 11, 2)] == 0
    hours = dict(dashboard_figures.series("hours", NOVEMBER, data.a.id))
    assert (hours[date(2026, 11, 1)], hours[date(2026, 11, 15)]) == (90, 60)


def test_a_long_period_counts_per_week_from_monday(app):
    with app.app_context():
        year = Period(date(2026, 1, 1), date(2026, 12, 31))
        starts = bucket_starts(year)
        assert starts[0] == date(2026, 1, 1) and starts[1] == date(2026, 1, 5)  # the 5th is a Monday
        assert len(starts) == 53
        values = [(at_local(date(2026, 1, 4), 23, 59), 1), (at_local(date(2026, 1, 5), 0, 0), 2)]
        assert per_bucket(values, year)[:2] == [(date(2026, 1, 1), 1), (date(2026, 1, 5), 2)]


@pytest.mark.parametrize(("args", "first", "last"), [
    ({}, date(2026, 12, 1), date(2026, 12, 3)),
    ({"preset": "this_month"}, date(2026, 12, 1), date(2026, 12, 3)),
    ({"preset": "last_month"}, date(2026, 11, 1), date(2026, 11, 30)),
    ({"preset": "last_7_days"}, date(2026, 11, 27), date(2026, 12, 3)),
    ({"preset": "this_year"}, date(2026, 1, 1), date(2026, 12, 3)),
    ({"from": "2025-12-04", "to": "2026-12-03"}, date(2025, 12, 4), date(2026, 12, 3)),  # 365 days
    ({"from": "2024-01-01", "to": "2024-12-31"}, date(2024, 1, 1), date(2024, 12, 31)),  # 366: a leap year
])
def test_periods_are_read_from_presets_and_typed_dates(app, args, first, last):
    with app.app_context():
        period, errors = read_period(args, now=at_local(date(2026, 12, 3), 9))  # 3 December, local
    assert errors == {} and (period.first, period.last) == (first, last)


def test_january_s_last_month_is_last_december(app):
    with app.app_context():
        assert preset_period("last_month", date(2027, 1, 15)) == Period(date(2026, 12, 1), date(2026, 12, 31),
                                                                         "last_month")


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "2026-13-01", "to": "2026-12-01"}, "from"),
    ({"from": "2026-11-01", "to": "soon"}, "to"),
    ({"from": "2026-11-01"}, "to"),
    ({"from": "1900-01-01", "to": "2026-01-01"}, "from"),
    ({"from": "2026-11-02", "to": "2026-11-01"}, "to"),
    ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),  # 367 days: one too many
    ({"preset": "forever"}, "preset"),
])
def test_an_unusable_period_names_the_field(app, args, field):
    with app.app_context():
        period, errors = read_period(args, now=at_local(date(2026, 12, 3), 9))
    assert period is None and field in errors and errors[field]


def test_a_rider_with_no_service_counts_nowhere(data, session):
    lonely = factories.make_user(name="新骑手", created_at=local(11, 11))
    session.flush()
    assert lonely.role == "rider"
    assert account_figures.new_riders(data.a.id, S, E) == 1  # not in A's scope
    assert account_figures.new_riders(None, S, E) == 4
