"""Redeeming offers for vouchers, confirming vouchers at the counter, cancelling and expiring them.

Each state change is a conditional UPDATE from ``issued`` whose row count is checked, so a voucher
is redeemed, cancelled or expired at most once even when requests race; the spend and the refund
are ledger entries with unique keys.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from accounts.privacy import on_close
from core.db import insert_ignoring_conflicts, update_rows
from core.money import format_fen
from core.timeutil import utcnow
from extensions import db
from notifications.services import notify
from points import ledger
from points.errors import InsufficientPoints
from points.queries import balance_of
from rewards import hours, rules
from rewards.codes import new_code
from rewards.errors import (
    AlreadyRedeemed,
    OfferUnavailable,
    OutOfStock,
    RedeemedByYou,
    UnknownCode,
    VoucherCancelled,
    VoucherExpired,
    VoucherNotCancellable,
    WrongMerchant,
)
from rewards.models import Offer, Voucher
from rewards.queries import merchant_of

journal.describe({"voucher.issue": _l("Voucher issued"), "voucher.confirm": _l("Voucher redeemed"),
                  "voucher.expire": _l("Voucher expired and refunded"),
                  "voucher.cancel": _l("Voucher cancelled and refunded")},
                 offer=_l("Offer"), code=_l("Voucher code"), face_value=_l("Worth"), points=_l("Points"))


def redeem_offer(*, offer: Offer, rider: User, now: datetime | None = None) -> Voucher:
    """Spend ``offer.points_cost`` of the rider's points on a new voucher and return it.

    Raises :class:`OfferUnavailable` (offer or merchant inactive), the refusals of
    :mod:`rewards.rules` (paused merchant, per-rider limit per period, daily stock),
    :class:`OutOfStock` or :class:`InsufficientPoints` (with how many points are missing); the
    caller then rolls back.
    """
    now = now or utcnow()
    if not offer.active or not offer.merchant.active:
        raise OfferUnavailable()
    ledger.lock_account(rider.id)
    rules.check_rider_may_redeem(offer=offer, rider_id=rider.id, now=now)
    balance = balance_of(rider.id)
    if balance < offer.points_cost:
        raise InsufficientPoints(missing=offer.points_cost - balance)
    taken = update_rows(
        sa.update(Offer).where(Offer.id == offer.id, Offer.stock > 0, Offer.active.is_(True))
        .values(stock=Offer.stock - 1)
    )
    if not taken:
        raise OutOfStock()
    rules.take_daily_place(offer=offer, now=now)
    voucher_id = None
    while voucher_id is None:  # a collision of 50-bit codes is rare; try a new one
        voucher_id = insert_ignoring_conflicts(
            Voucher.__table__, code=new_code(), offer_id=offer.id, merchant_id=offer.merchant_id,
            rider_id=rider.id, status="issued", points_cost=offer.points_cost,
            face_value_fen=offer.face_value_fen, issued_at=now,
            expires_at=now + timedelta(days=offer.validity_days),
        )
    ledger.spend_on_voucher(rider_id=rider.id, voucher_id=voucher_id, points=offer.points_cost, reason=offer.title,
                            actor=rider, now=now)
    voucher = db.session.get(Voucher, voucher_id)
    journal.record("voucher.issue", actor=rider, subject=f"voucher:{voucher_id}", rider_id=rider.id,
                   merchant_id=offer.merchant_id, organisation_id=offer.merchant.organisation_id, now=now,
                   offer=offer.title, points=offer.points_cost, code=journal.mask_code(voucher.code))
    return voucher


def voucher_for_merchant(*, code: str, merchant_id: int) -> Voucher:
    """Return the voucher with ``code`` if it belongs to ``merchant_id``.

    Raises :class:`UnknownCode` or :class:`WrongMerchant` (without telling whose it is).
    """
    voucher = db.session.scalar(sa.select(Voucher).where(Voucher.code == code))
    if voucher is None:
        raise UnknownCode()
    if voucher.merchant_id != merchant_id:
        raise WrongMerchant()
    return voucher


RECENT = timedelta(minutes=15)


def refusal_for(voucher: Voucher, now: datetime, staff: User | None = None):
    """Return the domain error that explains why ``voucher`` cannot be confirmed now, or ``None``.

    Staff who confirmed it themselves in the last 15 minutes (a retried tap, a lost answer) get
    :class:`RedeemedByYou` rather than the double-redemption warning.
    """
    if voucher.status == "redeemed":
        if staff is not None and voucher.redeemed_by_id == staff.id and now - voucher.redeemed_at < RECENT:
            return RedeemedByYou(voucher)
        return AlreadyRedeemed(voucher)
    if voucher.status == "cancelled":
        return VoucherCancelled(voucher)
    if voucher.status == "expired" or now >= voucher.expires_at:
        return VoucherExpired(voucher)
    return hours.refusal_for(voucher.merchant, now)


def confirm_voucher(*, code: str, staff: User, now: datetime | None = None) -> Voucher:
    """Mark the voucher with ``code`` redeemed by ``staff`` (merchant staff) and return it.

    Only staff of the voucher's merchant, only once, only while issued and unexpired, only within the
    merchant's serving hours. Raises :class:`UnknownCode`, :class:`WrongMerchant`,
    :class:`AlreadyRedeemed` (with when and where), :class:`VoucherExpired`, :class:`VoucherCancelled`
    or :class:`OutsideServingHours` (with when serving starts next).
    """
    now = now or utcnow()
    merchant = merchant_of(staff)
    if merchant is None:
        raise WrongMerchant()
    if not hours.is_serving(merchant.serving_hours, now):  # the voucher's own refusal first, if any
        raise refusal_for(voucher_for_merchant(code=code, merchant_id=merchant.id), now, staff)
    for _attempt in range(3):  # an undo may turn it back to issued between our update and our read
        changed = update_rows(
            sa.update(Voucher)
            .where(Voucher.code == code, Voucher.merchant_id == merchant.id, Voucher.status == "issued",
                   Voucher.expires_at > now)
            .values(status="redeemed", redeemed_at=now, redeemed_by_id=staff.id, closed_at=now)
        )
        voucher = voucher_for_merchant(code=code, merchant_id=merchant.id)
        if changed:
            break
        db.session.refresh(voucher)
        refusal = refusal_for(voucher, now, staff)
        if refusal is not None:
            raise refusal
    if changed:
        db.session.refresh(voucher)
        journal.record("voucher.confirm", actor=staff, subject=f"voucher:{voucher.id}", rider_id=voucher.rider_id,
                     merchant_id=merchant.id, organisation_id=merchant.organisation_id, now=now,
                     offer=voucher.offer.title,
                     face_value=format_fen(voucher.face_value_fen), code=journal.mask_code(code))
        notify(user_id=voucher.rider_id, kind="voucher_redeemed", link=voucher_link(voucher), now=now,
               params={"offer": voucher.offer.title, "merchant": merchant.name})
        return voucher
    raise refusal_for(voucher, now, staff) or UnknownCode()


def _close_and_refund(voucher: Voucher, *, status: str, actor: User | None, now: datetime, note: str = "") -> bool:
    closed = update_rows(
        sa.update(Voucher).where(Voucher.id == voucher.id, Voucher.status == "issued")
        .values(status=status, closed_at=now)
    )
    if not closed:
        return False
    update_rows(sa.update(Offer).where(Offer.id == voucher.offer_id).values(stock=Offer.stock + 1))
    rules.release_daily_place(voucher)
    ledger.refund_voucher(rider_id=voucher.rider_id, voucher_id=voucher.id, points=voucher.points_cost,
                          expired=status == "expired", reason=f"{voucher.offer.title}{note}"[:200], actor=actor,
                          now=now)
    journal.record("voucher.expire" if status == "expired" else "voucher.cancel", actor=actor,
                   subject=f"voucher:{voucher.id}", rider_id=voucher.rider_id, merchant_id=voucher.merchant_id,
                   organisation_id=voucher.merchant.organisation_id, now=now, offer=voucher.offer.title,
                   points=voucher.points_cost, code=journal.mask_code(voucher.code))
    db.session.refresh(voucher)
    return True


def cancel_voucher(*, voucher: Voucher, rider: User, now: datetime | None = None) -> Voucher:
    """Cancel the rider's unused voucher: points back, stock back. Raises :class:`VoucherNotCancellable`."""
    if not _close_and_refund(voucher, status="cancelled", actor=rider, now=now or utcnow()):
        raise VoucherNotCancellable()
    return voucher


