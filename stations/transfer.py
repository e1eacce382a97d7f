"""Stations as spreadsheets: the columns, reading an uploaded CSV or XLSX into rows of text, writing an export.

Pure functions over bytes and plain values (no database, no request). The rules that turn a row into a
station live in :mod:`stations.transfer_rows`.

The file format:

* A header row, then one station a row. Headers are English or Chinese (:data:`COLUMNS`), in any order,
  case and width ignored; an unknown header is refused (a typo would otherwise drop a column silently).
  ``id`` is optional (a row with one updates that station); the seven weekday columns are optional as a
  group (left out: the hours stay as they are).
* CSV in UTF-8 (with or without the BOM Excel writes) or GB18030 (what Chinese Excel saves as "CSV"); XLSX
  from Excel, WPS or LibreOffice. At most :data:`MAX_BYTES` bytes and :data:`MAX_ROWS` stations.
* Exports are written so a spreadsheet never runs a cell: text starting with ``=``, ``+``, ``-``, ``@``, a tab
  or a carriage return gets a leading ``'`` in CSV (OWASP's advice) and is stored as a string cell in XLSX.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

MAX_BYTES = 2 * 1024 * 1024  # an upload, in bytes
MAX_ROWS = 5000  # stations in one file
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # an XLSX is a zip: what its parts may unpack to (5,000 rows need ~3 MB)
MAX_CELL = 500  # characters kept of one cell (longer text is refused by the row rules, never stored)

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
}
REQUIRED = ("name", "kind", "address", "latitude", "longitude")
EXPORT_ORDER = tuple(COLUMNS)
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(ValueError):
    """An upload that is not a readable station list; ``str()`` is the message for the coordinator."""

    def __init__(self, message):
        super().__init__(str(message))


def fold(text) -> str:
    """Text as compared on import: NFKC (full-width to half-width), trimmed, case-folded, spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or "")).strip()).casefold()


_HEADER_KEYS = {fold(name): key for key, (en, zh, more) in COLUMNS.items() for name in (key, en, zh, *more)}


def header_row(language: str) -> list[str]:
    """The export's header row in ``language`` (``"zh"``: Chinese, else English)."""
    return [COLUMNS[key][1] if language == "zh" else COLUMNS[key][0] for key in EXPORT_ORDER]


def map_headers(cells: list[str]) -> list[str | None]:
    """The column key of each header cell (``None`` for an empty header, whose column must stay empty).

    Raises :class:`FileRefused` for an unknown or repeated header, or when a required column is missing.
    """
    keys: list[str | None] = []
    for cell in cells:
        text = fold(cell)
        if not text:
            keys.append(None)
            continue
        key = _HEADER_KEYS.get(text)
        if key is None:
            raise FileRefused(_l("The column “%(name)s” is not one of the station list's columns. Start from "
                                 "an export to get the right headers.", name=str(cell)[:40]))
        if key in keys:
            raise FileRefused(_l("The column “%(name)s” appears twice.", name=str(cell)[:40]))
        keys.append(key)
    chinese = str(get_locale() or "").startswith("zh")
    missing = [f"{COLUMNS[key][1]} ({COLUMNS[key][0]})" if chinese else COLUMNS[key][0]
               for key in REQUIRED if key not in keys]
    if missing:
        raise FileRefused(_l("The first row must be the column headers; these are missing: %(names)s.",
                             names=", ".join(missing)))
    days = [key for key in WEEKDAY_KEYS if key in keys]
    if days and len(days) != len(WEEKDAY_KEYS):
        raise FileRefused(_l("Give all seven weekday columns (Monday to Sunday), or none to keep the hours."))
    return keys


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (a BOM is dropped), else GB18030. Raises :class:`FileRefused`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:  # a binary file that happens to decode (GB18030 reads nearly anything)
            break
        return text
    raise FileRefused(_l("This file is not a CSV text file. Save the spreadsheet as CSV (UTF-8) or XLSX."))


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # the header row decides: a comma, or the semicolon or tab some European Excel settings save with
    delimiter = max((",", ";", "\t"), key=first_line.count) if first_line.count(",") == 0 else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileRefused(_l("This CSV file cannot be read. Save the spreadsheet again as CSV or XLSX.")) from None


