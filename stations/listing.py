"""What a "near me" link asks for, read from its query string, and links that change it.

Every choice is a plain query parameter, so the page works as links and a GET form without JavaScript:

- where from: ``lat``/``lng`` (the rider's position, rounded to about 100 m by the page's script), else
  ``area`` (a town or street of :mod:`stations.areas`); ``geo=denied`` says the browser did not share a position;
- ``amenity`` (repeated; codes of :data:`stations.models.AMENITIES`), ``open=1`` (open now),
  ``kind`` (``all``, ``station``, ``restaurant`` = restaurants with offers, ``building`` = partner buildings of
  the Haitang pass), ``wide=1`` (20 km, not 5 km).

Anything unknown or malformed is dropped and remembered as a problem to tell the rider, never an error.
"""

from dataclasses import dataclass, replace

from core.geo import read_position
from stations.areas import Area, area_by_code
from stations.models import AMENITIES

RADIUS_M = 5_000  # first look this far …
WIDE_RADIUS_M = 20_000  # … and offer this much when nothing is that close
KIND_CHOICES = ("all", "station", "restaurant", "building")
# for core.places.nearby_places; partner buildings are stations of kind "building" (stations.places.find_stations)
PLACE_KINDS = {"all": None, "station": ["station"], "restaurant": ["restaurant"], "building": ["station"]}


@dataclass(frozen=True)
class NearFilters:
    """A "near me" request. ``position`` (latitude, longitude; WGS-84 degrees) is the rider's when sent, else
    the centre of ``area``, else ``None``; ``from_area`` says which. ``bad_position``/``bad_area``: such a
    parameter was sent and could not be read (it is ignored)."""

    position: tuple[float, float] | None = None
    area: Area | None = None
    located: bool = False
    refused: bool = False
    amenities: tuple[str, ...] = ()
    open_now: bool = False
    kind: str = "all"
    wide: bool = False
    bad_position: bool = False
    bad_area: bool = False

    @classmethod
    def from_args(cls, args) -> "NearFilters":
        """Read a request's ``args`` (a MultiDict); never raises."""
        position, bad_position = None, False
        try:
            position = read_position(args.get("lat"), args.get("lng"))
        except ValueError:
            bad_position = True
        area_code = args.get("area", "")
        area = area_by_code(area_code)
        wanted = set(args.getlist("amenity"))
        kind = args.get("kind", "all")
        return cls(position=position, area=area, located=position is not None,
                   refused=args.get("geo") == "denied", amenities=tuple(code for code in AMENITIES if code in wanted),
                   open_now=args.get("open") == "1", kind=kind if kind in KIND_CHOICES else "all",
                   wide=args.get("wide") == "1", bad_position=bad_position,
                   bad_area=bool(area_code) and area is None)

    @property
    def origin(self) -> tuple[float, float] | None:
        """Where distances are measured from: the rider's position, else the area's centre, else ``None``."""
        if self.position is not None:
            return self.position
        if self.area is not None:
            return self.area.latitude, self.area.longitude
        return None

    @property
    def radius_m(self) -> int:
        return WIDE_RADIUS_M if self.wide else RADIUS_M

    def query(self, **changes) -> dict:
        """The query parameters of this list with ``changes`` (``wide=True``), for ``url_for``."""
        f = replace(self, **changes)
        args: dict = {}
        if f.position is not None:
            args["lat"], args["lng"] = (f"{value:.3f}" for value in f.position)
        elif f.area is not None:
            args["area"] = f.area.code
        if f.refused and f.position is None:
            args["geo"] = "denied"
        if f.amenities:
            args["amenity"] = list(f.amenities)
        if f.open_now:
            args["open"] = "1"
        if f.kind != "all":
            args["kind"] = f.kind
        if f.wide:
            args["wide"] = "1"
        return args

    def search(self) -> dict:
        """Keyword arguments for :func:`core.places.nearby_places` (besides the position and ``now``)."""
        return {"kinds": PLACE_KINDS[self.kind], "radius_m": self.radius_m, "amenities": self.amenities,
                "open_now": self.open_now}
