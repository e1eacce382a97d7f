"""The report workflow and its invariants: routing by category (and again on a category change), evidence to
resolve, a reason to reject, the category's points awarded once on a confirmed fix (never for "me too" or a
rejection), one reopening, a timeline entry and a notification for every change, who may see what and whose
name they see, and the books still balanced."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from accounts.models import User
from notifications.models import Notification
from oversight.books import run_audit
from points import ledger
from points.models import LedgerEntry
from points.queries import balance_of
from reports import services
from reports.access import may_view, shows_reporter, visible_reports
from reports.catalogue import category_by_code
from reports.errors import AlreadyReopened, NotOpen, OwnReport, ReportInvalid, WrongStatus
from reports.models import Report, ReportUpdate
from tests.factories import make_org, make_user
from tests.report_factories import make_department, make_departments, make_report, photo_bytes
from tests.station_factories import HERE, east_of, make_station

AFTER = ("after.jpg", photo_bytes((64, 48), colour=(90, 160, 90)))


@pytest.fixture
def cast(session, world):
    """The world's users as objects, the departments routed, and a station of the world's organisation at HERE
    (so reports there belong to that organisation)."""
    make_station(world.org)
    deps = make_departments()
    users = {name: session.get(User, getattr(world, name))
             for name in ("rider", "rider2", "coordinator", "other_coordinator", "admin", "staff")}
    session.commit()
    return SimpleNamespace(**users, **vars(deps), org=world.org, other_org=world.other_org)


def routed(cast, **kwargs) -> Report:
    report = make_report(cast.rider, **kwargs)
    services.accept_report(report=report, coordinator=cast.coordinator)
    return report


def resolved(cast, **kwargs) -> Report:
    report = routed(cast, **kwargs)
    staff = cast.market_staff if report.department_id == cast.market.id else (
        cast.transport_staff if report.department_id == cast.transport.id else cast.city_staff)
    services.resolve_report(report=report, staff=staff, note="已修复井盖", photo=AFTER)
    return report


def awards(session, report) -> list[LedgerEntry]:
    return list(session.scalars(sa.select(LedgerEntry).where(LedgerEntry.report_id == report.id)))


def timeline(session, report) -> list[str]:
    return list(session.scalars(sa.select(ReportUpdate.kind).where(ReportUpdate.report_id == report.id)
                                .order_by(ReportUpdate.id)))


def told(session, user) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Notification)
                          .where(Notification.user_id == user.id, Notification.kind == "report_changed"))


# --- routing -------------------------------------------------------------------------------------------------

def test_a_report_lies_in_the_organisation_of_the_nearest_station_within_3_km(session, cast):
    near = make_report(cast.rider)
    far_org = make_org("远处社区")
    make_station(far_org.id, name="远处暖新窝", at=east_of(HERE, 5000))
    far = make_report(cast.rider2, at=east_of(HERE, 7000))
    assert near.organisation_id == cast.org
    assert far.organisation_id == far_org.id  # 2 km from that station, 7 km from ours


def test_accepting_routes_to_the_category_default_department(session, cast):
    report = routed(cast)
    assert (report.status, report.department_id) == ("routed", cast.transport.id)
    assert timeline(session, report) == ["submitted", "accepted", "routed"]


def test_a_category_change_re_routes_or_returns_to_accepted(session, cast):
    report = routed(cast)
    services.change_category(report=report, category=category_by_code("food_safety"), actor=cast.coordinator)
    assert (report.status, report.department_id) == ("routed", cast.market.id)
    category_by_code("other").department_id = None
    session.flush()
    services.change_category(report=report, category=category_by_code("other"), actor=cast.coordinator)
    assert (report.status, report.department_id) == ("accepted", None)
    updates = session.scalars(sa.select(ReportUpdate).where(ReportUpdate.report_id == report.id)
                              .order_by(ReportUpdate.id)).all()
    assert [(u.kind, u.from_status, u.to_status) for u in updates[3:]] == [
        ("recategorised", "routed", "routed"), ("routed", "routed", "routed"),
        ("recategorised", "routed", "accepted")]


def test_accepting_twice_is_a_wrong_status(session, cast):
    report = routed(cast)
    with pytest.raises(WrongStatus):
        services.accept_report(report=report, coordinator=cast.coordinator)


# --- resolve, reject ----------------------------------------------------------------------------------------

def test_resolving_needs_a_note_and_an_after_photo(session, cast):
    report = routed(cast)
    with pytest.raises(ReportInvalid) as no_note:
        services.resolve_report(report=report, staff=cast.transport_staff, note="  ", photo=AFTER)
    with pytest.raises(ReportInvalid) as no_photo:
        services.resolve_report(report=report, staff=cast.transport_staff, note="已修复", photo=None)
    assert (no_note.value.details.get("field"), no_photo.value.details.get("field")) == ("note", "photo")
    assert report.status == "routed"
    services.resolve_report(report=report, staff=cast.transport_staff, note="已修复", photo=AFTER)
    assert report.status == "resolved" and report.resolved_at is not None


def test_rejecting_needs_a_reason_and_awards_nothing(session, cast):
    report = make_report(cast.rider)
    with pytest.raises(Exception) as empty:
        services.reject_report(report=report, actor=cast.coordinator, reason=" ")
    assert empty.value.details.get("field") == "reason" and report.status == "submitted"
    services.reject_report(report=report, actor=cast.coordinator, reason="重复上报")
    assert report.status == "rejected"
    with pytest.raises(WrongStatus):
        services.confirm_fix(report=report, reporter=cast.rider)
    assert awards(session, report) == [] and balance_of(cast.rider.id) == 0


# --- points ---------------------------------------------------------------------------------------------------

def test_confirming_awards_the_category_points_exactly_once(session, cast):
    report = resolved(cast)
    assert services.confirm_fix(report=report, reporter=cast.rider) == 10
    with pytest.raises(WrongStatus):
        services.confirm_fix(report=report, reporter=cast.rider)
    with pytest.raises(WrongStatus):
        services.verify_fix(report=report, coordinator=cast.coordinator)
    entries = awards(session, report)
    assert [(e.key, e.amount, e.rider_id) for e in entries] == [(f"award:report:{report.id}", 10, cast.rider.id)]
    assert balance_of(cast.rider.id) == 10 and report.status == "closed"
    assert session.scalar(sa.select(sa.func.sum(LedgerEntry.amount)).where(LedgerEntry.rider_id == cast.rider.id)) == 10
    session.commit()
    assert run_audit() == []


def test_a_second_award_for_the_same_report_is_ignored_by_the_ledger(session, cast):
    report = resolved(cast)
    services.verify_fix(report=report, coordinator=cast.coordinator)
    again = ledger.award_for_report(rider_id=cast.rider.id, report_id=report.id, points=10, reason="again",
                                    actor=cast.coordinator)
    assert again is None and len(awards(session, report)) == 1 and balance_of(cast.rider.id) == 10


def test_me_too_earns_nothing_counts_once_and_not_on_ones_own_report(session, cast):
    report = make_report(cast.rider)
    assert services.add_support(report=report, user=cast.rider2) is True
    assert services.add_support(report=report, user=cast.rider2) is False
    assert report.supporters == 1
    with pytest.raises(OwnReport):
        services.add_support(report=report, user=cast.rider)
    services.accept_report(report=report, coordinator=cast.coordinator)
    services.resolve_report(report=report, staff=cast.transport_staff, note="已修复", photo=AFTER)
    services.confirm_fix(report=report, reporter=cast.rider)
    assert balance_of(cast.rider2.id) == 0 and balance_of(cast.rider.id) == 10
    with pytest.raises(NotOpen):
        services.add_support(report=report, user=cast.admin)


def test_not_fixed_reopens_once(session, cast):
    report = resolved(cast)
    services.reopen_report(report=report, reporter=cast.rider, note="还是坏的")
    assert (report.status, report.department_id) == ("routed", cast.transport.id)
    services.resolve_report(report=report, staff=cast.transport_staff, note="再次修复", photo=AFTER)
    with pytest.raises(AlreadyReopened):
        services.reopen_report(report=report, reporter=cast.rider)
    assert report.status == "resolved"
    assert services.confirm_fix(report=report, reporter=cast.rider) == 10


def test_every_change_is_in_the_timeline_and_told_to_the_reporter(session, cast):
    report = make_report(cast.rider)
    steps = [
        (lambda: services.accept_report(report=report, coordinator=cast.coordinator), 2),  # accepted + routed
        (lambda: services.change_category(report=report, category=category_by_code("blocked_passage"),
                                          actor=cast.coordinator), 2),  # recategorised + routed
        (lambda: services.resolve_report(report=report, staff=cast.city_staff, note="已清理", photo=AFTER), 1),
        (lambda: services.reopen_report(report=report, reporter=cast.rider), 1),
        (lambda: services.reject_report(report=report, actor=cast.coordinator, reason="无法处理"), 1),
    ]
    for step, entries in steps:
        updates, notes = len(timeline(session, report)), told(session, cast.rider)
        step()
        assert len(timeline(session, report)) == updates + entries
        if step is not steps[3][0]:  # the reporter's own "not fixed" needs no message to themselves
            assert told(session, cast.rider) > notes


def test_a_category_change_of_a_submitted_report_is_told_to_the_reporter(session, cast):
    report = make_report(cast.rider)
    services.change_category(report=report, category=category_by_code("sanitation"), actor=cast.coordinator)
    assert told(session, cast.rider) == 1 and timeline(session, report) == ["submitted", "recategorised"]


# --- who sees what ------------------------------------------------------------------------------------------

def test_who_may_view_a_routed_report(session, cast):
    report = routed(cast)
    outsider_rider = make_user(name="路人")
    assert may_view(cast.rider, report) and may_view(cast.coordinator, report) and may_view(cast.admin, report)
    assert may_view(cast.transport_staff, report)
    assert not may_view(cast.other_coordinator, report)
    assert not may_view(cast.city_staff, report) and not may_view(cast.market_staff, report)
    assert not may_view(cast.staff, report)  # merchant staff
    assert not may_view(outsider_rider, report) and not may_view(cast.rider2, report)


def test_the_reporter_is_hidden_from_the_department_on_food_safety_only(session, cast):
    food = routed(cast, category="food_safety", description="后厨卫生很差")
    road = routed(cast)
    assert not shows_reporter(cast.market_staff, food) and shows_reporter(cast.coordinator, food)
    assert shows_reporter(cast.rider, food) and not shows_reporter(cast.staff, food)
    assert shows_reporter(cast.transport_staff, road)


def test_visible_reports_are_scoped(session, cast):
    road, food = routed(cast), routed(cast, category="food_safety")
    waiting = make_report(cast.rider2)
    ids = lambda user: set(session.scalars(visible_reports(user).with_only_columns(Report.id)))  # noqa: E731
    assert ids(cast.admin) == ids(cast.coordinator) == {road.id, food.id, waiting.id}
    assert ids(cast.other_coordinator) == set()
    assert ids(cast.transport_staff) == {road.id} and ids(cast.market_staff) == {food.id}
    assert ids(cast.city_staff) == set() and ids(cast.staff) == set() and ids(cast.rider) == set()


def test_a_department_of_another_kind_sees_nothing_routed_elsewhere(session, cast):
    _fire, fire_staff = make_department("张家港市消防救援大队", "fire", "消防小赵")
    report = routed(cast)
    assert not may_view(fire_staff, report) and not shows_reporter(fire_staff, report)


# --- the books ------------------------------------------------------------------------------------------------

def test_the_audit_finds_an_award_for_a_report_that_is_not_closed(session, cast):
    closed = resolved(cast)
    services.confirm_fix(report=closed, reporter=cast.rider)
    session.commit()
    assert run_audit() == []
    still_open = routed(cast)
    ledger.award_for_report(rider_id=cast.rider.id, report_id=still_open.id, points=10, reason="planted",
                            actor=cast.admin)
    session.commit()
    problems = run_audit()
    assert len(problems) == 1 and f"report {still_open.id} (routed)" in problems[0]
