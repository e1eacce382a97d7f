"""A street office's list of riders as a CSV or XLSX file: read it, sort its rows, create the riders.

:func:`plan_import` sorts the rows of a file (read with :func:`read_table`) into new riders and bad rows, each bad
row with every reason in the user's language; nothing is written. :func:`save_import` creates the riders of the
good rows in the caller's transaction (flushes, never commits).

Columns (headers in English or Chinese): name (姓名), phone (手机号/电话), trade (行业/职业, optional: a code, a
label in either language or a common word such as 外卖, 快递, 网约车, 货运) and platform (平台, optional, free
text). A phone that already has an account is a bad row: an existing account is never modified. An imported
rider belongs to the importing organisation (``User.organisation_id``, so it is in that organisation's scope,
:mod:`accounts.scope`), has no usable password and confirms the phone by an SMS code on first log-in.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import TRADE_LABELS, TRADES, User
from accounts.phones import normalise_phone
from core import spreadsheets
from core.db import insert_ignoring_conflicts
from core.errors import DomainError
from core.spreadsheets import FileRefused, fold, row_values  # noqa: F401 - the rider list's API
from core.text import mask_phone
from core.timeutil import utcnow
from extensions import db

MAX_ROWS = 5000  # riders in one file
NAME_MAX = 50  # characters, as User.name
PLATFORM_MAX = 50  # characters, as User.platform

# key: (English header, Chinese header, other names accepted). A file format, not page text: spelt out in both.
COLUMNS = {
    "name": ("name", "姓名", ("名字", "骑手姓名", "full name", "rider")),
    "phone": ("phone", "手机号", ("电话", "手机", "手机号码", "联系电话", "电话号码", "mobile", "phone number",
                                 "mobile number", "tel")),
    "trade": ("trade", "行业", ("职业", "工种", "从业类型", "work", "occupation")),
    "platform": ("platform", "平台", ("所属平台", "app", "company", "公司")),
}
REQUIRED = ("name", "phone")
TRADE_WORDS = {  # common words on street offices' lists, beyond the codes and labels
    "food_delivery": ("外卖", "外卖骑手", "外卖员", "送餐", "送外卖", "delivery", "food delivery rider"),
    "courier": ("快递", "快递员", "快递小哥", "快递配送"),
    "ride_hailing": ("网约车", "网约车司机", "网约车驾驶员", "ride hailing", "ridehailing"),
    "freight": ("货运", "货车司机", "货运司机", "trucking"),
}
UNUSABLE_PREFIX = "!imported:"  # no hash werkzeug makes: check_password is always False

journal.describe({"account.import": _l("Rider imported from a list")}, filename=_l("File"))

RIDER_LIST = spreadsheets.Columns(
    COLUMNS, REQUIRED, max_rows=MAX_ROWS,
    unknown_column=_l("The column “%(name)s” is not one of the rider list's columns (name, phone, trade, "
                      "platform). Start from the template to get the right headers."),
    too_many_rows=_l("The file has more than %(n)d riders. Split it into smaller files."))


def read_table(filename: str, data: bytes) -> tuple[list[str | None], list[tuple[int, list[str]]]]:
    """The column keys and data rows of an uploaded rider list (see :func:`core.spreadsheets.read_table`).

    Raises :class:`FileRefused` for an empty, too large or unreadable file, wrong headers or too many rows."""
    return spreadsheets.read_table(filename, data, RIDER_LIST)


def template_csv(language: str) -> bytes:
    """An empty rider list (the header row in ``language``, ``"zh"`` or else English) as CSV with a BOM."""
    return spreadsheets.write_csv(RIDER_LIST.header_row(language), [])


@dataclass
class RiderRow:
    """A good row: a rider to create (``phone``: 11 digits; ``trade``: a code of TRADES or ``None``)."""

    number: int
    name: str
    phone: str
    trade: str | None
    platform: str | None


@dataclass
class BadRow:
    """A row that cannot be imported: its spreadsheet row ``number`` and every reason (user's language)."""

    number: int
    reasons: list[str]
    name: str = ""


@dataclass
class ImportPlan:
    """What an import would do: the riders to create and the bad rows."""

    new: list[RiderRow] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    @property
    def counts(self) -> list[int]:
        """``[new, bad]``."""
        return [len(self.new), len(self.bad)]


def trade_words() -> dict[str, str]:
    """Folded codes, labels in both languages and common words → trade code (needs an app context)."""
    words = {fold(code): code for code in TRADES}
    for language in ("en", "zh"):
        with force_locale(language):
            words.update({fold(str(label)): code for code, label in TRADE_LABELS.items()})
    words.update({fold(word): code for code, more in TRADE_WORDS.items() for word in more})
    return words


def parse_row(number: int, values: dict[str, str], trades: dict[str, str]) -> RiderRow | BadRow:
    """One data row (``{column key: text}``) as a :class:`RiderRow`, or a :class:`BadRow` with every reason."""
    reasons = []
    name = " ".join(values.get("name", "").split())
    if not name:
        reasons.append(_("The rider's name is missing."))
    elif len(name) > NAME_MAX:
        reasons.append(_("The rider's name is longer than %(max)d characters.", max=NAME_MAX))
    raw_phone = values.get("phone", "")
    phone = normalise_phone(raw_phone)
    if not raw_phone:
        reasons.append(_("The mobile number is missing."))
    elif phone is None:
        reasons.append(_("“%(text)s” is not a mainland mobile number (11 digits starting with 1).", text=raw_phone))
    trade_text = values.get("trade", "")
    trade = trades.get(fold(trade_text)) if trade_text else None
    if trade_text and trade is None:
        reasons.append(_("Unknown trade “%(text)s”: write food delivery (外卖), courier (快递), ride-hailing "
                         "(网约车) or freight (货运).", text=trade_text))
    platform = values.get("platform", "") or None
    if platform is not None and len(platform) > PLATFORM_MAX:
        reasons.append(_("The platform is longer than %(max)d characters.", max=PLATFORM_MAX))
    if reasons:
        return BadRow(number, reasons, name[:NAME_MAX])
    return RiderRow(number=number, name=name, phone=phone, trade=trade, platform=platform)


def existing_phones(phones: set[str]) -> set[str]:
    """The phones of ``phones`` that already have an account (any role, deactivated or deleted included)."""
    found: set[str] = set()
    ordered = sorted(phones)
    for start in range(0, len(ordered), 500):  # bounded IN lists
        found.update(db.session.scalars(sa.select(User.phone).where(User.phone.in_(ordered[start:start + 500]))))
    return found


def plan_import(keys: list, body: list[tuple[int, list[str]]]) -> ImportPlan:
    """Sort a file's rows (see :func:`read_table`) into riders to create and bad rows; writes nothing.

    A phone given twice in the file is bad in its second row (naming the first); a phone that already has an
    account is bad ("already has an account")."""
    trades, plan = trade_words(), ImportPlan()
    parsed = [parse_row(number, row_values(keys, cells), trades) for number, cells in body]
    taken = existing_phones({row.phone for row in parsed if isinstance(row, RiderRow)})
    seen: dict[str, int] = {}
    for row in parsed:
        if isinstance(row, BadRow):
            plan.bad.append(row)
        elif row.phone in seen:
            plan.bad.append(BadRow(row.number, [_("The mobile number %(phone)s is also in row %(row)d.",
                                                  phone=row.phone, row=seen[row.phone])], row.name))
        elif row.phone in taken:
            seen[row.phone] = row.number
            plan.bad.append(BadRow(row.number, [_("The mobile number %(phone)s already has an account; it is "
                                                  "left as it is.", phone=row.phone)], row.name))
        else:
            seen[row.phone] = row.number
            plan.new.append(row)
    return plan


def unusable_password() -> str:
    """A random password hash no password matches (an imported rider sets one after proving the phone)."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def save_import(plan: ImportPlan, *, organisation_id: int, actor: User, filename: str = "",
                now: datetime | None = None) -> int:
    """Create a rider of ``organisation_id`` for each good row of ``plan``; return how many.

    Each rider: role rider, ``imported_at`` = ``now`` (UTC), ``imported_by_id`` = ``actor``, an unusable password,
    journalled (``account.import``, one entry per rider). Flushes, never commits. A phone that got an account
    since the preview (the unique key refuses it: ``INSERT … ON CONFLICT DO NOTHING``) raises :class:`RowRefused`
    naming the row; the caller rolls back.
    """
    now = now or utcnow()
    for row in plan.new:
        # the database decides, atomically: a phone that has an account by now inserts nothing (no savepoint)
        user_id = insert_ignoring_conflicts(
            User.__table__, phone=row.phone, name=row.name, role="rider", trade=row.trade, platform=row.platform,
            organisation_id=organisation_id, imported_at=now, imported_by_id=actor.id,
            password_hash=unusable_password(), created_at=now, active=True, session_version=0)
        if user_id is None:
            raise RowRefused(row.number, _("The mobile number %(phone)s already has an account; it is left as it "
                                           "is.", phone=row.phone))
        journal.record("account.import", actor=actor, subject=f"user:{user_id}", rider_id=user_id,
                       organisation_id=organisation_id, now=now, name=row.name, phone=mask_phone(row.phone),
                       filename=filename[-80:])
    db.session.flush()
    return len(plan.new)


class RowRefused(DomainError):
    """A row refused while saving though the preview let it through (its phone got an account meanwhile)."""

    status = 422

    def __init__(self, number: int, message: str):
        super().__init__(_l("Row %(row)d: %(reason)s", row=number, reason=message))
