"""The dashboard: the figures a street office reports to its superiors, for a period of local days.

- ``GET /dashboard/`` (``dashboard.overview``): the figures as cards and tables, charts as images;
- ``GET /dashboard/figures.xlsx``: every figure in one sheet (numbers as number cells);
- ``GET /dashboard/charts/<chart>.svg``: one chart (sign-ups, verified hours, vouchers by merchant) drawn by
  pygal on the server.

Coordinators see their organisation's figures, admins the whole programme or one organisation (the
``organisation`` filter); everyone else gets 403. The period comes from ``preset`` or ``from``/``to``
(oversight/dashboard_figures.py); what cannot be used comes back as the page with the message beside the
field and the input kept (422), never a 500.

The charts are SVG documents loaded with ``<img>``: an image document runs no script, and the page's CSP
(``style-src 'self'``) would also block the ``<style>`` pygal puts inside the SVG, leaving black shapes.
So the chart route sends its own CSP: nothing may load (``default-src 'none'``) except the SVG's own inline
style — harmless in a document that can run no script, fetch nothing and is never framed. pygal's script
(``js``) is switched off and its inline configuration script stripped.
"""

import re
import sys

import pygal
import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from accounts.models import Organisation
from core.spreadsheets import write_xlsx
from core.web import role_required
from extensions import db, talisman
from oversight import dashboard_figures
from oversight.dashboard_figures import PRESET_LABELS, PRESETS, hours
from reports.access import visible_reports
from reports.figures import organisation_reports

# pygal appends a finder for its map plugins (``pygal.maps.*``, unused here) to ``sys.meta_path`` that lacks
# ``find_spec``: every later failed import (openpyxl probing for numpy) then warns (an error under the tests).
sys.meta_path[:] = [finder for finder in sys.meta_path if type(finder) is not pygal.PluginImportFixer]

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
MANAGERS = ("coordinator", "admin")
CHARTS = ("signups", "hours", "vouchers")
CHART_SIZE = (560, 340)  # px: the chart's own size; on a phone it shrinks to ~340 px, its text still readable
CHART_CSP = {"default-src": "'none'", "style-src": "'unsafe-inline'", "frame-ancestors": "'none'"}
CHART_TITLES = {("signups", "day"): _l("Sign-ups per day"), ("signups", "week"): _l("Sign-ups per week"),
                ("hours", "day"): _l("Verified hours per day"), ("hours", "week"): _l("Verified hours per week"),
                ("vouchers", "day"): _l("Vouchers redeemed by merchant (yuan)"),
                ("vouchers", "week"): _l("Vouchers redeemed by merchant (yuan)")}
INLINE_SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.DOTALL)


def organisations() -> list[Organisation]:
    """Every organisation by name (an admin's filter)."""
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name, Organisation.id)))


def read_request() -> dict:
    """What the request asks for, checked: ``period`` (``None`` when unusable), ``errors`` ``{field: message}``,
    ``organisation_id`` (the coordinator's own; an admin's choice, ``None`` for all), ``report_scope``,
    ``organisations`` (an admin's choices) and ``typed`` (the input as sent, to show it again)."""
    period, errors = dashboard_figures.read_period(request.args)
    typed = {key: request.args.get(key, "")[:40] for key in ("preset", "from", "to", "organisation")}
    choices = []
    if current_user.is_admin:
        choices = organisations()
        organisation_id = None
        if typed["organisation"]:
            organisation_id = next((org.id for org in choices if str(org.id) == typed["organisation"].strip()), None)
            if organisation_id is None:
                errors["organisation"] = _("Choose an organisation from the list.")
        scope = visible_reports(current_user) if organisation_id is None else organisation_reports(organisation_id)
    else:
        organisation_id, scope = current_user.organisation_id, visible_reports(current_user)
    return {"period": period if not errors else None, "errors": errors, "organisation_id": organisation_id,
            "report_scope": scope, "organisations": choices, "typed": typed}


