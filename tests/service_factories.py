"""Verified service for tests of ratings and levels: a past task, the rider checked in and out through
:mod:`volunteer.checkin` (so attendance, points and the ``service_changed`` signal are the app's own)."""

from datetime import datetime, timedelta

from tests.factories import make_task
from volunteer import checkin, services


def serve(rider, coordinator, *, starts_at: datetime, minutes: int, title="路口交通安全劝导", **task):
    """A task of ``coordinator``'s organisation from ``starts_at`` lasting ``minutes``; ``rider`` signs up a day
    before, checks in at the start and out at the end. Returns the sign-up (attended, verified ``minutes``)."""
    task = make_task(coordinator.organisation_id, coordinator.id, title=title, starts_at=starts_at,
                     ends_at=starts_at + timedelta(minutes=minutes), **task)
    services.sign_up(task=task, rider=rider, now=starts_at - timedelta(days=1))
    checkin.check_in(task=task, rider=rider, direction="in", scanned_at=starts_at, now=starts_at)
    end = starts_at + timedelta(minutes=minutes)
    return checkin.check_in(task=task, rider=rider, direction="out", scanned_at=end, now=end)
