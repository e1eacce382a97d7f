"""Idempotent redeeming: the confirm screen carries a one-time key, so a retried or doubled submission
(a flaky network, two tabs, a double tap) gives one voucher and one spend.

The key is stored on the voucher (``voucher.request_key``, unique per rider). The rider's account lock
(:func:`points.ledger.lock_account`) is taken before looking for the key, so two submissions with the
same key run one after the other: the second finds the first one's voucher. The unique index backs it up.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa

from accounts.models import User
from core.db import update_rows
from extensions import db
from points import ledger
from rewards import vouchers
from rewards.correction_errors import KeyOfAnotherOffer
from rewards.models import Offer, Voucher


def new_request_key() -> str:
    """A fresh one-time key for a confirm screen (a UUID4, 36 characters)."""
    return str(uuid.uuid4())


def parse_request_key(raw: str | None) -> str | None:
    """The canonical form of a submitted key, or ``None`` when it is missing or not a UUID."""
    try:
        return str(uuid.UUID((raw or "").strip()))
    except ValueError:
        return None


def redeem_once(*, offer: Offer, rider: User, request_key: str,
                now: datetime | None = None) -> tuple[Voucher, bool]:
    """Redeem ``offer`` for ``rider`` once per ``request_key``; return ``(voucher, created)``.

    When the rider already has a voucher with this key, that voucher comes back with ``created`` False
    and nothing is spent. Otherwise as :func:`rewards.vouchers.redeem_offer` (same refusals); raises
    :class:`KeyOfAnotherOffer` when the key issued a voucher of another offer (a tampered form).
    """
    ledger.lock_account(rider.id)
    existing = db.session.scalar(sa.select(Voucher).where(Voucher.rider_id == rider.id,
                                                          Voucher.request_key == request_key))
    if existing is not None:
        if existing.offer_id != offer.id:
            raise KeyOfAnotherOffer()
        return existing, False
    voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=now)
    update_rows(sa.update(Voucher).where(Voucher.id == voucher.id).values(request_key=request_key))
    db.session.refresh(voucher)
    return voucher, True
