"""Certificates of service: a rider's printable certificate, the public verification page, revocation.

- ``/certificates/``: the rider's certificates and "issue a new certificate" (only once some service is verified).
- ``/certificates/<id>``: the printable certificate (the rider's own; 404 for anyone else), with a QR code of
  the public verification address and the address written under it. ``static/css/certificate.css`` is loaded
  by these pages only (inside the page, so it also arrives with an htmx-boosted visit) and holds the print
  rules (A4 portrait, no header or navigation). "Print" needs ``static/js/print.js``; without JavaScript the
  button stays hidden and the browser's own print menu prints the same page.
- ``/certificates/verify/<token>``: public, no log-in: valid or revoked (with the date: the reason stays with
  the rider and the coordinators, it may name private matters), the masked name, hours, tasks, issue date.
  Never a phone number. Unknown tokens are a 404 and spend the address's budget of failed look-ups.
- ``/certificates/issued`` and ``/certificates/<id>/revoke``: coordinators (certificates listing their
  organisation's tasks) and admins (all); another organisation's certificate is a 404.
"""

import math
import re

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import TextAreaField
from wtforms.validators import Length

import recognition.models  # noqa: F401 - recognition's tables
from core.errors import DomainError
from core.forms import Form, required
from core.ratelimit import Budget
from core.timeutil import localtime, utcnow
from core.web import role_required
from extensions import db
from recognition import certify
from recognition.models import Certificate
from volunteer import queries as volunteer_queries

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
# Failed look-ups of the public page per address. Tokens are 256 random bits, so this only stops someone
# hammering the page; valid look-ups never count (an employer may check many certificates).
UNKNOWN_TOKENS_SETTING = "CERTIFICATE_UNKNOWN_TOKENS_PER_ADDRESS"
UNKNOWN_TOKENS = Budget("certificate-unknown-token", UNKNOWN_TOKENS_SETTING)
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,43}")  # secrets.token_urlsafe(32); anything else (a NUL…) is unknown


def long_date(moment, short: bool = False) -> str:
    """A day as a certificate writes it, in the local zone: ``2 November 2026`` (``short``: ``2 Nov 2026``, for
    the narrow column of a table) / ``2026年11月2日``."""
    if str(get_locale()) == "zh":
        return localtime(moment, "y年M月d日")
    return localtime(moment, "d MMM y" if short else "d MMMM y")


@bp.context_processor
def _helpers() -> dict:
    return {"duration_words": certify.duration_words, "long_date": long_date}


class RevokeForm(Form):
    """A coordinator or an admin revokes a certificate: the reason, required."""

    reason = TextAreaField(_l("Reason for revoking"), validators=[
        required(_l("Give the reason for revoking the certificate.")),
        Length(max=certify.REASON_MAX, message=_l("At most %(max)d characters."))])


def get_my_certificate_or_404(certificate_id: int) -> Certificate:
    """The current rider's own certificate; 404 for anyone else's or a missing one."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.rider_id != current_user.id:
        abort(404)
    return certificate


def get_managed_certificate_or_404(certificate_id: int) -> Certificate:
    """A certificate the coordinator or admin may manage (:func:`recognition.certify.may_manage`), else 404."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certify.may_manage(current_user, certificate):
        abort(404)
    return certificate


def verification_url(certificate: Certificate) -> str:
    """The absolute public address that checks ``certificate`` (what its QR code encodes)."""
    return url_for("certificates.verify", token=certificate.token, _external=True)


def qr_svg(url: str) -> str:
    """An inline SVG QR code of ``url`` (as the vouchers draw theirs; sized by the CSS)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True)


def _mine_page(error: str | None = None, status: int = 200):
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.rider_id == current_user.id)
        .options(sa.orm.selectinload(Certificate.revocation))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
    service = volunteer_queries.verified_service(current_user.id)
    return render_template("certificates/mine.html", certificates=certificates, service=service,
                           total_minutes=sum(line.minutes for line in service), error=error), status


@bp.get("/")
@role_required("rider")
def mine():
    """The rider's certificates, newest first, and the button to issue one (when some service is verified)."""
    return _mine_page()


@bp.post("/")
@role_required("rider")
def issue():
    """Issue a certificate of the rider's verified service (a double tap returns the same one), then open it."""
    try:
        certificate, created = certify.issue_certificate(rider=current_user, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        return _mine_page(error=error.message, status=error.status)
    db.session.commit()
    flash(_("Your certificate is ready. Print it or show its QR code.") if created
          else _("Your latest certificate already lists all your verified hours: here it is."), "success")
    return redirect(url_for("certificates.detail", certificate_id=certificate.id), code=303)


@bp.get("/<int:certificate_id>")
@login_required
def detail(certificate_id: int):
    """The printable certificate: the rider's own only (404 otherwise)."""
    certificate = get_my_certificate_or_404(certificate_id)
    url = verification_url(certificate)
    lines = certificate.lines
    return render_template("certificates/detail.html", certificate=certificate, lines=lines,
                           verify_url=url, qr=qr_svg(url),
                           first=lines[0].started_at if lines else None, last=lines[-1].started_at if lines else None)


@bp.get("/verify/<token>")
def verify(token: str):
    """The public check of a certificate by its token: valid or revoked, masked name, hours, tasks, issue date."""
    address = request.remote_addr or "unknown"
    blocked = UNKNOWN_TOKENS.blocked_until(address)
    if blocked is not None:
        seconds = max(1, math.ceil((blocked - utcnow()).total_seconds()))
        return render_template("certificates/too_many.html", seconds=seconds), 429, {
            "Retry-After": str(seconds), "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    certificate = (db.session.scalar(sa.select(Certificate).where(Certificate.token == token))
                   if TOKEN_SHAPE.fullmatch(token) else None)
    if certificate is None:
        UNKNOWN_TOKENS.spend(address)
        page = render_template("certificates/unknown.html")
        return page, 404, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    page = render_template("certificates/verify.html", certificate=certificate)
    # Revalidated on every visit (a revocation shows at once); private: the page's header depends on the visitor.
    return page, 200, {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex, nofollow"}


@bp.get("/issued")
@role_required("coordinator", "admin")
def issued():
    """Certificates listing the coordinator's organisation's tasks (an admin: all), newest first."""
    return render_template("certificates/issued.html",
                           certificates=certify.issued_certificates(current_user))


@bp.route("/<int:certificate_id>/revoke", methods=["GET", "POST"])
@role_required("coordinator", "admin")
def revoke(certificate_id: int):
    """Confirm, with a reason, the revocation of a certificate the user manages (404 otherwise)."""
    certificate = get_managed_certificate_or_404(certificate_id)
    form = RevokeForm()
    error = None
    if form.validate_on_submit():
        try:
            certify.revoke_certificate(certificate=certificate, actor=current_user, reason=form.reason.data,
                                       now=utcnow())
        except DomainError as refused:
            db.session.rollback()
            error, status = refused.message, refused.status
        else:
            db.session.commit()
            flash(_("Certificate No. %(number)s is revoked; its rider was told.", number=certificate.id), "success")
            return redirect(url_for("certificates.issued"), code=303)
    else:
        status = 422 if request.method == "POST" else 200
    certificate = db.session.get(Certificate, certificate_id)  # after a rollback: as it is now
    return render_template("certificates/revoke.html", certificate=certificate, form=form,
                           error=error), status
