"""The map of places near a position (added to the ``stations`` blueprint): ``GET /stations/map``.

Only where it is lawful: without a tile provider (``MAP_TILE_URL``, see :mod:`stations.map_tiles`) the page is a
404 and nothing links to it. The list (``stations.near_me``) works fully without it; the map shows the same
places (:func:`core.places.nearby_places`) as markers. Leaflet and ``static/js/station-map.js`` are loaded on
this page only; the data travels in a ``<script type="application/json">`` block (the CSP allows no inline
script). Tiles of Chinese providers are drawn in GCJ-02, so positions are converted before they reach the map.
"""

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from core.geo import format_distance, read_position, wgs84_to_gcj02
from core.places import nearby_places
from core.timeutil import utcnow
from stations.map_tiles import map_centre, tile_settings
from stations.views import bp

MAP_RADIUS_M = 5000  # as the list's default
MAP_LIMIT = 50  # markers; more would crowd a phone's screen and slow an old phone's browser


def city_centre() -> tuple[float, float]:
    """``MAP_CENTRE`` (``"lat,lng"``, WGS-84 degrees) as a pair (checked at start-up by :func:`tile_settings`)."""
    return map_centre(current_app.config["MAP_CENTRE"])


def list_url(lat: float, lng: float) -> str:
    """The "near me" list at the same position (``stations.near_me``; its path if that page is not there)."""
    try:
        return url_for("stations.near_me", lat=lat, lng=lng)
    except BuildError:  # the list is built on another branch; its path is known
        return f"{bp.url_prefix}/?lat={lat}&lng={lng}"


def map_point(lat: float, lng: float, crs: str) -> list[float]:
    """A WGS-84 position as the tiles draw it (``[lat, lng]``, GCJ-02 for Chinese providers), 6 decimals."""
    if crs == "gcj02":
        lat, lng = wgs84_to_gcj02(lat, lng)
    return [round(lat, 6), round(lng, 6)]


@bp.get("/map")
def map_page():
    """The places within 5 km of ``lat``/``lng`` (query, WGS-84; the city centre when missing or unreadable)
    as markers on licensed tiles, each with a popup linking to its page; 404 when no tiles are configured."""
    tiles = tile_settings(current_app.config)
    if tiles is None:
        abort(404)
    try:
        position = read_position(request.args.get("lat"), request.args.get("lng"))
    except ValueError:
        position = None
    located = position is not None
    lat, lng = position if located else city_centre()
    places = nearby_places(lat, lng, radius_m=MAP_RADIUS_M, limit=MAP_LIMIT, now=utcnow())
    data = {
        "tiles": {"url": tiles.url, "attribution": tiles.attribution, "subdomains": list(tiles.subdomains),
                  "crs": tiles.crs},
        "centre": map_point(lat, lng, tiles.crs),
        "located": located,
        "here": _("You are here") if located else _("Town centre"),
        "markers": [{"kind": place.kind, "id": place.id, "name": place.name, "url": place.url,
                     "position": map_point(place.latitude, place.longitude, tiles.crs),
                     "open": place.open_now, "status": place.status_text or _("Opening hours not known"),
                     "distance": format_distance(place.distance_m)} for place in places],
    }
    return render_template("stations/map.html", places=places, map_data=data, located=located,
                           list_url=list_url(lat, lng))
