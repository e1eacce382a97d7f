"""Stations as spreadsheets: the station list's columns, reading an upload, writing an export.

The reading and writing is :mod:`core.spreadsheets`; this module names the station list's columns (English or
Chinese headers) and its own checks. The rules that turn a row into a station live in
:mod:`stations.transfer_rows`. ``id`` is optional (a row with one updates that station); the seven weekday
columns are optional as a group (left out: the hours stay as they are). At most :data:`MAX_ROWS` stations.
"""

import unicodedata
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core import spreadsheets
from core.spreadsheets import MAX_BYTES, FileRefused, fold, row_values  # noqa: F401 - the station list's API
from stations.errors import InvalidStation
from stations.models import BUILDING
from stations.services import BUILDING_TEXT_MAX, EBIKE_SPOTS_MAX, read_spots

MAX_ROWS = 5000  # stations in one file

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# key: (English header, Chinese header, other names accepted on import). A file format, not page text: an
# export in either language must import in the other, whatever the catalog says, so both are spelt out here.
COLUMNS = {
    "id": ("id", "编号", ("ID", "station id", "站点编号")),
    "name": ("name", "名称", ("站点名称", "station", "站点")),
    "kind": ("kind", "类型", ("type", "场所类型")),
    "address": ("address", "地址", ("详细地址",)),
    "latitude": ("latitude", "纬度", ("lat",)),
    "longitude": ("longitude", "经度", ("lng", "lon", "long")),
    "crs": ("coordinate system", "坐标系", ("crs", "coordinates", "坐标")),
    "amenities": ("amenities", "设施", ("服务", "服务设施", "facilities")),
    "phone": ("phone", "电话", ("联系电话", "telephone", "tel")),
    "active": ("active", "启用", ("是否启用", "enabled", "状态")),
    "holiday_rule": ("holiday rule", "节假日安排", ("holidays", "节假日", "节假日规则")),
    "mon": ("Monday", "星期一", ("周一", "mon")),
    "tue": ("Tuesday", "星期二", ("周二", "tue")),
    "wed": ("Wednesday", "星期三", ("周三", "wed")),
    "thu": ("Thursday", "星期四", ("周四", "thu")),
    "fri": ("Friday", "星期五", ("周五", "fri")),
    "sat": ("Saturday", "星期六", ("周六", "sat")),
    "sun": ("Sunday", "星期日", ("星期天", "周日", "周天", "sun")),
    # a partner building's Haitang pass details (optional; other kinds leave them empty)
    "fast_lane": ("fast lane", "快速通道", ("fast-lane", "海棠通道", "通道")),
    "ebike_spots": ("e-bike spots", "电动车车位", ("ebike spots", "车位", "车位数", "电动车位")),
    "parking_where": ("parking where", "停车位置", ("parking", "车位位置", "停车点")),
}
BUILDING_KEYS = ("fast_lane", "ebike_spots", "parking_where")
REQUIRED = ("name", "kind", "address", "latitude", "longitude")
EXPORT_ORDER = tuple(COLUMNS)


def _weekdays_together(keys: list) -> None:
    days = [key for key in WEEKDAY_KEYS if key in keys]
    if days and len(days) != len(WEEKDAY_KEYS):
        raise FileRefused(_l("Give all seven weekday columns (Monday to Sunday), or none to keep the hours."))


STATION_LIST = spreadsheets.Columns(
    COLUMNS, REQUIRED, max_rows=MAX_ROWS, check_keys=_weekdays_together,
    unknown_column=_l("The column “%(name)s” is not one of the station list's columns. Start from an export to "
                      "get the right headers."),
    too_many_rows=_l("The file has more than %(n)d stations. Split it into smaller files."))


def read_building(values: dict[str, str], kind: str | None) -> tuple[tuple | None, list[str]]:
    """A row's partner-building details and the reasons they cannot be read (user's language).

    The details are ``(fast lane, e-bike spots, where the parking is)`` as stored (``None`` for empty), all
    ``None`` for another kind (a station keeps none), or ``None`` when the file has none of these columns (the
    stored details stay as they are). Spots are a whole number from 0 to 10,000.
    """
    if not any(key in values for key in BUILDING_KEYS):
        return None, []
    if kind != BUILDING:
        return (None, None, None), []
    reasons = []
    fast_lane, parking = values.get("fast_lane", "") or None, values.get("parking_where", "") or None
    if fast_lane is not None and len(fast_lane) > BUILDING_TEXT_MAX:
        reasons.append(_("The fast lane is longer than %(max)d characters.", max=BUILDING_TEXT_MAX))
    if parking is not None and len(parking) > BUILDING_TEXT_MAX:
        reasons.append(_("Where the parking is is longer than %(max)d characters.", max=BUILDING_TEXT_MAX))
    spots_text = unicodedata.normalize("NFKC", values.get("ebike_spots", "")).strip()
    if spots_text.endswith(".0"):  # a spreadsheet's number cell: "12.0"
        spots_text = spots_text[:-2]
    try:
        spots = read_spots(spots_text)
    except InvalidStation:
        spots = None
        reasons.append(_("The e-bike spots “%(text)s” are not a whole number from 0 to %(max)d.",
                         text=values.get("ebike_spots", ""), max=EBIKE_SPOTS_MAX))
    return (fast_lane, spots, parking), reasons


def header_row(language: str) -> list[str]:
    """The export's header row in ``language`` (``"zh"``: Chinese, else English)."""
    return STATION_LIST.header_row(language)


def read_table(filename: str, data: bytes) -> tuple[list[str | None], list[tuple[int, list[str]]]]:
    """The column keys and the data rows of an uploaded station list (see :func:`core.spreadsheets.read_table`).

    Raises :class:`FileRefused` for an empty, too large or unreadable file, wrong headers or too many rows.
    """
    return spreadsheets.read_table(filename, data, STATION_LIST)


def write_csv(header: list[str], rows: Iterable[list]) -> bytes:
    """The station list as CSV bytes (UTF-8 with a BOM, formulas defused)."""
    return spreadsheets.write_csv(header, rows)


WIDTHS = {"id": 8, "name": 24, "kind": 14, "address": 36, "latitude": 12, "longitude": 12, "crs": 12,
          "amenities": 36, "phone": 16, "active": 8, "holiday_rule": 24, "fast_lane": 36, "ebike_spots": 10,
          "parking_where": 28}


def write_xlsx(header: list[str], rows: Iterable[list], title: str = "stations") -> bytes:
    """The station list as XLSX bytes: ids and coordinates as numbers (6 decimals), the rest as text."""
    coordinates = {EXPORT_ORDER.index("latitude"): "0.000000", EXPORT_ORDER.index("longitude"): "0.000000"}
    return spreadsheets.write_xlsx(header, rows, title=title, widths=[WIDTHS.get(key, 22) for key in EXPORT_ORDER],
                                   number_formats=coordinates)
