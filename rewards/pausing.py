"""A merchant's staff pause all its offers in one tap (a busy kitchen) and resume them.

While ``merchant.paused_at`` is set, riders see its offers as paused and cannot redeem them
(:func:`rewards.rules.take_daily_place` refuses in the same UPDATE that counts the voucher). Each
change is one conditional UPDATE, so a double tap journals once.
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import update_rows
from core.timeutil import utcnow
from extensions import db
from rewards.models import Merchant

journal.describe({"merchant.pause": _l("Offers paused"), "merchant.resume": _l("Offers resumed")})


def _set_paused(merchant: Merchant, *, paused: bool, actor: User, now: datetime) -> bool:
    was = Merchant.paused_at.is_(None) if paused else Merchant.paused_at.is_not(None)
    changed = update_rows(sa.update(Merchant).where(Merchant.id == merchant.id, was)
                          .values(paused_at=now if paused else None))
    if changed:
        journal.record("merchant.pause" if paused else "merchant.resume", actor=actor,
                       subject=f"merchant:{merchant.id}", merchant_id=merchant.id,
                       organisation_id=merchant.organisation_id, now=now)
    db.session.refresh(merchant)
    return bool(changed)


def pause_offers(*, merchant: Merchant, actor: User, now: datetime | None = None) -> bool:
    """Pause every offer of ``merchant`` (``actor``: its staff); return False when it was paused already."""
    return _set_paused(merchant, paused=True, actor=actor, now=now or utcnow())


def resume_offers(*, merchant: Merchant, actor: User, now: datetime | None = None) -> bool:
    """Make ``merchant``'s offers redeemable again; return False when they were not paused."""
    return _set_paused(merchant, paused=False, actor=actor, now=now or utcnow())
