"""Use cases of partner restaurants, their offers and their staff accounts."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from accounts.services import create_account
from core.db import update_rows
from extensions import db
from rewards.errors import StockBelowZero
from rewards.hours import format_hours, parse_hours
from rewards.models import Merchant, MerchantStaff, Offer

journal.describe({"merchant.save": _l("Merchant saved"), "offer.save": _l("Offer saved")},
                 name=_l("Name"), active=_l("Active"), title=_l("Title"), points=_l("Points"), stock=_l("Stock"),
                 points_cost=_l("Points"), face_value_fen=_l("Worth"), per_rider_limit=_l("Limit per rider"),
                 validity_days=_l("Valid for (days)"), serving_hours=_l("Serving hours"), limit=_l("Limit per rider"),
                 daily_stock=_l("Daily stock"), period=_l("Limit period"), limit_period=_l("Limit period"))


def save_merchant(*, merchant: Merchant | None, name: str, address: str, latitude: float | None,
                  longitude: float | None, active: bool, actor: User, organisation_id=None,
                  serving_hours: str | None = None) -> Merchant:
    """Create (``merchant=None``) or update a merchant and return it.

    A coordinator's merchant belongs to their organisation; an admin chooses its ``organisation_id``
    (``None``: programme-wide, managed by admins only). ``serving_hours`` (local time, e.g.
    ``11:00-14:00, 17:00-21:00``; ``""`` always; ``None`` unchanged) is stored in its canonical form;
    unreadable hours raise :class:`rewards.hours.HoursError` (the form checks them first).
    """
    merchant = merchant or Merchant()
    hours = merchant.serving_hours if serving_hours is None else format_hours(parse_hours(serving_hours))
    changed = journal.changes(merchant, {
        "name": name.strip(), "address": address.strip(), "latitude": latitude, "longitude": longitude,
        "active": active, "organisation_id": organisation_id if actor.is_admin else actor.organisation_id,
        "serving_hours": hours,
    }) if merchant.id else {}
    merchant.organisation_id = organisation_id if actor.is_admin else actor.organisation_id
    merchant.name, merchant.address = name.strip(), address.strip()
    merchant.latitude, merchant.longitude, merchant.active = latitude, longitude, active
    if hours is not None:
        merchant.serving_hours = hours
    db.session.add(merchant)
    db.session.flush()
    journal.record("merchant.save", actor=actor, subject=f"merchant:{merchant.id}", merchant_id=merchant.id,
                   organisation_id=merchant.organisation_id, name=merchant.name, active=active,
                   serving_hours=merchant.serving_hours, changed=changed)
    return merchant


def save_offer(*, offer: Offer | None, merchant: Merchant, actor: User, stock_change: int | None = None,
               **fields) -> Offer:
    """Create (``offer=None``) or update an offer of ``merchant``; ``face_value_fen`` is integer fen.

    When updating, ``stock_change`` (the difference between the stock typed and the stock shown on
    the form) is added to the current stock in one conditional UPDATE, so vouchers issued while the
    form was open are not given back. Raises :class:`StockBelowZero` if that would leave less than 0.
    """
    before = {name: getattr(offer, name) for name in (*fields, "stock")} if offer is not None else None
    if offer is not None and stock_change is not None:
        fields.pop("stock")
        if not update_rows(sa.update(Offer).where(Offer.id == offer.id, Offer.stock + stock_change >= 0)
                           .values(stock=Offer.stock + stock_change)):
            db.session.refresh(offer)
            raise StockBelowZero(offer.stock)
    offer = offer or Offer(merchant_id=merchant.id)
    for name, value in fields.items():
        setattr(offer, name, value)
    db.session.add(offer)
    db.session.flush()
    db.session.refresh(offer)
    journal.record("offer.save", actor=actor, subject=f"offer:{offer.id}", merchant_id=merchant.id,
                   organisation_id=merchant.organisation_id, title=offer.title, points=offer.points_cost,
                   stock=offer.stock, active=offer.active, daily_stock=offer.daily_stock,
                   limit=offer.per_rider_limit, period=offer.limit_period,
                   changed=journal.changes(before, {name: getattr(offer, name) for name in before}) if before else {})
    return offer


def add_staff(*, merchant: Merchant, phone: str, name: str, password: str, actor: User) -> User:
    """Create a merchant-staff log-in for ``merchant``. Raises :class:`accounts.errors.PhoneTaken`."""
    user = create_account(phone=phone, name=name, password=password, role="merchant", actor=actor,
                          journal_organisation_id=merchant.organisation_id)
    db.session.add(MerchantStaff(user_id=user.id, merchant_id=merchant.id))
    db.session.flush()
    return user
