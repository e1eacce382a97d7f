"""The map's tile provider, read from the configuration (no Flask, no database: ``app.py`` builds the CSP from it).

Publishing a map in China needs licensed tiles, so the map exists only when ``MAP_TILE_URL`` is set: a Leaflet
URL template such as ``https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}`` (Amap) or
``https://t{s}.tianditu.gov.cn/vec_w/wmts?…&tk={key}`` (Tianditu). ``{key}`` is filled from ``MAP_TILE_KEY``
here, on the server; ``{s}`` is left for Leaflet, which picks one of ``MAP_TILE_SUBDOMAINS`` per tile
(comma-separated, ``"1,2,3,4"``, or one character each as Leaflet reads a plain string, ``"1234"``; Leaflet's
own default ``"abc"`` when the template has ``{s}`` and none are given). ``MAP_TILE_CRS`` says which
coordinate system the tiles are drawn in: ``"gcj02"`` (Amap, Tencent: Chinese providers) or ``"wgs84"``.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from core.geo import read_position

TILE_CRS = ("gcj02", "wgs84")
LEAFLET_DEFAULT_SUBDOMAINS = ("a", "b", "c")


@dataclass(frozen=True)
class TileSettings:
    """A configured tile provider: ``url`` (Leaflet template with the key filled in), ``attribution`` (HTML,
    from the configuration), ``subdomains`` (what ``{s}`` takes), ``crs`` (``"gcj02"`` or ``"wgs84"``) and
    ``hosts``, the origins (``https://host[:port]``) the browser loads tiles from, every subdomain spelled out."""

    url: str
    attribution: str
    subdomains: tuple[str, ...]
    crs: str
    hosts: tuple[str, ...]


def map_centre(text: str) -> tuple[float, float]:
    """``MAP_CENTRE`` (``"lat,lng"``, WGS-84 degrees; where the map opens without the rider's position) as a pair,
    6 decimals. Raises ``ValueError`` naming the setting when it is not two numbers in range."""
    lat, comma, lng = (text or "").partition(",")
    try:
        position = read_position(lat, lng, places=6) if comma else None
    except ValueError:
        position = None
    if position is None:
        raise ValueError(f"MAP_CENTRE must be 'latitude,longitude' in degrees, not {text!r}")
    return position


def _subdomains(text: str) -> tuple[str, ...]:
    text = (text or "").strip()
    if "," in text:
        return tuple(part.strip() for part in text.split(",") if part.strip())
    return tuple(text)


def tile_settings(config) -> TileSettings | None:
    """The tile provider of ``config`` (a mapping with the ``MAP_TILE_*`` keys), or ``None`` when
    ``MAP_TILE_URL`` is empty (no map).

    Raises ``ValueError`` for a template that is not an absolute http(s) URL with ``{z}``, ``{x}`` and ``{y}``,
    a ``{key}`` without ``MAP_TILE_KEY``, an unknown ``MAP_TILE_CRS`` or an unreadable ``MAP_CENTRE`` (see
    :func:`map_centre`): a wrong setting should stop the app at start-up, not show a grey map.
    """
    template = (config.get("MAP_TILE_URL") or "").strip()
    if not template:
        return None
    if "MAP_CENTRE" in config:
        map_centre(config["MAP_CENTRE"])
    crs = (config.get("MAP_TILE_CRS") or "gcj02").strip().lower()
    if crs not in TILE_CRS:
        raise ValueError(f"MAP_TILE_CRS must be gcj02 or wgs84, not {crs!r}")
    if "{key}" in template:
        key = (config.get("MAP_TILE_KEY") or "").strip()
        if not key:
            raise ValueError("MAP_TILE_URL has {key} but MAP_TILE_KEY is empty")
        template = template.replace("{key}", key)
    if not all(part in template for part in ("{z}", "{x}", "{y}")):
        raise ValueError("MAP_TILE_URL must contain {z}, {x} and {y}")
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("MAP_TILE_URL must be an absolute http(s) URL")
    subdomains = _subdomains(config.get("MAP_TILE_SUBDOMAINS", ""))
    if "{s}" in parts.netloc:
        subdomains = subdomains or LEAFLET_DEFAULT_SUBDOMAINS
        hosts = tuple(f"{parts.scheme}://{parts.netloc.replace('{s}', sub)}" for sub in subdomains)
    else:
        hosts = (f"{parts.scheme}://{parts.netloc}",)
    if any(char in host for host in hosts for char in " ;,'\"{}"):
        raise ValueError("MAP_TILE_URL's host (with its subdomains) must be a plain host name")
    return TileSettings(url=template, attribution=config.get("MAP_TILE_ATTRIBUTION") or "",
                        subdomains=subdomains, crs=crs, hosts=hosts)
