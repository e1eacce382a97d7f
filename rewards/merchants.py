"""Use cases of partner restaurants, their offers and their staff accounts."""

from accounts.models import User
from accounts.services import create_account
from extensions import db
from rewards.models import Merchant, MerchantStaff, Offer


def save_merchant(*, merchant: Merchant | None, name: str, address: str, latitude: float | None,
                  longitude: float | None, active: bool, actor: User) -> Merchant:
    """Create (``merchant=None``) or update a merchant and return it."""
    merchant = merchant or Merchant()
    merchant.name, merchant.address = name.strip(), address.strip()
    merchant.latitude, merchant.longitude, merchant.active = latitude, longitude, active
    db.session.add(merchant)
    db.session.flush()
    return merchant


def save_offer(*, offer: Offer | None, merchant: Merchant, actor: User, **fields) -> Offer:
    """Create (``offer=None``) or update an offer of ``merchant``; ``face_value_fen`` is integer fen."""
    offer = offer or Offer(merchant_id=merchant.id)
    for name, value in fields.items():
        setattr(offer, name, value)
    db.session.add(offer)
    db.session.flush()
    return offer


def add_staff(*, merchant: Merchant, phone: str, name: str, password: str, actor: User) -> User:
    """Create a merchant-staff log-in for ``merchant``. Raises :class:`accounts.errors.PhoneTaken`."""
    user = create_account(phone=phone, name=name, password=password, role="merchant")
    db.session.add(MerchantStaff(user_id=user.id, merchant_id=merchant.id))
    db.session.flush()
    return user
