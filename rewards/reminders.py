"""``voucher_expiring``: riders hear a day before an unused voucher expires (run by ``flask notify remind``)."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from extensions import db
from notifications.reminders import register_reminder
from notifications.services import notify
from rewards.models import Merchant, Offer, Voucher
from rewards.vouchers import voucher_link

EXPIRING_WITHIN = timedelta(hours=24)


@register_reminder
def remind_expiring_vouchers(*, now: datetime) -> int:
    """Tell the rider of each issued voucher expiring within 24 hours of ``now`` (aware UTC), once per voucher
    (dedupe key ``expiring:<voucher id>``, so two runs at once write one reminder); return how many were written."""
    rows = db.session.execute(
        sa.select(Voucher.id, Voucher.rider_id, Voucher.expires_at, Offer.title, Merchant.name)
        .join(Offer, Offer.id == Voucher.offer_id).join(Merchant, Merchant.id == Voucher.merchant_id)
        .where(Voucher.status == "issued", Voucher.expires_at > now, Voucher.expires_at <= now + EXPIRING_WITHIN)
        .order_by(Voucher.expires_at, Voucher.id)).all()
    written = 0
    for voucher_id, rider_id, expires_at, offer, merchant in rows:
        if notify(user_id=rider_id, kind="voucher_expiring", dedupe_key=f"expiring:{voucher_id}", now=now,
                  link=voucher_link(Voucher(id=voucher_id)),
                  params={"offer": offer, "merchant": merchant, "expires_at": expires_at}) is not None:
            written += 1
    return written
