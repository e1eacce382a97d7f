"""Certificates of service: a snapshot of a rider's verified volunteer hours, checked by anyone through its
token, revoked at most once by a coordinator of an organisation on it or by an admin.

Reads the rider's service through ``volunteer.queries`` (never the volunteer tables). Services flush, never
commit. Minutes are whole minutes; times are aware UTC.

A double tap on "issue a certificate" must not make two: issuing returns the rider's latest certificate
instead of a new one when it is still valid and lists exactly the service verified now (the same sign-ups
with the same minutes). Nothing changed, nothing new to certify; once something changes (a new task
verified) a new certificate is worth having. The rider's row is locked while deciding (a no-op UPDATE, on both
databases), so two taps at the same instant take turns and the second finds the first's certificate.
"""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from accounts import journal
from accounts.models import User  # a type in signatures: reads go through accounts.queries
from accounts.queries import rider_ids_in
from accounts.services import hold_account
from core.db import insert_ignoring_conflicts
from core.errors import DomainError
from extensions import db
from notifications.services import notify
from recognition.models import Certificate, CertificateLine, CertificateRevocation
from volunteer import queries as volunteer_queries

REASON_MAX = 200
journal.describe({"certificate.issue": _l("Certificate issued"), "certificate.revoke": _l("Certificate revoked")},
                 total_minutes=_l("Verified minutes"), task_count=_l("Tasks"), reason=_l("Reason"))


class NothingToCertify(DomainError):
    """The rider has no verified service yet."""

    def __init__(self):
        super().__init__(_("You have no verified volunteer hours yet. Check in and check out with the task's code "
                           "at a task; its verified hours then appear on a certificate."))


class AlreadyRevoked(DomainError):
    """The certificate was revoked already (perhaps a moment ago, by someone else)."""

    def __init__(self):
        super().__init__(_("This certificate was already revoked."))


class ReasonRequired(DomainError):
    """A revocation needs a reason."""

    status = 422

    def __init__(self):
        super().__init__(_("Give the reason for revoking the certificate."))


class CertificateNotFound(DomainError):
    """The actor may not see this certificate: answered as if it did not exist."""

    status = 404

    def __init__(self):
        super().__init__(_("No such certificate."))


def duration_words(minutes: int) -> str:
    """``minutes`` as hours and minutes in words of the current language: ``12 hours and 30 minutes`` /
    ``12小时30分钟``, ``1 hour``, ``45 minutes``, ``0 minutes``."""
    hours, rest = divmod(max(0, int(minutes)), 60)
    hours_text = ngettext("%(num)d hour", "%(num)d hours", hours)
    minutes_text = ngettext("%(num)d minute", "%(num)d minutes", rest)
    if hours and rest:
        return _("%(hours)s and %(minutes)s", hours=hours_text, minutes=minutes_text)
    return hours_text if hours else minutes_text


def _same_service(certificate: Certificate, lines) -> bool:
    """True when ``certificate`` lists exactly ``lines`` (same sign-ups, same minutes)."""
    return sorted((line.signup_id, line.minutes) for line in certificate.lines) == sorted(
        (line.signup_id, line.minutes) for line in lines)


def _lock_rider(rider_id: int) -> None:
    """Hold the rider's row until the transaction ends, so two issues for one rider take turns: a no-op
    UPDATE locks the row on PostgreSQL and takes the write lock on SQLite (whose plain SELECTs lock nothing)."""
    hold_account(rider_id)


def latest_certificate(rider_id: int) -> Certificate | None:
    """The rider's most recent certificate (revoked or not), or ``None``."""
    return db.session.scalar(sa.select(Certificate).where(Certificate.rider_id == rider_id)
                             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(1))