def _cell_text(value) -> str:
    """An XLSX cell as text: whole numbers without ``.0``, times as ``HH:MM``, nothing for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        return value.strftime("%H:%M")
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # a large import, needed only here and in the export

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = None
    if unpacked is None or unpacked > MAX_UNPACKED_BYTES:  # a "zip bomb" would fill the memory
        raise FileRefused(_l("This XLSX file cannot be opened. Save it again from Excel or WPS and retry."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds (zip, XML, KeyError) for a damaged file
        raise FileRefused(_l("This XLSX file cannot be opened. Save it again from Excel or WPS and retry.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row[:MAX_COLUMNS + 1]])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except Exception:  # noqa: BLE001
        raise FileRefused(_l("This XLSX file cannot be opened. Save it again from Excel or WPS and retry.")) from None
    finally:
        workbook.close()


def read_table(filename: str, data: bytes) -> tuple[list[str | None], list[tuple[int, list[str]]]]:
    """The column keys and the data rows of an uploaded file, each row as ``(row number, cells)``.

    The row number is the one the spreadsheet shows (the header is row 1); blank rows are skipped but
    counted. ``filename`` decides CSV or XLSX (by its ending; an XLSX is also recognised by its content).
    Raises :class:`FileRefused` for an empty, too large or unreadable file, wrong headers or too many rows.
    """
    if not data:
        raise FileRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileRefused(_l("The file is larger than %(size)d MB. Split it into smaller files.",
                             size=MAX_BYTES // (1024 * 1024)))
    name = (filename or "").lower()
    if name.endswith(".xlsx") or (zipfile.is_zipfile(io.BytesIO(data)) and not name.endswith(".csv")):
        rows = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name:
        if zipfile.is_zipfile(io.BytesIO(data)):
            raise FileRefused(_l("This file is not a CSV text file. Save the spreadsheet as CSV (UTF-8) or XLSX."))
        rows = _read_csv(data)
    else:
        raise FileRefused(_l("Upload a .csv or .xlsx file."))
    rows = [[unicodedata.normalize("NFC", cell)[:MAX_CELL] for cell in row] for row in rows]
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise FileRefused(_l("The file is empty."))
    (_header_number, header), body = numbered[0], numbered[1:]
    if len(header) > MAX_COLUMNS:
        raise FileRefused(_l("The file has too many columns."))
    keys = map_headers(header)
    if len(body) > MAX_ROWS:
        raise FileRefused(_l("The file has more than %(n)d stations. Split it into smaller files.", n=MAX_ROWS))
    return keys, body


def row_values(keys: list[str | None], cells: list[str]) -> dict[str, str]:
    """A data row as ``{column key: cell text}`` (missing cells empty; a leading ``'`` from an export dropped)."""
    values = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        text = cells[index] if index < len(cells) else ""
        if text.startswith("'") and text[1:2] in DANGEROUS_START and text[1:2]:
            text = text[1:]  # the quote an export put before =, +, -, @
        values[key] = text.strip()
    return values


# --- export ------------------------------------------------------------------------------------------------

def csv_safe(value) -> str:
    """A value as CSV text a spreadsheet shows as text: a leading ``'`` when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_START) else text


def write_csv(header: list[str], rows: Iterable[list]) -> bytes:
    """CSV bytes in UTF-8 with a BOM (so Chinese Excel reads them), CRLF line ends, formulas defused."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([cell if isinstance(cell, int | float) else csv_safe(cell) for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


NUMBER_KEYS = ("id", "latitude", "longitude")
WIDTHS = {"id": 8, "name": 24, "kind": 14, "address": 36, "latitude": 12, "longitude": 12, "crs": 12,
          "amenities": 36, "phone": 16, "active": 8, "holiday_rule": 24}


def write_xlsx(header: list[str], rows: Iterable[list], title: str = "stations") -> bytes:
    """XLSX bytes: a bold header row, fixed column widths, ids and coordinates as numbers, everything else as
    string cells (so ``=1+1`` or ``+86…`` stays text: openpyxl would otherwise store a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(row))
        line = sheet.max_row
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=index)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
                if EXPORT_ORDER[index - 1] in ("latitude", "longitude"):
                    cell.number_format = "0.000000"
            elif value not in (None, ""):
                cell.value = str(value)
                cell.data_type = "s"  # never a formula ("f"), whatever the text starts with
                if str(value).startswith(DANGEROUS_START):
                    cell.quotePrefix = True
    for index, key in enumerate(EXPORT_ORDER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(key, 22)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
