"""A partner restaurant's page for riders (added to the ``rewards`` blueprint): hours, how to get there, its
offers and the rest stations beside it."""

from flask import abort, render_template

from core.opening_hours import weekly_from_rows, weekly_table
from core.places import navigation_links, nearby_places
from core.timeutil import utcnow
from core.web import role_required
from rewards.places import open_status, restaurant_for_rider
from rewards.views import bp

NEARBY_M = 500  # "nearby" on a place's page: a short walk


@bp.get("/offers/restaurants/<int:merchant_id>")
@role_required("rider")
def restaurant(merchant_id: int):
    """A restaurant's name, opening status and week, address with one-tap navigation, current offers and the
    stations within 500 m. An unknown or inactive restaurant is a 404."""
    now = utcnow()
    merchant = restaurant_for_rider(merchant_id, now)
    if merchant is None:
        abort(404)
    is_open, status_text = open_status(merchant, now)
    located = merchant.latitude is not None and merchant.longitude is not None
    return render_template(
        "rewards/restaurant.html", merchant=merchant, open_now=is_open, status_text=status_text,
        week=weekly_table(weekly_from_rows(merchant.hours)) if merchant.hours else [],
        links=navigation_links(merchant.latitude, merchant.longitude, merchant.name) if located else None,
        offers=[offer for offer in merchant.offers if offer.active],
        nearby_m=NEARBY_M,
        nearby=nearby_places(merchant.latitude, merchant.longitude, kinds=["station"], radius_m=NEARBY_M, limit=10,
                             now=now) if located else [])