def query_args(state: dict) -> dict:
    """The query arguments that name the same period and organisation (for the XLSX and chart links)."""
    period = state["period"]
    args = {"preset": period.preset} if period.preset else {"from": period.first.isoformat(),
                                                            "to": period.last.isoformat()}
    if state["organisation_id"] is not None and current_user.is_admin:
        args["organisation"] = state["organisation_id"]
    return args


def page(state: dict, figures=None, status: int = 200):
    """The dashboard page: the period form, and the figures when there are any; ``status`` 422 for bad input."""
    organisation = db.session.get(Organisation, state["organisation_id"]) if state["organisation_id"] else None
    chosen = {"organisation": organisation.id} if organisation is not None and current_user.is_admin else {}
    preset_urls = {preset: url_for("dashboard.overview", preset=preset, **chosen) for preset in PRESETS}
    return render_template("dashboard/overview.html", state=state, figures=figures, presets=PRESETS,
                           preset_labels=PRESET_LABELS, preset_urls=preset_urls, organisation=organisation, hours=hours,
                           args=query_args(state) if state["period"] else {}, charts=CHARTS,
                           chart_titles=CHART_TITLES, chart_size=CHART_SIZE,
                           max_days=dashboard_figures.MAX_DAYS, number=format_decimal, percent=format_percent,
                           yuan=yuan), status


def yuan(fen: int | None) -> str:
    """Fen as yuan with two decimals in the user's locale (``123456`` → ``1,234.56``); ``—`` when unknown."""
    return "—" if fen is None else format_decimal(fen / 100, format="#,##0.00")


@bp.get("/")
@role_required(*MANAGERS)
def overview():
    """The figures of the period (this month by default) for the coordinator's organisation, or for an admin's
    choice; a period or organisation that cannot be used gives the form back with the message (422)."""
    state = read_request()
    if state["errors"]:
        return page(state, status=422)
    figures = dashboard_figures.dashboard(state["period"], state["organisation_id"], state["report_scope"])
    return page(state, figures)


def xlsx_rows(figures: dashboard_figures.Dashboard, organisation: Organisation | None) -> list[list]:
    """The sheet's rows ``[section, item, value, unit]``: the period and scope, each figure, the vouchers per
    merchant, then the sign-ups and verified hours per day or week (values as numbers)."""
    period, points = figures.period, figures.points
    head = _("Figures")
    rows = [[_("Period"), _("First day"), period.first.isoformat(), ""],
            [_("Period"), _("Last day"), period.last.isoformat(), ""],
            [_("Period"), _("Organisation"), organisation.name if organisation else _("The whole programme"), ""],
            [head, _("Riders active"), figures.riders_active, _("riders")],
            [head, _("New riders"), figures.new_riders, _("riders")],
            [head, _("Tasks held"), figures.tasks_held, _("tasks")],
            [head, _("Sign-ups (count)"), figures.signups, _("sign-ups")],
            [head, _("Attended"), figures.attendance.attended, _("sign-ups")],
            [head, _("No-shows"), figures.attendance.no_show, _("sign-ups")],
            [head, _("Attendance rate"),
             round(figures.attendance.rate * 100, 1) if figures.attendance.rate is not None else "", "%"],
            [head, _("Verified hours"), hours(figures.verified_minutes), _("hours")],
            [head, _("Points awarded"), points.awarded, _("points")],
            [head, _("Points spent"), points.spent, _("points")],
            [head, _("Points refunded"), points.refunded, _("points")],
            [head, _("Points adjusted"), points.adjusted, _("points")],
            [head, _("Points outstanding"), points.outstanding, _("points")],
            [head, _("Value of a point"),
             round(figures.fen_per_point / 100, 4) if figures.fen_per_point is not None else "", _("yuan")],
            [head, _("Points liability"),
             figures.liability_fen / 100 if figures.liability_fen is not None else "", _("yuan")],
            [head, _("Vouchers redeemed"), figures.redeemed_vouchers, _("vouchers")],
            [head, _("Vouchers redeemed, face value"), figures.redeemed_fen / 100, _("yuan")],
            [head, _("Reports received"), figures.reports.received, _("reports")],
            [head, _("Reports resolved"), figures.reports.resolved, _("reports")],
            [head, _("Median days to resolve"),
             round(figures.reports.median_days, 2) if figures.reports.median_days is not None else "", _("days")]]
    for line in figures.merchants:
        rows.append([_("Vouchers redeemed by merchant"), line.name, line.vouchers, _("vouchers")])
        rows.append([_("Vouchers redeemed by merchant"), line.name, line.face_value_fen / 100, _("yuan")])
    for day, count in figures.signups_per_bucket:
        rows.append([str(CHART_TITLES["signups", figures.unit]), day.isoformat(), count, _("sign-ups")])
    for day, minutes in figures.minutes_per_bucket:
        rows.append([str(CHART_TITLES["hours", figures.unit]), day.isoformat(), hours(minutes), _("hours")])
    return rows


