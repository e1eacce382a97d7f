"""The entry figures of the Haitang pass as a CSV (UTF-8 with a BOM) or XLSX download.

One row per building and day, then per building and ISO week, then per building over the period, then the
same for all the buildings together: ``building, unit (day/week/period), first day, last day, entries,
distinct riders`` (numbers as numbers).
"""

from flask import Response
from flask_babel import gettext as _

from core.spreadsheets import write_csv, write_xlsx
from passes.figures import ALL, Figures

EXTENSIONS = {"csv": "text/csv; charset=utf-8",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def header() -> list[str]:
    """The header row, in the user's language."""
    return [_("Building"), _("Unit"), _("First day"), _("Last day"), _("Entries"), _("Distinct riders")]


def rows(figures: Figures) -> list[list]:
    """The rows of the export (see the module's docstring); all-building rows only with several buildings."""
    scopes = [(building.id, building.name) for building in figures.buildings]
    if len(scopes) != 1:
        scopes.append((ALL, _("All buildings")))
    out = []
    for key, name in scopes:
        for day in figures.period.days:
            count = figures.day(key, day)
            out.append([name, _("Day"), day.isoformat(), day.isoformat(), count.entries, count.riders])
        for monday in figures.period.weeks:
            first, last = figures.week_span(monday)
            count = figures.week(key, monday)
            out.append([name, _("Week"), first.isoformat(), last.isoformat(), count.entries, count.riders])
        count = figures.over(key)
        out.append([name, _("Period"), figures.period.first.isoformat(), figures.period.last.isoformat(),
                    count.entries, count.riders])
    return out


def export(figures: Figures, ext: str, stem: str) -> Response:
    """The download of ``figures`` as ``ext`` (a key of :data:`EXTENSIONS`), named ``stem-first-last.ext``."""
    if ext == "csv":
        data = write_csv(header(), rows(figures))
    else:
        data = write_xlsx(header(), rows(figures), title=_("Entries"), widths=(24, 10, 12, 12, 10, 14))
    name = f"{stem}-{figures.period.first.isoformat()}-{figures.period.last.isoformat()}.{ext}"
    return Response(data, content_type=EXTENSIONS[ext],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def day_label(day) -> str:
    """A local day as the pages show it, in the user's language: ``12月3日 周四`` / ``Thu 3 Dec``."""
    from flask_babel import format_date, get_locale

    return format_date(day, "M月d日 EEE" if str(get_locale()) == "zh" else "EEE d MMM")
