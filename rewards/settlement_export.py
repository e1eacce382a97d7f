"""A settlement statement as a CSV (UTF-8 with BOM) or XLSX download, headers in the user's language.

Columns: the local date and time, the kind of line, the offer, the masked code (text), the amount in yuan (a
number with two decimals: ``-15.00`` for an adjustment); a totals row closes the list. Text that looks like a
formula (an offer titled ``=1+1``) stays text (:mod:`core.spreadsheets`).
"""

from urllib.parse import quote

from flask_babel import get_locale

from core.spreadsheets import Columns, write_csv, write_xlsx
from core.timeutil import to_local
from rewards.settlement_models import Statement, StatementLine

COLUMNS = Columns(columns={
    "when": ("Date and time", "日期时间", ()),
    "kind": ("Line", "类别", ()),
    "offer": ("Offer", "优惠", ()),
    "code": ("Voucher code (masked)", "券码（隐去）", ()),
    "amount": ("Amount (yuan)", "金额（元）", ()),
}, required=())
KIND_WORDS = {"redemption": ("Redemption", "核销"),
              "adjustment": ("Adjustment (confirmation undone)", "冲减（撤销核销）")}
TOTAL_WORDS = ("Total", "合计")
WIDTHS = (18, 26, 30, 22, 14)
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Yuan(float):
    """An amount in yuan that CSV and XLSX write with two decimals (``15.00``, ``-0.50``); made from fen."""

    def __repr__(self) -> str:
        return f"{self:.2f}"

    __str__ = __repr__


def yuan(fen: int) -> Yuan:
    """Integer fen as a :class:`Yuan` number (``1500`` → ``15.00``)."""
    return Yuan(fen / 100)


def _language() -> str:
    return "zh" if str(get_locale() or "").startswith("zh") else "en"


def export_rows(statement: Statement, lines: list[StatementLine], language: str) -> list[list]:
    """The data rows and the totals row of ``statement``'s ``lines`` (text, and :class:`Yuan` numbers)."""
    pick = 1 if language == "zh" else 0
    rows = [[to_local(line.happened_at).strftime("%Y-%m-%d %H:%M"), KIND_WORDS[line.kind][pick], line.offer_title,
             line.masked_code, yuan(line.amount_fen)] for line in lines]
    rows.append([TOTAL_WORDS[pick], "", "", "", yuan(statement.total_fen)])
    return rows


def filenames(statement: Statement, ext: str) -> tuple[str, str]:
    """``(ASCII name, UTF-8 name)`` of the download: merchant and period, e.g. ``statement-3-month-2026-11-01.csv``
    and ``暖新小厨-结算单-month-2026-11-01.csv``."""
    period = f"{statement.period_kind}-{statement.period_start.isoformat()}"
    return (f"statement-{statement.merchant_id}-{period}.{ext}",
            f"{statement.merchant.name}-{'结算单' if _language() == 'zh' else 'statement'}-{period}.{ext}")


def content_disposition(statement: Statement, ext: str) -> str:
    """The ``Content-Disposition`` header: an ASCII ``filename`` and the RFC 5987 ``filename*`` in UTF-8."""
    ascii_name, full_name = filenames(statement, ext)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"


def export_bytes(statement: Statement, lines: list[StatementLine], ext: str) -> bytes:
    """The statement as ``csv`` or ``xlsx`` bytes (headers and words in the user's language)."""
    language = _language()
    header, rows = COLUMNS.header_row(language), export_rows(statement, lines, language)
    if ext == "csv":
        return write_csv(header, rows)
    return write_xlsx(header, rows, title=f"{statement.period_kind} {statement.period_start.isoformat()}",
                      widths=WIDTHS, number_formats={4: "0.00"})
