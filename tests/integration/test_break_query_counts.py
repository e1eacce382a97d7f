"""No N+1 on the places pages: the same number of SQL statements with 1 station and restaurant as with 40."""

from datetime import UTC, datetime, timedelta

from core.timeutil import from_local, local_today
from rewards.models import MerchantHours
from tests.factories import make_merchant, make_offer
from tests.integration.test_query_counts import counting
from tests.station_factories import HERE, east_of, make_station, north_of

PAGES = {
    "anonymous": ["/stations/?lat=31.870&lng=120.550", "/stations/?lat=31.870&lng=120.550&open=1&wide=1",
                  "/stations/?lat=31.870&lng=120.550&kind=restaurant", "/stations/{station}"],
    "rider": ["/offers?near=1&lat=31.870&lng=120.550", "/offers/restaurants/{merchant}"],
    "coordinator": ["/coordinate/stations/", "/coordinate/stations/export.csv", "/coordinate/stations/export.xlsx",
                    "/coordinate/stations/{station}/hours", "/coordinate/merchants/{merchant}/hours"],
}


def build(ctx, world, n: int) -> dict:
    with ctx() as session:
        today = local_today()
        first = first_merchant = None
        for i in range(n):
            station = make_station(world.org, name=f"驿站{n}-{i}", at=north_of(HERE, 10 * i + 5 * n),
                                   hours="08:00-21:00", exceptions=[(today + timedelta(days=1), "closed", "")])
            first = first or station
            merchant = make_merchant(f"餐馆{n}-{i}", latitude=east_of(HERE, 10 * i + 5 * n)[0],
                                     longitude=east_of(HERE, 10 * i + 5 * n)[1], organisation_id=world.org)
            session.add(MerchantHours(merchant_id=merchant.id, weekday=0, opens="08:00", closes="20:00"))
            make_offer(merchant.id, title=f"优惠{i}")
            first_merchant = first_merchant or merchant
        session.commit()
        return {"station": first.id, "merchant": first_merchant.id}


def per_page(app, ctx, world, make_client, n):
    ids = build(ctx, world, n)
    users = {"anonymous": None, "rider": world.rider, "coordinator": world.coordinator}
    counts = {}
    for persona, pages in PAGES.items():
        client = make_client(users[persona])
        for page in pages:
            url = page.format(**ids)
            client.get(url)
            with counting(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[page] = len(statements)
    return counts


def test_places_pages_do_not_query_per_row(app, ctx, world, make_client, monkeypatch):
    # at a fixed weekday morning: at night "open now" reads the closed stations in chunks of 40 (by design)
    with ctx():
        morning = from_local(datetime(2026, 12, 2, 10, 0)).astimezone(UTC)
    for target in ("stations.views.utcnow", "stations.coordinate.utcnow", "rewards.place_views.utcnow"):
        monkeypatch.setattr(target, lambda: morning)
    one = per_page(app, ctx, world, make_client, 1)
    forty = per_page(app, ctx, world, make_client, 40)
    grew = {page: (one[page], forty[page]) for page in one if forty[page] != one[page]}
    assert grew == {}, grew
