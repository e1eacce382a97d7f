"""A list of tasks as a CSV or XLSX file: read it, sort its rows, post the tasks through the task service.

:func:`plan_import` sorts the rows of a file (read with :func:`read_table`) into tasks to post and bad rows, each
bad row with every reason in the user's language; nothing is written. :func:`save_import` posts the good rows with
:func:`volunteer.services.create_task` (every rule of a task applies, each is journalled) in the caller's
transaction (flushes, never commits).

Columns (headers in English or Chinese): title, category (a code or a label in either language, e.g. 培训 or
training), place, date, start, end (times of that date; or start and end as whole date-times, then no date),
places, points, description (optional), latitude and longitude (optional, together). Dates and times are local
time: ``2026-12-05``, ``2026/12/5``, ``2026年12月5日``, ``2026.12.5`` or an XLSX date cell; ``9:00``, ``09:00:00``,
``9点``, ``9点30分`` or an XLSX time cell. A task that starts in the past is refused; so is one the organisation
already has (same title and start) or one given twice in the file.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import User
from core import spreadsheets
from core.errors import DomainError
from core.spreadsheets import FileRefused, fold, row_values
from core.timeutil import from_local, utcnow
from extensions import db
from volunteer import services
from volunteer.models import CATEGORIES, CATEGORY_LABELS, Task

MAX_ROWS = 1000  # tasks in one file
TITLE_MAX, PLACE_MAX = 100, 200  # characters, as the task form
# The task form takes 2000 characters, but a file's cell is cut at MAX_CELL characters when read: a cell that long
# may have been cut, so it is refused rather than stored cut short.
DESCRIPTION_MAX = spreadsheets.MAX_CELL - 1
PLACES_MAX, POINTS_MAX = 1000, 10000

COLUMNS = {
    "title": ("title", "标题", ("任务名称", "任务", "名称", "task", "name")),
    "category": ("category", "类别", ("类型", "分类", "任务类别", "kind", "type")),
    "place": ("place", "地点", ("地址", "集合地点", "address", "location")),
    "date": ("date", "日期", ("活动日期", "day")),
    "start": ("start", "开始时间", ("开始", "starts", "start time", "starts at")),
    "end": ("end", "结束时间", ("结束", "ends", "end time", "ends at")),
    "places": ("places", "名额", ("人数", "招募人数", "需要人数", "spots")),
    "points": ("points", "积分", ("奖励积分", "分值")),
    "description": ("description", "说明", ("描述", "任务说明", "备注", "details", "notes")),
    "latitude": ("latitude", "纬度", ("lat",)),
    "longitude": ("longitude", "经度", ("lng", "lon", "long")),
}
REQUIRED = ("title", "category", "place", "start", "end", "places", "points")
CATEGORY_WORDS = {"training": ("培训活动", "技能培训", "安全培训"),
                  "traffic_safety": ("交通安全", "交通劝导", "文明劝导"),
                  "patrol": ("平安巡逻", "巡查"), "elderly_care": ("助老", "敬老", "关爱老人"),
                  "errands": ("跑腿", "代办"), "first_aid": ("急救", "应急救护"),
                  "community": ("志愿服务",)}
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_TIME = re.compile(r"(\d{1,2})\s*[:点时]\s*(\d{1,2})?\s*分?(?::(\d{1,2}))?")


def _coordinates_together(keys: list) -> None:
    if ("latitude" in keys) != ("longitude" in keys):
        raise FileRefused(_l("Give both the latitude and the longitude columns, or neither."))


TASK_LIST = spreadsheets.Columns(
    COLUMNS, REQUIRED, max_rows=MAX_ROWS, check_keys=_coordinates_together,
    unknown_column=_l("The column “%(name)s” is not one of the task list's columns. Start from the template to "
                      "get the right headers."),
    too_many_rows=_l("The file has more than %(n)d tasks. Split it into smaller files."))


def read_table(filename: str, data: bytes) -> tuple[list[str | None], list[tuple[int, list[str]]]]:
    """The column keys and data rows of an uploaded task list (see :func:`core.spreadsheets.read_table`).

    Raises :class:`FileRefused` for an empty, too large or unreadable file, wrong headers or too many rows."""
    return spreadsheets.read_table(filename, data, TASK_LIST)


def template_csv(language: str) -> bytes:
    """An empty task list (the header row in ``language``, ``"zh"`` or else English) as CSV with a BOM."""
    return spreadsheets.write_csv(TASK_LIST.header_row(language), [])


@dataclass
class TaskRow:
    """A good row: a task's values as :func:`volunteer.services.create_task` takes them (times aware UTC)."""

    number: int
    title: str
    category: str
    place: str
    starts_at: datetime
    ends_at: datetime
    places: int
    points: int
    description: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class BadRow:
    """A row that cannot be imported: its spreadsheet row ``number`` and every reason (user's language)."""

    number: int
    reasons: list[str]
    name: str = ""


