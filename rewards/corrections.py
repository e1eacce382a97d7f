"""Corrections of vouchers, each a new linked :class:`VoucherCorrection` row, journalled, at most once.

* :func:`undo_confirmation`: merchant staff take back their own confirmation within
  ``VOUCHER_UNDO_MINUTES`` (a mis-tap at a busy counter); the voucher is ready to use again.
* :func:`cancel_by_programme`: an admin, or a coordinator of the merchant's organisation, cancels an
  issued voucher with a reason; points (one refund entry, unique key) and stock go back.

Both start with a conditional UPDATE whose row count is checked, so an undo, a cancellation and a
confirmation racing on one voucher never both win; the correction's unique ``key`` backs it up.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import insert_ignoring_conflicts, update_rows
from core.timeutil import utcnow
from extensions import db
from rewards import vouchers
from rewards.correction_errors import NotCancellable, ReasonMissing, ReasonTooLong, undo_refusal
from rewards.correction_models import VoucherCorrection
from rewards.errors import WrongMerchant
from rewards.models import Voucher
from rewards.queries import merchant_of

REASON_MAX = 150

journal.describe({"voucher.undo": _l("Voucher confirmation undone"),
                  "voucher.cancel_by_programme": _l("Voucher cancelled by the programme")},
                 reason=_l("Reason"))


def undo_window() -> timedelta:
    """How long after confirming staff may undo (``VOUCHER_UNDO_MINUTES``, default 10 minutes)."""
    return timedelta(minutes=current_app.config.get("VOUCHER_UNDO_MINUTES", 10))


def undo_deadline(voucher: Voucher) -> datetime | None:
    """Until when (aware UTC) the confirmation of ``voucher`` can be undone; ``None`` when it is not redeemed."""
    if voucher.status != "redeemed" or voucher.redeemed_at is None:
        return None
    return voucher.redeemed_at + undo_window()


def can_undo(voucher: Voucher, staff: User, now: datetime | None = None) -> bool:
    """True while ``staff`` may undo their confirmation of ``voucher`` (theirs, redeemed, inside the window)."""
    deadline = undo_deadline(voucher)
    return deadline is not None and voucher.redeemed_by_id == staff.id and (now or utcnow()) < deadline


def _undo_key(voucher_id: int, redeemed_at: datetime) -> str:
    """One undo per confirmation: the voucher and the moment it was confirmed (µs since the epoch)."""
    return f"undo:voucher:{voucher_id}:{round(redeemed_at.timestamp() * 1_000_000)}"


def undo_confirmation(*, voucher: Voucher, staff: User, now: datetime | None = None) -> VoucherCorrection:
    """Take back ``staff``'s confirmation of ``voucher``: it is ``issued`` again (usable until its expiry).

    Only the staff account that confirmed it, of the voucher's merchant, before the undo deadline; the
    correction row keeps who confirmed it and when. Raises :class:`WrongMerchant` or
    :class:`UndoNotPossible` (not redeemed, someone else's confirmation, or too late: says until when).
    """
    now = now or utcnow()
    merchant = merchant_of(staff)
    if merchant is None or merchant.id != voucher.merchant_id:
        raise WrongMerchant()
    db.session.refresh(voucher)
    confirmed_at = voucher.redeemed_at
    deadline = undo_deadline(voucher)
    changed = 0
    if confirmed_at is not None and voucher.redeemed_by_id == staff.id and now < deadline:
        changed = update_rows(
            sa.update(Voucher)
            .where(Voucher.id == voucher.id, Voucher.status == "redeemed", Voucher.redeemed_by_id == staff.id,
                   Voucher.redeemed_at == confirmed_at)
            .values(status="issued", redeemed_at=None, redeemed_by_id=None, closed_at=None)
        )
    if not changed:
        db.session.refresh(voucher)
        raise undo_refusal(voucher, staff, undo_deadline(voucher) or deadline or now)
    correction_id = insert_ignoring_conflicts(
        VoucherCorrection.__table__, voucher_id=voucher.id, kind="undo", reason="", actor_id=staff.id,
        created_at=now, undone_redeemed_at=confirmed_at, undone_redeemed_by_id=staff.id,
        key=_undo_key(voucher.id, confirmed_at))
    if correction_id is None:  # the conditional UPDATE let only one request through; this is a backstop
        raise undo_refusal(voucher, staff, deadline)
    journal.record("voucher.undo", actor=staff, subject=f"voucher:{voucher.id}", rider_id=voucher.rider_id,
                   merchant_id=merchant.id, organisation_id=merchant.organisation_id, now=now,
                   offer=voucher.offer.title, code=journal.mask_code(voucher.code))
    db.session.refresh(voucher)
    return db.session.get(VoucherCorrection, correction_id)


def may_cancel(actor: User, voucher: Voucher) -> bool:
    """True when ``actor`` may cancel ``voucher``: an admin, or a coordinator of its merchant's organisation."""
    if actor.is_admin:
        return True
    return actor.is_coordinator and voucher.merchant.organisation_id is not None \
        and voucher.merchant.organisation_id == actor.organisation_id


def clean_reason(reason: str | None) -> str:
    """The reason with surrounding spaces removed; raises :class:`ReasonMissing` or :class:`ReasonTooLong`."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ReasonMissing()
    if len(reason) > REASON_MAX:
        raise ReasonTooLong()
    return reason


def cancel_by_programme(*, voucher: Voucher, actor: User, reason: str,
                        now: datetime | None = None) -> VoucherCorrection:
    """Cancel the issued ``voucher`` with ``reason`` (shown to the rider): its points are refunded once (the
    refund's reason names the cancellation reason) and the offer's stock returns.

    ``actor`` is an admin or a coordinator of the merchant's organisation (else :class:`WrongMerchant`).
    Raises :class:`ReasonMissing`, :class:`ReasonTooLong` or :class:`NotCancellable` (redeemed, already
    cancelled or expired).
    """
    now = now or utcnow()
    if not may_cancel(actor, voucher):
        raise WrongMerchant()
    reason = clean_reason(reason)
    if not vouchers.close_and_refund(voucher, actor=actor, note=f" · {reason}", now=now):
        db.session.refresh(voucher)
        raise NotCancellable(voucher)
    correction_id = insert_ignoring_conflicts(
        VoucherCorrection.__table__, voucher_id=voucher.id, kind="cancel", reason=reason, actor_id=actor.id,
        created_at=now, key=f"cancel:voucher:{voucher.id}")
    if correction_id is None:  # a voucher leaves "issued" once, so this cannot happen; refuse rather than lie
        raise NotCancellable(voucher)
    journal.record("voucher.cancel_by_programme", actor=actor, subject=f"voucher:{voucher.id}",
                   rider_id=voucher.rider_id, merchant_id=voucher.merchant_id,
                   organisation_id=voucher.merchant.organisation_id, now=now, offer=voucher.offer.title,
                   code=journal.mask_code(voucher.code), reason=reason)
    return db.session.get(VoucherCorrection, correction_id)


def cancellation_of(voucher: Voucher) -> VoucherCorrection | None:
    """The programme's cancellation of ``voucher`` (with its reason), or ``None``."""
    return next((c for c in voucher.corrections if c.kind == "cancel"), None)