def close_and_refund(voucher: Voucher, *, actor: User, note: str, now: datetime) -> bool:
    """Cancel an issued voucher for ``actor`` (admin or coordinator; :mod:`rewards.corrections`): points and
    stock back, ``note`` added to the refund's reason, the rider told. False when it was no longer issued
    (nothing done)."""
    if not _close_and_refund(voucher, status="cancelled", actor=actor, now=now, note=note):
        return False
    notify(user_id=voucher.rider_id, kind="voucher_refunded", link=voucher_link(voucher), now=now,
           params={"offer": voucher.offer.title, "points": voucher.points_cost})
    return True


def expire_voucher(voucher: Voucher, *, now: datetime | None = None) -> bool:
    """Expire one issued voucher past its expiry, refund it and tell the rider; return False when there was
    nothing to do."""
    now = now or utcnow()
    if now < voucher.expires_at or not _close_and_refund(voucher, status="expired", actor=None, now=now):
        return False
    notify(user_id=voucher.rider_id, kind="voucher_expired", link=voucher_link(voucher), now=now,
           params={"offer": voucher.offer.title, "points": voucher.points_cost})
    return True


def voucher_link(voucher: Voucher) -> str:
    """The rider's page of the voucher, where every notification about it leads."""
    return f"/vouchers/{voucher.id}"


@on_close
def cancel_open_vouchers(*, user: User, actor: User | None = None, now: datetime | None = None) -> int:
    """Cancel and refund every issued voucher of ``user`` (called when the account is deleted), exactly as
    :func:`cancel_voucher` does: one refund entry each, stock back. Returns how many were cancelled."""
    now = now or utcnow()
    open_vouchers = db.session.scalars(sa.select(Voucher).where(Voucher.rider_id == user.id,
                                                                Voucher.status == "issued")
                                       .order_by(Voucher.id)).all()
    return sum(_close_and_refund(voucher, status="cancelled", actor=actor, now=now) for voucher in open_vouchers)
