"""Building staff: their building's entries — today's list, then per day and week — and the export.

Only the building the account is tied to (:class:`passes.models.BuildingStaff`), through the check pages'
``building_staff_only``: an account tied to no active partner building gets 403. Figures: :mod:`passes.figures`.
"""

from flask import abort, render_template, request

from core.timeutil import local_today
from passes import figures as queries
from passes.exports import EXTENSIONS, day_label, export
from passes.staff import bp, building_staff_only
from stations.models import Station


def _request(building: Station):
    period, errors = queries.read_period(request.args)
    typed = {name: request.args.get(name, "")[:40] for name in ("from", "to")}
    state = {"typed": typed, "errors": errors, "period": period}
    if errors:
        return state, None
    state["args"] = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    return state, queries.figures([building], period)


def _page(building: Station, state: dict, result, status: int = 200):
    today = local_today()
    return render_template("passes/staff/entries.html", building=building, state=state, figures=result, today=today,
                           day_label=day_label,
                           today_entries=queries.entries_on(building.id, today)), status


@bp.get("/entries")
@building_staff_only
def entries(building: Station):
    """Today's entries at the building (time, masked name), then entries and distinct riders per day and week
    over a period (the last 28 days by default; bad dates: the form with the message, 422)."""
    state, result = _request(building)
    return _page(building, state, result, 422 if result is None else 200)


@bp.get("/entries.<ext>")
@building_staff_only
def entries_export(ext: str, building: Station):
    """The building's figures as CSV or XLSX (another extension: 404; bad dates: the page, 422)."""
    if ext not in EXTENSIONS:
        abort(404)
    state, result = _request(building)
    if result is None:
        return _page(building, state, None, 422)
    return export(result, ext, "entries")
