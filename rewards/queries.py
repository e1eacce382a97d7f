"""Reads of merchants, offers and vouchers that pages, the API and the dashboards share."""

from datetime import datetime

import sqlalchemy as sa

from accounts.journal import mask_code
from accounts.models import User
from accounts.privacy import on_export
from accounts.scope import link_accounts
from extensions import db
from rewards.models import Merchant, MerchantStaff, Voucher

LIVE = ("issued", "redeemed")


@link_accounts
def staff_of_organisations() -> sa.Select:
    """Merchant staff belong to the scope of the organisation that recruited their merchant."""
    return (sa.select(MerchantStaff.user_id.label("user_id"), Merchant.organisation_id.label("organisation_id"))
            .join(Merchant, Merchant.id == MerchantStaff.merchant_id).where(Merchant.organisation_id.is_not(None)))


def managed_by(actor: User) -> sa.ColumnElement[bool]:
    """A condition on :class:`Merchant`: the merchants ``actor`` manages (an admin: all; a coordinator:
    those their organisation recruited)."""
    if actor.is_admin:
        return sa.true()
    if actor.is_coordinator:
        return Merchant.organisation_id == actor.organisation_id
    return sa.false()


def all_merchants(*, viewer: User | None = None) -> list[Merchant]:
    """Every merchant by name; only those ``viewer`` manages when given."""
    query = sa.select(Merchant).order_by(Merchant.name)
    if viewer is not None:
        query = query.where(managed_by(viewer))
    return list(db.session.scalars(query))


def merchants_with_offers(*, active_only: bool, viewer: User | None = None) -> list[Merchant]:
    """Merchants by name with their offers and organisation loaded; only active merchants when
    ``active_only``; only those ``viewer`` manages when given."""
    query = (sa.select(Merchant).order_by(Merchant.name)
             .options(sa.orm.selectinload(Merchant.offers), sa.orm.joinedload(Merchant.organisation)))
    if viewer is not None:
        query = query.where(managed_by(viewer))
    if active_only:
        query = query.where(Merchant.active.is_(True))
    return list(db.session.scalars(query))


def staff_of(merchant_id: int) -> list[User]:
    """The merchant's staff accounts, by name."""
    return list(db.session.scalars(sa.select(User).join(MerchantStaff, MerchantStaff.user_id == User.id)
                                   .where(MerchantStaff.merchant_id == merchant_id).order_by(User.name)))


def merchant_of(user: User) -> Merchant | None:
    """Return the merchant a merchant-staff user works for, or ``None``."""
    return db.session.scalar(sa.select(Merchant).join(MerchantStaff).where(MerchantStaff.user_id == user.id))


def live_vouchers_count(*, rider_id: int, offer_id: int) -> int:
    """Return how many issued or redeemed vouchers of ``offer_id`` the rider holds."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Voucher)
        .where(Voucher.rider_id == rider_id, Voucher.offer_id == offer_id, Voucher.status.in_(LIVE))
    )


def vouchers_of_rider(rider_id: int, *, limit: int = 200) -> list[Voucher]:
    """The rider's vouchers, newest first, with offer and merchant loaded."""
    return list(db.session.scalars(
        sa.select(Voucher).where(Voucher.rider_id == rider_id)
        .options(sa.orm.joinedload(Voucher.offer), sa.orm.joinedload(Voucher.merchant))
        .order_by(Voucher.issued_at.desc()).limit(limit)
    ))


def redemptions_between(*, merchant_id: int, since: datetime, until: datetime | None = None) -> list[Voucher]:
    """Return the merchant's vouchers redeemed in ``[since, until)`` (aware UTC), newest first, with offer and rider."""
    window = [Voucher.redeemed_at >= since] + ([Voucher.redeemed_at < until] if until else [])
    return list(db.session.scalars(
        sa.select(Voucher).where(Voucher.merchant_id == merchant_id, *window)
        .options(sa.orm.joinedload(Voucher.offer), sa.orm.joinedload(Voucher.rider))
        .order_by(Voucher.redeemed_at.desc())
    ))


def due_for_expiry(*, now: datetime, limit: int = 500) -> list[Voucher]:
    """Return up to ``limit`` issued vouchers whose expiry has passed at ``now`` (aware UTC)."""
    return list(db.session.scalars(
        sa.select(Voucher).where(Voucher.status == "issued", Voucher.expires_at <= now)
        .order_by(Voucher.id).limit(limit)
    ))


@on_export("vouchers")
def vouchers_for_export(user) -> list[dict]:
    """The user's vouchers, codes masked, for their own data download (:func:`accounts.privacy.export_data`)."""
    vouchers = db.session.scalars(sa.select(Voucher).where(Voucher.rider_id == user.id)
                                  .order_by(Voucher.issued_at, Voucher.id))
    return [{"offer": v.offer.title, "merchant": v.merchant.name, "code": mask_code(v.code), "status": v.status,
             "points": v.points_cost, "issued_at": v.issued_at.isoformat(), "expires_at": v.expires_at.isoformat()}
            for v in vouchers]