@bp.get("/figures.xlsx")
@role_required(*MANAGERS)
def figures_xlsx():
    """Every figure of the period as an XLSX download (the page with the message when the period is unusable)."""
    state = read_request()
    if state["errors"]:
        return page(state, status=422)
    figures = dashboard_figures.dashboard(state["period"], state["organisation_id"], state["report_scope"])
    organisation = db.session.get(Organisation, state["organisation_id"]) if state["organisation_id"] else None
    data = write_xlsx([_("Section"), _("Item"), _("Value"), _("Unit")], xlsx_rows(figures, organisation),
                      title=_("Figures"), widths=(30, 30, 14, 12))
    name = f"dashboard-{figures.period.first.isoformat()}-{figures.period.last.isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


STYLE = pygal.style.Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1f2937", foreground_strong="#111827",
    foreground_subtle="#6b7280", colors=("#c2410c", "#0f766e", "#1d4ed8"),
    font_family="'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif",
    label_font_size=14, major_label_font_size=14, title_font_size=17, value_font_size=13)


def chart_svg(chart: str, period: dashboard_figures.Period, organisation_id: int | None) -> bytes:
    """The SVG of ``chart`` (one of :data:`CHARTS`) for ``period`` and the organisation (``None``: all), without
    any script; it reads only the figures it draws."""
    config = pygal.Config(js=[], width=CHART_SIZE[0], height=CHART_SIZE[1], show_legend=False, style=STYLE,
                          print_values=False, x_label_rotation=0, truncate_label=-1, margin=12)
    if chart == "vouchers":
        merchants = dashboard_figures.merchant_series(period, organisation_id)
        graph = pygal.HorizontalBar(config)
        graph.title = str(CHART_TITLES["vouchers", "day"])
        graph.x_labels = [line.name for line in merchants] or [_("None")]
        graph.add(_("yuan"), [line.face_value_fen / 100 for line in merchants] or [0])
    else:
        buckets = dashboard_figures.series(chart, period, organisation_id)
        graph = pygal.Bar(config)
        graph.title = str(CHART_TITLES[chart, dashboard_figures.bucket_unit(period)])
        labels = [day.strftime("%m-%d") for day, _count in buckets]
        graph.x_labels = labels
        graph.x_labels_major_every = max(1, len(labels) // 8)
        graph.show_minor_x_labels = len(labels) <= 10
        values = [count if chart == "signups" else hours(count) for _day, count in buckets]
        graph.add(_("Sign-ups (count)") if chart == "signups" else _("hours"), values)
    return INLINE_SCRIPT.sub(b"", graph.render())


@bp.get("/charts/<chart>.svg")
@talisman(content_security_policy=CHART_CSP)
@role_required(*MANAGERS)
def chart_image(chart: str):
    """One chart of the period as ``image/svg+xml`` (404 for an unknown chart, 422 for an unusable period)."""
    if chart not in CHARTS:
        abort(404)
    state = read_request()
    if state["errors"]:
        return Response(" ".join(state["errors"].values()), status=422, mimetype="text/plain")
    return Response(chart_svg(chart, state["period"], state["organisation_id"]), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=60"})
