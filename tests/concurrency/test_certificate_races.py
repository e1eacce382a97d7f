"""Certificates of service under real concurrency, at the service level: threads, each with its own app
context (session and connection), released together by a barrier. Two taps on "issue" at once give one
certificate (the rider's row is locked while deciding); a coordinator and an admin revoking at once: one
revocation, one notification, and the other is told it was already revoked (the unique key decides)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.errors import DomainError
from extensions import db
from notifications.models import Notification
from recognition import certify
from recognition.models import Certificate, CertificateRevocation
from tests.certificate_factories import certificate_cast, make_verified_service

pytestmark = pytest.mark.concurrency
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def race(app, calls) -> list[str]:
    """Run each ``call(session)`` in its own thread and app context, all released at once; each commits on
    success and rolls back on a refusal. Returns ``"ok"`` or the refusal's class name, in order."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):
            prepared = call(db.session)
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


def count(ctx, model, *where) -> int:
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def issue(rider_id):
    def prepare(session):
        rider = session.get(User, rider_id)
        return lambda: certify.issue_certificate(rider=rider, now=NOW)
    return prepare


def revoke(certificate_id, actor_id, reason):
    def prepare(session):
        certificate, actor = session.get(Certificate, certificate_id), session.get(User, actor_id)
        return lambda: certify.revoke_certificate(certificate=certificate, actor=actor, reason=reason,
                                                  now=NOW + timedelta(days=1))
    return prepare


def test_two_taps_on_issue_at_once_give_one_certificate(app, ctx, world):
    with ctx() as session:
        make_verified_service(world.rider, world.org, world.coordinator, starts_at=NOW - timedelta(days=3),
                              minutes=90)
        session.commit()
    for _round in range(3):
        assert race(app, [issue(world.rider), issue(world.rider)]) == ["ok", "ok"]
    assert count(ctx, Certificate) == 1


def test_a_coordinator_and_an_admin_revoking_at_once_make_one_revocation(app, ctx, world):
    with ctx() as session:
        certificate = certificate_cast(world, NOW).certificate
        session.commit()
    results = race(app, [revoke(certificate, world.coordinator, "时长有误"), revoke(certificate, world.admin, "重复")])
    assert sorted(results) == ["AlreadyRevoked", "ok"]
    assert count(ctx, CertificateRevocation) == 1
    assert count(ctx, Notification, Notification.kind == "certificate_revoked") == 1
