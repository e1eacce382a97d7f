"""The riders' task list filters, read from the query string: what a link asks for, and links to change it.

Every filter is a plain query parameter, so each one is a link that works without JavaScript and
combines with the others: ``kind=activity`` (the activities tab; volunteer work without it), ``category``,
``organisation``, ``soon=2h`` (starts within two hours),
``short=1`` (lasts an hour or less), ``near=1`` (nearest first) with the rider's ``lat``/``lng``, or
``geo=denied`` when the browser did not share its location.
"""

from dataclasses import dataclass, replace
from datetime import timedelta

from core.geo import read_position
from volunteer.models import ACTIVITY, CATEGORY_LABELS, VOLUNTEER

SOON = timedelta(hours=2)  # "starts within 2 hours": a gap between two deliveries
SHORT_MINUTES = 60  # "1 hour or less"


@dataclass(frozen=True)
class TaskFilters:
    """What the rider filtered by. ``position`` is (latitude, longitude) rounded to about 100 m, only
    with ``near``; ``unreadable`` says a position was sent but could not be read (it is ignored)."""

    kind: str = VOLUNTEER
    category: str = ""
    organisation_id: int | None = None
    soon: bool = False
    short: bool = False
    near: bool = False
    position: tuple[float, float] | None = None
    refused: bool = False
    unreadable: bool = False

    @classmethod
    def from_args(cls, args) -> "TaskFilters":
        """Read the filters from a request's ``args`` (a MultiDict); anything unknown or malformed is ignored."""
        category = args.get("category", "")
        organisation_id = args.get("organisation", type=int)
        if organisation_id is not None and not 0 < organisation_id < 2**31:
            organisation_id = None
        near = args.get("near") == "1"
        position, unreadable = None, False
        if near:
            try:
                position = read_position(args.get("lat"), args.get("lng"))
            except ValueError:
                unreadable = True
        return cls(kind=ACTIVITY if args.get("kind") == ACTIVITY else VOLUNTEER,
                   category=category if category in CATEGORY_LABELS else "", organisation_id=organisation_id,
                   soon=args.get("soon") == "2h", short=args.get("short") == "1", near=near, position=position,
                   refused=near and position is None and not unreadable and args.get("geo") == "denied",
                   unreadable=unreadable)

    def query(self, **changes) -> dict:
        """The query parameters of the list with ``changes`` (e.g. ``soon=False``), for ``url_for``.

        Turning ``near`` off drops the position; the page number is never kept (a new filter starts at 1).
        """
        filters = replace(self, **changes)
        args = {"kind": ACTIVITY if filters.kind == ACTIVITY else None, "category": filters.category or None,
                "organisation": filters.organisation_id or None,
                "soon": "2h" if filters.soon else None, "short": "1" if filters.short else None,
                "near": "1" if filters.near else None}
        if filters.near and filters.position is not None:
            args["lat"], args["lng"] = (f"{value:.3f}" for value in filters.position)
        elif filters.near and filters.refused:
            args["geo"] = "denied"
        return {name: value for name, value in args.items() if value is not None}

    @property
    def activities(self) -> bool:
        """True on the activities tab."""
        return self.kind == ACTIVITY

    def search(self) -> dict:
        """Keyword arguments for :func:`volunteer.queries.upcoming_tasks`."""
        return {"kind": self.kind, "category": self.category, "organisation_id": self.organisation_id,
                "starts_within": SOON if self.soon else None, "max_minutes": SHORT_MINUTES if self.short else None,
                "near": self.position if self.near else None}
