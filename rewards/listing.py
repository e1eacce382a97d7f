"""The riders' offer list as plain rows: active restaurants by name, each with its active offers.

The list shows 150 offers of 50 restaurants in a city; as ORM objects (``queries.merchants_with_offers``:
a merchant, its organisation and every offer, each instrumented) loading them cost more than the SQL.
Here one query reads only the columns the page shows into frozen dataclasses with the same attribute
names the template reads (``merchant.offers``, ``offer.active``, ``merchant.is_paused``, …).
"""

from dataclasses import dataclass

import sqlalchemy as sa

from extensions import db
from rewards.models import Merchant, Offer


@dataclass(frozen=True, slots=True)
class ListedOffer:
    """One active offer as listed: ``face_value_fen`` in fen, ``points_cost`` in points, ``stock`` left."""

    id: int
    title: str
    face_value_fen: int
    points_cost: int
    stock: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class ListedMerchant:
    """One active restaurant as listed: position in WGS-84 degrees (or ``None``), its active offers by id."""

    id: int
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    is_paused: bool
    offers: tuple[ListedOffer, ...]


def offer_board() -> list[ListedMerchant]:
    """Active merchants by name (then id), each with its active offers by id (an empty tuple when none)."""
    rows = db.session.execute(
        sa.select(Merchant.id, Merchant.name, Merchant.address, Merchant.latitude, Merchant.longitude,
                  Merchant.paused_at, Offer.id, Offer.title, Offer.face_value_fen, Offer.points_cost, Offer.stock)
        .outerjoin(Offer, sa.and_(Offer.merchant_id == Merchant.id, Offer.active.is_(True)))
        .where(Merchant.active.is_(True))
        .order_by(Merchant.name, Merchant.id, Offer.id)
    ).all()
    board, offers, current = [], [], None
    for row in rows:
        if current is None or current[0] != row[0]:
            if current is not None:
                board.append(ListedMerchant(*current[:5], current[5] is not None, tuple(offers)))
            current, offers = row[:6], []
        if row[6] is not None:
            offers.append(ListedOffer(*row[6:]))
    if current is not None:
        board.append(ListedMerchant(*current[:5], current[5] is not None, tuple(offers)))
    return board