@dataclass
class ImportPlan:
    """What an import would do: the tasks to post and the bad rows."""

    new: list[TaskRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        """``[new, bad]``."""
        return [len(self.new), len(self.bad)]


def category_words() -> dict[str, str]:
    """Folded codes, labels in both languages and common words → category code (needs an app context)."""
    words = {fold(code): code for code in CATEGORIES}
    for language in ("en", "zh"):
        with force_locale(language):
            words.update({fold(str(label)): code for code, label in CATEGORY_LABELS.items()})
    words.update({fold(word): code for code, more in CATEGORY_WORDS.items() for word in more})
    return words


def parse_date(text: str) -> date | None:
    """``2026-12-05``, ``2026/12/5``, ``2026.12.5`` or ``2026年12月5日`` as a date; ``None`` otherwise."""
    match = _DATE.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """``9:00``, ``09:00:00``, ``9点``, ``9点30分`` or ``9：30`` as a time; ``None`` otherwise."""
    match = _TIME.fullmatch(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def parse_moment(text: str, day: date | None) -> datetime | None:
    """A cell as a naive local date-time: a whole date-time (``2026-12-05 09:00``), or a time on ``day``."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace("T", " ")
    match = _DATE.match(cleaned)
    if match:
        on, rest = parse_date(match.group(0)), cleaned[match.end():].strip()
        at = parse_time(rest) if rest else None
        return datetime.combine(on, at) if on and at else None
    at = parse_time(cleaned)
    return datetime.combine(day, at) if day and at else None


def _whole(text: str, low: int, high: int) -> int | None:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"\d{1,6}(\.0+)?", cleaned):
        value = int(float(cleaned))
        return value if low <= value <= high else None
    return None


def _number(text: str) -> float | None:
    try:
        value = float(unicodedata.normalize("NFKC", text).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _text_rules(values: dict[str, str], reasons: list[str]) -> tuple[str, str, str]:
    title, place, description = (values.get(key, "") for key in ("title", "place", "description"))
    if not title:
        reasons.append(_("The title is missing."))
    elif len(title) > TITLE_MAX:
        reasons.append(_("The title is longer than %(max)d characters.", max=TITLE_MAX))
    if not place:
        reasons.append(_("The place is missing."))
    elif len(place) > PLACE_MAX:
        reasons.append(_("The place is longer than %(max)d characters.", max=PLACE_MAX))
    if len(description) > DESCRIPTION_MAX:
        reasons.append(_("The description is longer than %(max)d characters: shorten it, or add the rest on the "
                         "task's page after the import.", max=DESCRIPTION_MAX))
    return title, place, description


def _time_rules(values: dict[str, str], reasons: list[str], now: datetime) -> tuple[datetime | None, ...]:
    day = None
    if values.get("date"):
        day = parse_date(values["date"])
        if day is None:
            reasons.append(_("The date “%(text)s” is not a date such as 2026-12-05 or 2026年12月5日.",
                             text=values["date"]))
    moments, undated = [], False
    for key, missing, unreadable in (
            ("start", _("The start is missing."), _("The start “%(text)s” is not a time such as 09:00 (with a date "
                                                   "column) or a date and time such as 2026-12-05 09:00.")),
            ("end", _("The end is missing."), _("The end “%(text)s” is not a time such as 11:00 (with a date "
                                               "column) or a date and time such as 2026-12-05 11:00."))):
        text = values.get(key, "")
        moment = parse_moment(text, day) if text else None
        if not text:
            reasons.append(missing)
        elif moment is None and day is None and not values.get("date") and parse_time(text) is not None:
            undated = True  # a time, but no date to put it on: said once below
        elif moment is None and (day is not None or not values.get("date")):
            reasons.append(unreadable % {"text": text})
        moments.append(from_local(moment) if moment else None)
    if undated:
        reasons.append(_("The date is missing: fill in the date column, or write the start and end as a date and "
                         "time such as 2026-12-05 09:00."))
    starts_at, ends_at = moments
    if starts_at and ends_at and ends_at <= starts_at:
        reasons.append(_("The end must be after the start."))
    if starts_at and starts_at <= now:
        reasons.append(_("The start is in the past: only tasks still to come are imported."))
    return starts_at, ends_at


def parse_row(number: int, values: dict[str, str], categories: dict[str, str], now: datetime) -> TaskRow | BadRow:
    """One data row (``{column key: text}``) as a :class:`TaskRow`, or a :class:`BadRow` with every reason."""
    reasons: list[str] = []
    title, place, description = _text_rules(values, reasons)
    category_text = values.get("category", "")
    category = categories.get(fold(category_text))
    if category is None:
        reasons.append(_("Unknown category “%(text)s”.", text=category_text) if category_text
                       else _("The category is missing."))
    starts_at, ends_at = _time_rules(values, reasons, now)
    places = _whole(values.get("places", ""), 1, PLACES_MAX)
    if not values.get("places"):
        reasons.append(_("The places are missing."))
    elif places is None:
        reasons.append(_("Places must be a whole number between 1 and %(max)d, not “%(text)s”.", max=PLACES_MAX,
                         text=values.get("places", "")))
    points = _whole(values.get("points", ""), 1, POINTS_MAX)
    if not values.get("points"):
        reasons.append(_("The points are missing."))
    elif points is None:
        reasons.append(_("Points must be a whole number between 1 and %(max)d, not “%(text)s”.", max=POINTS_MAX,
                         text=values.get("points", "")))
    latitude = longitude = None
    if values.get("latitude") or values.get("longitude"):
        latitude, longitude = _number(values.get("latitude", "")), _number(values.get("longitude", ""))
        if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            reasons.append(_("Give the latitude (−90 to 90) and the longitude (−180 to 180) as numbers, or leave "
                             "both empty."))
    if reasons:
        return BadRow(number, reasons, title[:TITLE_MAX])
    return TaskRow(number=number, title=title, category=category, place=place, starts_at=starts_at,
                   ends_at=ends_at, places=places, points=points, description=description, latitude=latitude,
                   longitude=longitude)


def plan_import(keys: list, body: list[tuple[int, list[str]]], *, organisation_id: int,
                now: datetime | None = None) -> ImportPlan:
    """Sort a file's rows (see :func:`read_table`) for an organisation; writes nothing.

    A task the organisation has already (same title and start, not cancelled) or one given twice in the file is
    a bad row, so uploading the same file again posts nothing twice."""
    now, categories, plan = now or utcnow(), category_words(), ImportPlan()
    parsed = [parse_row(number, row_values(keys, cells), categories, now) for number, cells in body]
    starts = {row.starts_at for row in parsed if isinstance(row, TaskRow)}
    existing = {(fold(title), starts_at) for title, starts_at in db.session.execute(
        sa.select(Task.title, Task.starts_at).where(Task.organisation_id == organisation_id,
                                                    Task.status != "cancelled", Task.starts_at.in_(starts)))
                } if starts else set()
    seen: dict[tuple, int] = {}
    for row in parsed:
        key = (fold(row.title), row.starts_at) if isinstance(row, TaskRow) else None
        if isinstance(row, BadRow):
            plan.bad.append(row)
        elif key in seen:
            plan.bad.append(BadRow(row.number, [_("The same task (title and start) is also in row %(row)d.",
                                                  row=seen[key])], row.title))
        elif key in existing:
            plan.bad.append(BadRow(row.number, [_("Your organisation has this task already (same title and "
                                                  "start).")], row.title))
        else:
            seen[key] = row.number
            plan.new.append(row)
    return plan


def save_import(plan: ImportPlan, *, actor: User, now: datetime | None = None) -> int:
    """Post a task of ``actor``'s organisation for each good row through :func:`volunteer.services.create_task`
    (its rules apply, each task is journalled); return how many. Flushes, never commits. Raises
    :class:`RowRefused` naming the row when the service refuses one (the caller rolls back)."""
    now = now or utcnow()
    for row in plan.new:
        try:
            services.create_task(actor=actor, title=row.title, description=row.description, category=row.category,
                                 place=row.place, starts_at=row.starts_at, ends_at=row.ends_at, places=row.places,
                                 points=row.points, latitude=row.latitude, longitude=row.longitude, now=now)
        except DomainError as error:
            raise RowRefused(row.number, error.message) from None
    return len(plan.new)


class RowRefused(DomainError):
    """A row the task service refused while saving though the preview let it through."""

    status = 422

    def __init__(self, number: int, message: str):
        super().__init__(_l("Row %(row)d: %(reason)s", row=number, reason=message))
