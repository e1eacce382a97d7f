"""Verified check-in and check-out with a rotating code, like TOTP (RFC 6238).

The coordinator's phone shows a 6-digit code (and a QR code of the check-in URL holding it) that changes
every :data:`WINDOW_SECONDS`; it is derived from the task's ``checkin_secret`` and the number of the
30-second window. The code of the current window and of the one before are accepted, never a later one
(pyotp's ``valid_window=1`` would also accept the *next* window's code, so this module asks for the two
windows itself): a shared screenshot stops working after at most two windows (30–60 s). Check-in and
check-out use the same mechanism with two secrets derived from the task's one, so a check-in code does
not check out.

Check-in is open from :data:`CHECKIN_OPENS_BEFORE_START` before the start until the end; check-out from
:data:`CHECKOUT_OPENS_BEFORE_END` before the end until :data:`CHECKOUT_CLOSES_AFTER_END` after it.

Checking in marks the rider attended through :func:`volunteer.attendance.mark_attendance` (so the points
are awarded once, by the one award path) with the method ``verified``; checking out records the verified
minutes and sends :data:`core.events.service_changed` (recognition re-reads the rider's level). A rider who
scanned the code while logged out carries a signed *proof* of the scan through the log-in (:func:`make_proof`,
:func:`read_proof`). Functions flush, never commit, and raise a :class:`core.errors.DomainError`.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from accounts.models import User
from core import events
from core.db import update_rows
from core.geo import distance_m
from core.text import normalise_digits
from core.timeutil import localtime, utcnow
from extensions import db
from notifications.services import notify
from volunteer import attendance
from volunteer.errors import (
    AlreadyCheckedIn,
    AlreadyCheckedOut,
    CheckInLinkExpired,
    CheckInNotOpen,
    MarkedNoShow,
    NoPlaceOnTask,
    NotCheckedIn,
    WrongCheckInCode,
)
from volunteer.models import HOLDS_PLACE, Signup, Task

WINDOW_SECONDS = 30  # a code lives one window, and is still accepted during the next one
DIGITS = 6
CHECKIN_OPENS_BEFORE_START = attendance.ATTENDANCE_OPENS_BEFORE  # 1 hour: as marking attendance by hand
CHECKOUT_OPENS_BEFORE_END = timedelta(minutes=15)
CHECKOUT_CLOSES_AFTER_END = timedelta(hours=1)
PROOF_SALT = "check-in"
PROOF_MAX_AGE = timedelta(minutes=10)  # a logged-out scan is honoured this long after it, through the log-in
DIRECTIONS = ("in", "out")


# ---------------------------------------------------------------------------------------------------------
# when
# ---------------------------------------------------------------------------------------------------------

def opens_at(task: Task, direction: str) -> datetime:
    """When check-in (``direction="in"``) or check-out (``"out"``) of the task opens (aware UTC)."""
    if direction == "in":
        return task.starts_at - CHECKIN_OPENS_BEFORE_START
    return task.ends_at - CHECKOUT_OPENS_BEFORE_END


def closes_at(task: Task, direction: str) -> datetime:
    """When check-in (at the task's end) or check-out (an hour after it) closes (aware UTC)."""
    return task.ends_at if direction == "in" else task.ends_at + CHECKOUT_CLOSES_AFTER_END


def is_open(task: Task, direction: str, now: datetime | None = None) -> bool:
    """True while the (not cancelled) task's check-in or check-out is open at ``now``."""
    now = now or utcnow()
    return not task.is_cancelled and opens_at(task, direction) <= now <= closes_at(task, direction)


def check_open(task: Task, direction: str, now: datetime) -> None:
    """Raise :class:`CheckInNotOpen` saying why (cancelled, opens at …, closed at …) unless open at ``now``."""
    if task.is_cancelled:
        raise CheckInNotOpen(_l("The task was cancelled."))
    if now < opens_at(task, direction):
        time = localtime(opens_at(task, direction), "short")
        raise CheckInNotOpen(_l("Check-in opens at %(time)s.", time=time) if direction == "in"
                             else _l("Check-out opens at %(time)s.", time=time))
    if now > closes_at(task, direction):
        time = localtime(closes_at(task, direction), "short")
        raise CheckInNotOpen(_l("Check-in closed at %(time)s.", time=time) if direction == "in"
                             else _l("Check-out closed at %(time)s.", time=time))


@dataclass(frozen=True)
class Windows:
    """What a task page shows about check-in and check-out at ``now`` (read by the templates)."""

    in_open: bool
    out_open: bool
    in_opens_at: datetime
    out_opens_at: datetime
    in_closes_at: datetime
    out_closes_at: datetime
    now: datetime


def windows(task: Task, now: datetime | None = None) -> Windows:
    """The check-in and check-out windows of ``task`` and whether each is open at ``now``."""
    now = now or utcnow()
    return Windows(in_open=is_open(task, "in", now), out_open=is_open(task, "out", now),
                   in_opens_at=opens_at(task, "in"), out_opens_at=opens_at(task, "out"),
                   in_closes_at=closes_at(task, "in"), out_closes_at=closes_at(task, "out"), now=now)


# ---------------------------------------------------------------------------------------------------------
# codes
# ---------------------------------------------------------------------------------------------------------

def _totp(task: Task, direction: str) -> pyotp.TOTP:
    """The generator of the task's codes for one direction: its own secret, derived from the task's with
    HMAC-SHA256, so the check-in and check-out codes of a window differ."""
    seed = base64.b32decode(task.checkin_secret)
    derived = hmac.new(seed, f"nuanxin-check-{direction}".encode(), hashlib.sha256).digest()[:20]
    return pyotp.TOTP(base64.b32encode(derived).decode(), digits=DIGITS, interval=WINDOW_SECONDS)


def code_for(task: Task, direction: str, now: datetime | None = None) -> str:
    """The 6-digit code of the 30-second window holding ``now`` (aware UTC)."""
    return _totp(task, direction).at(now or utcnow())


def code_is_valid(task: Task, direction: str, code: str | None, now: datetime | None = None) -> bool:
    """True when ``code`` (full-width digits, spaces and dashes allowed) is the code of the window holding
    ``now`` or of the window before it. A later window's code is refused."""
    now = now or utcnow()
    typed = normalise_digits(code)
    if len(typed) != DIGITS or not typed.isascii() or not typed.isdigit():
        return False
    totp = _totp(task, direction)
    return any(hmac.compare_digest(typed, totp.at(now, offset)) for offset in (0, -1))


def seconds_left(now: datetime | None = None) -> int:
    """Seconds until the current window ends and the code changes (1 to 30)."""
    moment = (now or utcnow()).timestamp()
    return WINDOW_SECONDS - int(moment % WINDOW_SECONDS)


def window_number(now: datetime | None = None) -> int:
    """The number of the 30-second window holding ``now`` (the TOTP counter)."""
    return int((now or utcnow()).timestamp() // WINDOW_SECONDS)


# ---------------------------------------------------------------------------------------------------------
# the proof of a logged-out scan
# ---------------------------------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=PROOF_SALT)


def make_proof(task: Task, direction: str, scanned_at: datetime, device: str = "") -> str:
    """A signed, URL-safe token saying that a valid code of ``task`` was scanned at ``scanned_at`` on the
    browser holding ``device`` (a random key the page keeps in a cookie), so a forwarded link proves nothing."""
    return _serializer().dumps({"task": task.id, "dir": direction, "at": int(scanned_at.timestamp()),
                                "dev": device})


def read_proof(token: str | None, task: Task, direction: str, now: datetime | None = None,
               device: str = "") -> datetime:
    """The scan time (aware UTC) of a proof made by :func:`make_proof` for this task and direction on the
    browser holding ``device``.

    Raises :class:`CheckInLinkExpired` when the token is broken, forged, for another task or direction or
    another browser (a link sent on to someone elsewhere), or older than :data:`PROOF_MAX_AGE` at ``now``.
    """
    now = now or utcnow()
    try:
        data = _serializer().loads(token or "")
        scanned_at = datetime.fromtimestamp(int(data["at"]), UTC)
        fits = (data["task"] == task.id and data["dir"] == direction
                and hmac.compare_digest(str(data.get("dev", "")).encode(), (device or "").encode()))
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise CheckInLinkExpired() from None
    if not fits or not scanned_at - timedelta(seconds=5) <= now <= scanned_at + PROOF_MAX_AGE:
        raise CheckInLinkExpired()
    return scanned_at


# ---------------------------------------------------------------------------------------------------------
# check-in and check-out
# ---------------------------------------------------------------------------------------------------------

def verified_minutes(task: Task, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Whole minutes (rounded down, at least 0) from max(check-in, start) to min(check-out, end)."""
    start, end = max(checked_in_at, task.starts_at), min(checked_out_at, task.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _signup_of(task: Task, rider: User) -> Signup:
    signup = db.session.scalar(sa.select(Signup).where(Signup.task_id == task.id, Signup.rider_id == rider.id))
    if signup is None or signup.status not in HOLDS_PLACE or signup.status == "offered":  # a hold: accept first
        raise NoPlaceOnTask()
    db.session.refresh(signup)
    return signup


def _distance(task: Task, latitude: float | None, longitude: float | None) -> int | None:
    if None in (latitude, longitude, task.latitude, task.longitude):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return round(distance_m(task.latitude, task.longitude, latitude, longitude))


def check_in(*, task: Task, rider: User, direction: str = "in", code: str | None = None,
             scanned_at: datetime | None = None, latitude: float | None = None, longitude: float | None = None,
             now: datetime | None = None) -> Signup:
    """Check the rider in (``direction="in"``) or out (``"out"``) of ``task``; return the sign-up.

    Either ``code`` (typed or scanned now, checked against ``now``) or ``scanned_at`` (the time of a scan
    proven by :func:`read_proof`) must be given; the check-in is recorded at that moment. Checking in marks
    the rider attended (points awarded once) with the method ``verified``, or makes a coordinator's
    ``attended`` verified; ``latitude``/``longitude`` (degrees, from the phone) store the distance to the
    task. Checking out records ``checked_out_at`` and ``verified_minutes``.

    Raises :class:`CheckInNotOpen` outside the window, :class:`WrongCheckInCode`, :class:`NoPlaceOnTask`,
    :class:`MarkedNoShow`, :class:`AlreadyCheckedIn`/:class:`AlreadyCheckedOut` (nothing changes),
    :class:`NotCheckedIn` for a check-out without a check-in.
    """
    if direction not in DIRECTIONS:
        raise ValueError(direction)
    now = now or utcnow()
    at = scanned_at or now
    check_open(task, direction, at)
    if scanned_at is None and not code_is_valid(task, direction, code, now):
        raise WrongCheckInCode()
    signup = _signup_of(task, rider)
    if direction == "in":
        _check_in(task, signup, rider, at, _distance(task, latitude, longitude))
    else:
        _check_out(task, signup, at)
    db.session.refresh(signup)
    return signup


def _check_in(task: Task, signup: Signup, rider: User, at: datetime, distance: int | None) -> None:
    if signup.checked_in_at is not None:
        raise AlreadyCheckedIn(localtime(signup.checked_in_at, "time"))
    if signup.status == "no_show":
        raise MarkedNoShow()
    recorded = update_rows(sa.update(Signup).where(
        Signup.id == signup.id, Signup.checked_in_at.is_(None), Signup.status.in_(("confirmed", "attended")))
        .values(checked_in_at=at, checkin_distance_m=distance, attendance_method="verified"))
    db.session.refresh(signup)
    if not recorded:  # checked in (or marked) by another request a moment ago
        if signup.checked_in_at is not None:
            raise AlreadyCheckedIn(localtime(signup.checked_in_at, "time"))
        raise MarkedNoShow() if signup.status == "no_show" else NoPlaceOnTask()
    if signup.status == "confirmed":  # the award tells the rider (attendance_recorded, with the points)
        attendance.mark_attendance(signup=signup, attended=True, actor=rider, method="verified", now=at)
    else:  # marked attended by hand already: the check-in only verifies it
        _notify_checked_in(task, rider, at)


def _check_out(task: Task, signup: Signup, at: datetime) -> None:
    if signup.checked_out_at is not None:
        raise AlreadyCheckedOut(localtime(signup.checked_out_at, "time"))
    if signup.checked_in_at is None:
        raise NotCheckedIn()
    minutes = verified_minutes(task, signup.checked_in_at, at)
    recorded = update_rows(sa.update(Signup).where(
        Signup.id == signup.id, Signup.checked_in_at.is_not(None), Signup.checked_out_at.is_(None))
        .values(checked_out_at=at, verified_minutes=minutes))
    if not recorded:
        db.session.refresh(signup)
        raise AlreadyCheckedOut(localtime(signup.checked_out_at, "time"))
    events.service_changed.send(rider_id=signup.rider_id, now=at)  # new verified minutes: re-read the level


def _notify_checked_in(task: Task, rider: User, at: datetime) -> None:
    """Tell the rider (inbox) that the check-in counted, in this transaction; once per rider and task."""
    notify(user_id=rider.id, kind="checked_in", params={"title": task.title}, link=f"/tasks/{task.id}",
           dedupe_key=f"checked_in:{task.id}:{rider.id}", now=at)
