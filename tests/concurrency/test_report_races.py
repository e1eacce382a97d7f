"""Problem reports under real concurrency, at the service level: threads, each with its own app context (its
own database session and connection), released together by a barrier, act on the same report and commit like
a view would. The reporter confirming on two phones while coordinators verify: exactly one closes it and
exactly one award reaches the ledger; two coordinators accepting at once: one accepts (and routes), the other
is told it changed. The conditional ``UPDATE … WHERE status = …`` decides on both databases (PostgreSQL's row
lock; SQLite's write lock with its busy wait): no sleeps, no timing assumptions.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.errors import DomainError
from extensions import db
from oversight.books import run_audit
from points.models import LedgerEntry
from points.queries import balance_of
from reports import services
from reports.models import Report, ReportPhoto, ReportUpdate
from tests import factories
from tests.concurrency.harness import ledger_sum
from tests.report_factories import make_departments, make_report, photo_bytes
from tests.station_factories import make_station

pytestmark = pytest.mark.concurrency


def race(app, calls) -> list[str]:
    """Run each ``call(session)`` in its own thread and app context, all released at once; each commits on
    success and rolls back on a refusal. Returns ``"ok"`` or the refusal's class name, in order."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        with app.app_context():
            prepared = call(db.session)  # load the rows first: the race is the write
            barrier.wait()
            try:
                prepared()
                db.session.commit()
                return "ok"
            except DomainError as refusal:
                db.session.rollback()
                return type(refusal).__name__
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result(timeout=120) for future in [pool.submit(run, call) for call in calls]]


@pytest.fixture
def cast(ctx, world):
    """A routed-then-resolved road report and a fresh submitted one of the world's rider, committed."""
    with ctx() as session:
        make_station(world.org)
        deps = make_departments()
        rider = session.get(User, world.rider)
        second_coordinator = factories.make_user("coordinator", "第二协调员", world.org)
        resolved = make_report(rider)
        services.accept_report(report=resolved, coordinator=session.get(User, world.coordinator))
        services.resolve_report(report=resolved, staff=deps.transport_staff, note="已修复",
                                photo=("a.jpg", photo_bytes((64, 48))))
        submitted = make_report(rider, description="红绿灯不亮", category="traffic_signals")
        session.commit()
        return {"resolved": resolved.id, "submitted": submitted.id, "transport": deps.transport.id,
                "second_coordinator": second_coordinator.id, **vars(world)}


def confirm(report_id, user_id):
    def prepare(session):
        report, user = session.get(Report, report_id), session.get(User, user_id)
        return lambda: services.confirm_fix(report=report, reporter=user)
    return prepare


def verify(report_id, user_id):
    def prepare(session):
        report, user = session.get(Report, report_id), session.get(User, user_id)
        return lambda: services.verify_fix(report=report, coordinator=user)
    return prepare


def accept(report_id, user_id):
    def prepare(session):
        report, user = session.get(Report, report_id), session.get(User, user_id)
        return lambda: services.accept_report(report=report, coordinator=user)
    return prepare


def test_confirming_and_verifying_at_once_closes_once_and_awards_once(app, ctx, cast):
    report, rider = cast["resolved"], cast["rider"]
    calls = [confirm(report, rider) for _ in range(3)] + [verify(report, cast["coordinator"]),
                                                           verify(report, cast["second_coordinator"])]
    outcomes = race(app, calls)
    assert sorted(outcomes) == ["WrongStatus"] * 4 + ["ok"], outcomes
    with ctx() as session:
        entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.report_id == report)).all()
        assert [(e.key, e.amount, e.rider_id) for e in entries] == [(f"award:report:{report}", 10, rider)]
        assert balance_of(rider) == ledger_sum(session, rider) == 10
        assert session.get(Report, report).status == "closed"
        closing = session.scalars(sa.select(ReportUpdate.kind).where(
            ReportUpdate.report_id == report, ReportUpdate.kind.in_(("confirmed", "verified")))).all()
        assert len(closing) == 1
        assert run_audit() == []


def test_two_coordinators_accepting_at_once(app, ctx, cast):
    report = cast["submitted"]
    outcomes = race(app, [accept(report, cast["coordinator"]), accept(report, cast["second_coordinator"])])
    assert sorted(outcomes) == ["WrongStatus", "ok"], outcomes
    with ctx() as session:
        row = session.get(Report, report)
        assert (row.status, row.department_id) == ("routed", cast["transport"])
        kinds = session.scalars(sa.select(ReportUpdate.kind).where(ReportUpdate.report_id == report)
                                .order_by(ReportUpdate.id)).all()
        assert kinds == ["submitted", "accepted", "routed"]


def test_confirming_and_saying_not_fixed_at_once(app, ctx, cast):
    """Two taps of the reporter on two phones: either it is closed with its award, or reopened without one."""
    report, rider = cast["resolved"], cast["rider"]

    def reopen(session):
        row, user = session.get(Report, report), session.get(User, rider)
        return lambda: services.reopen_report(report=row, reporter=user, note="没修好")

    outcomes = race(app, [confirm(report, rider), reopen])
    assert sorted(outcomes) == ["WrongStatus", "ok"], outcomes
    with ctx() as session:
        row = session.get(Report, report)
        awarded = session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.report_id == report))
        if outcomes[0] == "ok":
            assert (row.status, row.reopened_at, awarded, balance_of(rider)) == ("closed", None, 1, 10)
        else:
            assert (row.status, awarded, balance_of(rider)) == ("routed", 0, 0) and row.reopened_at is not None
        assert run_audit() == []


def test_the_department_resolving_while_a_coordinator_rejects(app, ctx, cast):
    with ctx() as session:
        report = session.get(Report, cast["submitted"])
        services.accept_report(report=report, coordinator=session.get(User, cast["coordinator"]))
        session.commit()
        staff = session.scalar(sa.select(User.id).where(User.role == "department", User.name == "交通小张"))

    def resolve(session):
        row, user = session.get(Report, cast["submitted"]), session.get(User, staff)
        return lambda: services.resolve_report(report=row, staff=user, note="已修好",
                                               photo=("b.jpg", photo_bytes((64, 48))))

    def reject(session):
        row, user = session.get(Report, cast["submitted"]), session.get(User, cast["second_coordinator"])
        return lambda: services.reject_report(report=row, actor=user, reason="重复上报")

    outcomes = race(app, [resolve, reject])
    assert sorted(outcomes) == ["WrongStatus", "ok"], outcomes
    with ctx() as session:
        row = session.get(Report, cast["submitted"])
        assert row.status == ("resolved" if outcomes[0] == "ok" else "rejected")
        kinds = session.scalars(sa.select(ReportUpdate.kind).where(ReportUpdate.report_id == row.id)
                                .order_by(ReportUpdate.id)).all()
        assert kinds == ["submitted", "accepted", "routed", "resolved" if outcomes[0] == "ok" else "rejected"]
        after = session.scalar(sa.select(sa.func.count()).select_from(ReportPhoto)
                               .where(ReportPhoto.report_id == row.id, ReportPhoto.kind == "after"))
        assert after == (1 if outcomes[0] == "ok" else 0)
