"""Reads for voucher corrections: a merchant's vouchers that the programme may still cancel."""

import sqlalchemy as sa

from extensions import db
from rewards.models import Voucher


def issued_vouchers_of(merchant_id: int, *, limit: int = 200) -> list[Voucher]:
    """The merchant's issued (not yet used, cancelled or expired) vouchers, newest first, with offer and rider."""
    return list(db.session.scalars(
        sa.select(Voucher).where(Voucher.merchant_id == merchant_id, Voucher.status == "issued")
        .options(sa.orm.joinedload(Voucher.offer), sa.orm.joinedload(Voucher.rider))
        .order_by(Voucher.issued_at.desc(), Voucher.id.desc()).limit(limit)
    ))
