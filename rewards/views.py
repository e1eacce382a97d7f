"""Riders' reward pages: offers, redeeming, vouchers."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from htmx_flask import make_response

from core.errors import DomainError
from core.timeutil import iso_datetime, utcnow
from core.web import role_required, wants_fragment
from extensions import db
from points.queries import balance_of
from points.views import BALANCE_CHANGED
from rewards import hours, queries, rules, vouchers
from rewards.listing import offer_board
from rewards.models import Offer, Voucher
from rewards.places import NearMe, by_distance
from rewards.redeem_once import new_request_key, parse_request_key, redeem_once

bp = Blueprint("rewards", __name__)


def get_my_voucher_or_404(voucher_id: int) -> Voucher:
    """The current rider's voucher; another rider's is a 404 (reveal nothing)."""
    voucher = db.get_or_404(Voucher, voucher_id)
    if voucher.rider_id != current_user.id:
        abort(404)
    return voucher


@bp.get("/offers")
@role_required("rider")
def offer_list():
    """Active offers of active partner restaurants, grouped by restaurant: by name, or nearest first with
    ``?near=1&lat=…&lng=…`` (rewards.places.NearMe; without a position the order stays and the page says why)."""
    near = NearMe.from_args(request.args)
    merchants, distances = by_distance(offer_board(), near.position)
    balance = balance_of(current_user.id)
    return render_template("rewards/offer_list.html", merchants=merchants, distances=distances, near=near,
                           balance=balance, page_balance=balance)


def _confirm_page(offer: Offer, *, error=None, status: int = 200, request_key: str | None = None):
    balance = balance_of(current_user.id)
    standing = rules.standing(offer=offer, rider_id=current_user.id, now=utcnow())
    return render_template("rewards/offer_confirm.html", offer=offer, balance=balance, standing=standing,
                           after=balance - offer.points_cost, held=standing.held, error=error,
                           request_key=request_key or new_request_key()), status


@bp.get("/offers/<int:offer_id>")
@role_required("rider")
def offer_detail(offer_id: int):
    """The confirm screen: what the voucher is for, points before and after."""
    return _confirm_page(db.get_or_404(Offer, offer_id))


@bp.post("/offers/<int:offer_id>/redeem")
@role_required("rider")
def redeem(offer_id: int):
    """Spend points on a voucher, then open it. Refusals re-show the confirm screen with the reason."""
    offer = db.get_or_404(Offer, offer_id)
    key = parse_request_key(request.form.get("request_key"))
    try:
        if key is None:  # a form without the one-time key (an old page): redeem as before
            voucher, created = vouchers.redeem_offer(offer=offer, rider=current_user), True
        else:
            voucher, created = redeem_once(offer=offer, rider=current_user, request_key=key)
    except DomainError as error:
        db.session.rollback()
        return _confirm_page(db.get_or_404(Offer, offer_id), error=error.message, status=error.status,
                             request_key=key)
    db.session.commit()
    flash(_("Here is your voucher. Show it at the counter.") if created
          else _("You already got this voucher; no points were taken twice."), "success")
    target = url_for("rewards.voucher_detail", voucher_id=voucher.id)
    if wants_fragment():
        return make_response("", 200, redirect=target, trigger=BALANCE_CHANGED)
    return redirect(target, code=303)


@bp.get("/vouchers")
@role_required("rider")
def voucher_list():
    mine = queries.vouchers_of_rider(current_user.id)
    return render_template("rewards/voucher_list.html", vouchers=mine, now=utcnow())


def qr_svg(voucher: Voucher) -> str:
    """An inline SVG QR code of the URL of the merchant's confirm page for this voucher."""
    import segno

    url = url_for("rewards_merchant.voucher", code=voucher.code, _external=True)
    return segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True)


@bp.get("/vouchers/<int:voucher_id>")
@role_required("rider")
def voucher_detail(voucher_id: int):
    """The voucher at the counter: QR code, digits, offer, merchant and expiry; polls its status."""
    voucher = get_my_voucher_or_404(voucher_id)
    return render_template("rewards/voucher_detail.html", voucher=voucher, qr=qr_svg(voucher), now=utcnow(),
                           opens_at=hours.next_open(voucher.merchant.serving_hours))


def voucher_state(voucher: Voucher, now: datetime) -> str:
    """``issued`` while usable at ``now`` (aware UTC), else ``redeemed``, ``cancelled`` or ``expired`` (an issued
    voucher past its expiry counts as expired before the expiry command marks it)."""
    if voucher.status == "issued":
        return "issued" if voucher.is_usable(now) else "expired"
    return voucher.status


@bp.get("/vouchers/<int:voucher_id>/card")
@role_required("rider")
def voucher_card(voucher_id: int):
    """The offline card of a voucher: a small whole page (no htmx, no CSRF token, no navigation) that the
    service worker (``/sw.js``) keeps for the rider's last five opened vouchers and shows when the network is
    gone. Only a usable voucher's card holds its QR code and digits; any other shows its state.

    The worker reads ``X-Voucher-State`` (issued, redeemed, cancelled, expired) and ``X-Voucher-Expires``
    (UTC, ISO 8601) and keeps only issued cards. Another rider's voucher is a 404.
    """
    voucher = get_my_voucher_or_404(voucher_id)
    now = utcnow()
    state = voucher_state(voucher, now)
    html = render_template("rewards/voucher_card.html", voucher=voucher, state=state, checked_at=now,
                           qr=qr_svg(voucher) if state == "issued" else None)
    response = make_response(html)
    response.headers["Cache-Control"] = "private, no-store"  # the worker's Cache Storage holds the only copy
    response.headers["X-Voucher-State"] = state
    response.headers["X-Voucher-Expires"] = iso_datetime(voucher.expires_at)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/vouchers/<int:voucher_id>/status")
@role_required("rider")
def voucher_status(voucher_id: int):
    """The poll of the voucher card: 204 while nothing changed; once final, 286 (stop polling) with the card.

    Without htmx (``?`` plain GET) it redirects to the voucher page.
    """
    voucher = get_my_voucher_or_404(voucher_id)
    if not request.htmx:
        return redirect(url_for("rewards.voucher_detail", voucher_id=voucher.id))
    if voucher.is_usable():
        return "", 204
    html = render_template("rewards/_voucher_status.html", voucher=voucher, now=utcnow(), clear_flash=True)
    return make_response(html, 286, trigger=BALANCE_CHANGED)


@bp.post("/vouchers/<int:voucher_id>/cancel")
@role_required("rider")
def cancel(voucher_id: int):
    """Give back an unused voucher: points and stock return."""
    voucher = get_my_voucher_or_404(voucher_id)
    try:
        vouchers.cancel_voucher(voucher=voucher, rider=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(ngettext("Voucher cancelled; %(num)d point is back in your wallet.",
                       "Voucher cancelled; %(num)d points are back in your wallet.", voucher.points_cost),
              "success")
    return redirect(url_for("rewards.voucher_detail", voucher_id=voucher_id), code=303)
