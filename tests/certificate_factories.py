"""Factories for certificates of service: verified service (attended with check-in and check-out) and a
certificate of it. They flush, never commit; call them inside an app context."""

from datetime import datetime, timedelta
from types import SimpleNamespace

from accounts.models import User
from extensions import db
from tests.factories import make_task
from volunteer.models import Signup


def make_verified_service(rider_id: int, organisation_id: int, created_by_id: int, *, starts_at: datetime,
                          minutes: int, title: str = "路口交通安全劝导") -> Signup:
    """A past task of the organisation the rider attended with a verified check-in and check-out of
    ``minutes`` (``starts_at`` aware UTC)."""
    task = make_task(organisation_id, created_by_id, title=title, starts_at=starts_at,
                     ends_at=starts_at + timedelta(minutes=max(minutes, 60)))
    signup = Signup(task_id=task.id, rider_id=rider_id, status="attended", queued_at=starts_at - timedelta(days=1),
                    marked_at=starts_at + timedelta(minutes=minutes), attendance_method="verified",
                    checked_in_at=starts_at, checked_out_at=starts_at + timedelta(minutes=minutes),
                    verified_minutes=minutes)
    db.session.add(signup)
    db.session.flush()
    return signup


def certificate_cast(world, now: datetime) -> SimpleNamespace:
    """Two tasks of verified service for the world's rider (``world.org``: 2 h 30 min on 2 Nov, 1 h on 9 Nov,
    local dates) and a certificate of them issued at ``now``; returns ``certificate`` and ``token``."""
    from recognition import certify

    first = datetime(2026, 11, 2, 1, 0, tzinfo=now.tzinfo)  # 09:00 in Shanghai
    make_verified_service(world.rider, world.org, world.coordinator, starts_at=first, minutes=150,
                          title="暖新窝门口文明停车引导")
    make_verified_service(world.rider, world.org, world.coordinator, starts_at=first + timedelta(days=7),
                          minutes=60, title="社区消防通道巡查")
    certificate, _created = certify.issue_certificate(rider=db.session.get(User, world.rider), now=now)
    return SimpleNamespace(certificate=certificate.id, token=certificate.token)