def issue_certificate(*, rider: User, now: datetime) -> tuple[Certificate, bool]:
    """Snapshot ``rider``'s verified service (every task, lifetime) into a new certificate issued at ``now``.

    Returns ``(certificate, created)``: ``created`` is False when the latest certificate is still valid and
    already lists exactly this service (a double tap; see the module's note), which is returned instead.
    Raises :class:`NothingToCertify` when the rider has no verified service. Journalled ``certificate.issue``.
    """
    _lock_rider(rider.id)
    lines = volunteer_queries.verified_service(rider.id)
    if not lines:
        raise NothingToCertify()
    latest = latest_certificate(rider.id)
    if latest is not None and not latest.is_revoked and _same_service(latest, lines):
        return latest, False
    certificate = Certificate(rider_id=rider.id, token=secrets.token_urlsafe(32), issued_at=now,
                              total_minutes=sum(line.minutes for line in lines), task_count=len(lines))
    db.session.add(certificate)
    db.session.flush()
    db.session.add_all(CertificateLine(certificate_id=certificate.id, signup_id=line.signup_id,
                                       task_title=line.task_title[:100], organisation_name=line.organisation_name[:100],
                                       started_at=line.started_at, minutes=line.minutes) for line in lines)
    db.session.flush()
    journal.record("certificate.issue", actor=rider, subject=f"certificate:{certificate.id}", rider_id=rider.id,
                   organisation_id=None, now=now, total_minutes=certificate.total_minutes,
                   task_count=certificate.task_count)
    return certificate, True


def organisations_on(certificate: Certificate) -> set[int]:
    """The ids of the organisations whose tasks the certificate lists (through its sign-ups, so a renamed
    organisation or a later correction of the attendance does not hide it)."""
    signup_ids = {line.signup_id for line in certificate.lines}
    return {signup.task.organisation_id for signup in volunteer_queries.signups_of_rider(certificate.rider_id)
            if signup.id in signup_ids}


def may_manage(actor: User, certificate: Certificate) -> bool:
    """True when ``actor`` may see ``certificate`` among the issued ones and revoke it: an admin, or a
    coordinator of an organisation whose task it lists."""
    if actor.is_admin:
        return True
    return actor.is_coordinator and actor.organisation_id in organisations_on(certificate)


def issued_certificates(actor: User, *, limit: int = 100) -> list[Certificate]:
    """The certificates ``actor`` manages (:func:`may_manage`), newest first, at most ``limit``: every one for
    an admin; for a coordinator those listing a task of their organisation (candidates are the certificates
    of riders in the organisation's scope, checked sign-up by sign-up). Others: none."""
    query = (sa.select(Certificate).options(sa.orm.selectinload(Certificate.lines),
                                            sa.orm.selectinload(Certificate.revocation),
                                            sa.orm.joinedload(Certificate.rider))
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if actor.is_admin:
        return list(db.session.scalars(query.limit(limit)))
    if not actor.is_coordinator:
        return []
    candidates = db.session.scalars(query.where(Certificate.rider_id.in_(rider_ids_in(actor.organisation_id)))).all()
    tasks_of_rider: dict[int, dict[int, int]] = {}
    found = []
    for certificate in candidates:
        if certificate.rider_id not in tasks_of_rider:
            tasks_of_rider[certificate.rider_id] = {
                s.id: s.task.organisation_id for s in volunteer_queries.signups_of_rider(certificate.rider_id)}
        organisations = tasks_of_rider[certificate.rider_id]
        if any(organisations.get(line.signup_id) == actor.organisation_id for line in certificate.lines):
            found.append(certificate)
            if len(found) >= limit:
                break
    return found


def revoke_certificate(*, certificate: Certificate, actor: User, reason: str, now: datetime) -> CertificateRevocation:
    """Revoke ``certificate`` (once) with ``reason`` at ``now``; notify its rider; journalled
    ``certificate.revoke``.

    Raises :class:`CertificateNotFound` (404) when ``actor`` may not manage it, :class:`ReasonRequired` (422)
    for an empty reason, :class:`AlreadyRevoked` (409) when it is revoked already — also for the loser of two
    revocations at once (the unique key on the certificate decides).
    """
    if not may_manage(actor, certificate):
        raise CertificateNotFound()
    reason = (reason or "").strip()[:REASON_MAX]
    if not reason:
        raise ReasonRequired()
    new_id = insert_ignoring_conflicts(CertificateRevocation.__table__, certificate_id=certificate.id, reason=reason,
                                       actor_id=actor.id, created_at=now)
    if new_id is None:
        raise AlreadyRevoked()
    revocation = db.session.get(CertificateRevocation, new_id)
    db.session.refresh(certificate, ["revocation"])
    journal.record("certificate.revoke", actor=actor, subject=f"certificate:{certificate.id}",
                   rider_id=certificate.rider_id, now=now, reason=reason, total_minutes=certificate.total_minutes,
                   task_count=certificate.task_count)
    notify(user_id=certificate.rider_id, kind="certificate_revoked", params={"certificate": certificate.id,
                                                                               "reason": reason},
           link=f"/certificates/{certificate.id}", now=now)
    return revocation
