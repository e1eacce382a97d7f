"""Lists as spreadsheets: read an uploaded CSV or XLSX into rows of text, write an export as CSV or XLSX.

Pure functions over bytes and plain values (no database, no request); each list (stations, riders, tasks,
statements, dashboard figures) describes its columns with a :class:`Columns` and keeps its own row rules.

* A header row, then one record a row. Headers are English or Chinese, in any order, case and width ignored;
  an unknown header is refused (a typo would otherwise drop a column silently).
* CSV in UTF-8 (with or without the BOM Excel writes) or GB18030 (what Chinese Excel saves as "CSV"); XLSX
  from Excel, WPS or LibreOffice. At most :data:`MAX_BYTES` bytes and ``Columns.max_rows`` rows.
* Exports never run a cell: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` in CSV (OWASP's advice) and is stored as a string cell in XLSX; numbers stay numbers.
"""

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

MAX_BYTES = 2 * 1024 * 1024  # an upload, in bytes
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # an XLSX is a zip: what its parts may unpack to (5,000 rows need ~3 MB)
MAX_CELL = 500  # characters kept of one cell (longer text is refused by the row rules, never stored)
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(ValueError):
    """An upload that is not a readable list; ``str()`` is the message for the person who sent it."""

    def __init__(self, message):
        super().__init__(str(message))


def fold(text) -> str:
    """Text as compared on import: NFKC (full-width to half-width), trimmed, case-folded, spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text or "")).strip()).casefold()


@dataclass(frozen=True)
class Columns:
    """The columns of one kind of list.

    ``columns``: ``{key: (English header, Chinese header, (other accepted names, …))}`` in export order — a
    file format, not page text, so both languages are spelt out (an export in either language imports in
    the other). ``required``: keys a file must have. ``unknown_column`` (a message with ``%(name)s``) and
    ``too_many_rows`` (with ``%(n)d``) name the list in the messages. ``check_keys`` may refuse a header row
    by raising :class:`FileRefused` (e.g. a group of columns that must come together).
    """

    columns: dict[str, tuple[str, str, tuple[str, ...]]]
    required: tuple[str, ...]
    unknown_column: object = _l("The column “%(name)s” is not one of this list's columns. Start from the "
                                "template or an export to get the right headers.")
    too_many_rows: object = _l("The file has more than %(n)d rows. Split it into smaller files.")
    max_rows: int = 5000
    check_keys: Callable[[list], None] | None = None
    _names: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._names.update({fold(name): key for key, (en, zh, more) in self.columns.items()
                            for name in (key, en, zh, *more)})

    def key_of(self, header: str) -> str | None:
        """The key of a header cell's text, or ``None`` when it names no column."""
        return self._names.get(fold(header))

    def header_row(self, language: str) -> list[str]:
        """The export's header row in ``language`` (``"zh"``: Chinese, else English)."""
        return [zh if language == "zh" else en for en, zh, _more in self.columns.values()]


def map_headers(cells: list[str], spec: Columns) -> list[str | None]:
    """The column key of each header cell (``None`` for an empty header, whose column must stay empty).

    Raises :class:`FileRefused` for an unknown or repeated header, or when a required column is missing.
    """
    keys: list[str | None] = []
    for cell in cells:
        if not fold(cell):
            keys.append(None)
            continue
        key = spec.key_of(cell)
        if key is None:
            raise FileRefused(spec.unknown_column % {"name": str(cell)[:40]})
        if key in keys:
            raise FileRefused(_l("The column “%(name)s” appears twice.", name=str(cell)[:40]))
        keys.append(key)
    chinese = str(get_locale() or "").startswith("zh")
    missing = [f"{spec.columns[key][1]} ({spec.columns[key][0]})" if chinese else spec.columns[key][0]
               for key in spec.required if key not in keys]
    if missing:
        raise FileRefused(_l("The first row must be the column headers; these are missing: %(names)s.",
                             names=", ".join(missing)))
    if spec.check_keys is not None:
        spec.check_keys(keys)
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
    """An XLSX cell as text: whole numbers without ``.0``, dates as ``YYYY-MM-DD``, times as ``HH:MM``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "strftime") and hasattr(value, "hour"):
        if hasattr(value, "year") and (value.hour, value.minute) == (0, 0) and value.year > 1900:
            return value.strftime("%Y-%m-%d")  # a date cell (openpyxl reads it as midnight)
        if hasattr(value, "year") and value.year > 1900:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.strftime("%H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _read_xlsx(data: bytes, max_rows: int) -> list[list[str]]:
    from openpyxl import load_workbook  # a large import, needed only here and in the export

    refused = _l("This XLSX file cannot be opened. Save it again from Excel or WPS and retry.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        unpacked = None
    if unpacked is None or unpacked > MAX_UNPACKED_BYTES:  # a "zip bomb" would fill the memory
        raise FileRefused(refused)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds (zip, XML, KeyError) for a damaged file
        raise FileRefused(refused) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in row[:MAX_COLUMNS + 1]])
            if len(rows) > max_rows + 1:
                break
        return rows
    except Exception:  # noqa: BLE001
        raise FileRefused(refused) from None
    finally:
        workbook.close()


def read_table(filename: str, data: bytes, spec: Columns) -> tuple[list[str | None], list[tuple[int, list[str]]]]:
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
        rows = _read_xlsx(data, spec.max_rows)
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
    keys = map_headers(header, spec)
    if len(body) > spec.max_rows:
        raise FileRefused(spec.too_many_rows % {"n": spec.max_rows})
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
    """CSV bytes in UTF-8 with a BOM (so Chinese Excel reads them), CRLF line ends, formulas defused.

    Numbers (``int``/``float``) are written as they are; everything else as text through :func:`csv_safe`."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([cell if isinstance(cell, int | float) and not isinstance(cell, bool) else csv_safe(cell)
                         for cell in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(header: list[str], rows: Iterable[list], *, title: str = "list", widths: Iterable[int] = (),
               number_formats: dict[int, str] | None = None) -> bytes:
    """XLSX bytes: a bold header row, frozen; numbers as number cells, everything else as string cells (so
    ``=1+1``, ``+86…`` or a 16-digit code stays text: openpyxl would otherwise store a formula or a float).

    ``widths``: column widths in characters, in order (22 for the rest); ``number_formats``: ``{column index
    from 0: Excel format}`` for number cells, e.g. ``{3: "0.00"}``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    number_formats = number_formats or {}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = re.sub(r"[\\/*?:\[\]]", " ", title)[:31] or "list"
    sheet.append([str(cell) for cell in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(row))
        line = sheet.max_row
        for index, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=index)
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
                if index - 1 in number_formats:
                    cell.number_format = number_formats[index - 1]
            elif value not in (None, ""):
                cell.value = str(value)
                cell.data_type = "s"  # never a formula ("f"), whatever the text starts with
                if str(value).startswith(DANGEROUS_START):
                    cell.quotePrefix = True
    widths = list(widths)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[index - 1] if index <= len(widths) else 22
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
