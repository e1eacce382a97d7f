"""What the staff pages of reports read from the request: the queue filters (a plain GET form) and the
figures' period. Unknown or malformed values are ignored (a shared link never breaks a page); the period
says what was wrong instead.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from core.forms import clean_text
from core.timeutil import local_midnight, local_today, parse_day, utcnow
from reports.models import STATUSES, Report, ReportCategory

NEEDS_ACTION = "action"  # the coordinators' default: submitted, then resolved awaiting verification
DEPARTMENT_DEFAULT = "current"  # department staff's default: routed, then resolved, then recently finished
AGES = (3, 7, 14, 30)
PER_PAGE = 30
DEFAULT_PERIOD_DAYS = 30
RECENT_DAYS = 30  # department staff see their closed and rejected reports this long


def small_int(text: str | None) -> int | None:
    """``text`` as a non-negative integer when it is 1–9 ASCII digits, else ``None`` (no overflow, no "²")."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@dataclass
class QueueFilters:
    """The queue's filters: ``status`` (a status, :data:`NEEDS_ACTION`, :data:`DEPARTMENT_DEFAULT` or ``"all"``),
    ``category`` (a code or ``""``), ``department`` (an id or ``None``), ``age`` (days, one of :data:`AGES`, or
    ``None``) and ``page`` (from 1)."""

    status: str
    category: str = ""
    department: int | None = None
    age: int | None = None
    page: int = 1
    errors: dict = field(default_factory=dict)

    @classmethod
    def read(cls, args, *, default: str, allowed: tuple[str, ...]) -> "QueueFilters":
        """The filters in ``args`` (``request.args``); ``default`` when no status is given, any status not
        in ``allowed`` (nor a report status) also falls back to it."""
        status = args.get("status") or default
        if status not in STATUSES and status not in allowed:
            status = default
        age, page = small_int(args.get("age")), small_int(args.get("page"))
        return cls(status=status, category=clean_text(args.get("category") or "")[:30],
                   department=small_int(args.get("department")), age=age if age in AGES else None,
                   page=page if page and page < 10000 else 1)

    def args(self, **changes) -> dict:
        """The filters as query arguments (defaults left out), with ``changes`` applied (for links)."""
        values = {"status": self.status, "category": self.category or None, "department": self.department,
                  "age": self.age, "page": self.page if self.page > 1 else None, **changes}
        return {key: value for key, value in values.items() if value not in (None, "")}

    def apply(self, scope: sa.Select, now: datetime | None = None) -> sa.Select:
        """``scope`` (a SELECT of reports) filtered and ordered: the default views put what needs action first
        (oldest first within each group); a single status lists oldest first; "all" newest first."""
        now = now or utcnow()
        query = scope
        if self.category:
            query = query.where(Report.category_id.in_(sa.select(ReportCategory.id)
                                                       .where(ReportCategory.code == self.category)))
        if self.department is not None:
            query = query.where(Report.department_id == self.department)
        if self.age is not None:
            query = query.where(Report.created_at < now - timedelta(days=self.age))
        if self.status == NEEDS_ACTION:
            order = sa.case((Report.status == "submitted", 0), else_=1)
            return query.where(Report.status.in_(("submitted", "resolved"))).order_by(order, Report.created_at,
                                                                                     Report.id)
        if self.status == DEPARTMENT_DEFAULT:
            recent = now - timedelta(days=RECENT_DAYS)
            order = sa.case((Report.status == "routed", 0), (Report.status == "resolved", 1), else_=2)
            finished_order = sa.case((Report.status.in_(("routed", "resolved")), Report.created_at),
                                     else_=None)
            return (query.where(sa.or_(Report.status.in_(("routed", "resolved")),
                                       sa.and_(Report.status.in_(("closed", "rejected")), Report.updated_at >= recent)))
                    .order_by(order, finished_order, Report.updated_at.desc(), Report.id))
        if self.status in STATUSES:
            return query.where(Report.status == self.status).order_by(Report.created_at, Report.id)
        return query.order_by(Report.created_at.desc(), Report.id.desc())


@dataclass
class Period:
    """The figures' period: local days ``first`` to ``last`` (both included), ``start``/``end`` the UTC
    ``[start, end)`` they cover, ``error`` a message when what was typed could not be used (the default
    period is used then)."""

    first: date
    last: date
    error: str = ""

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))

    @classmethod
    def read(cls, args, now: datetime | None = None) -> "Period":
        """The period in ``args`` (``from``, ``to`` as ``YYYY-MM-DD``); the last :data:`DEFAULT_PERIOD_DAYS`
        days up to today by default or when a date is not a date, is reversed or spans over ten years."""
        today = local_today(now)
        default = cls(first=today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), last=today)
        typed_from, typed_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
        if not typed_from and not typed_to:
            return default
        first = parse_day(typed_from) if typed_from else default.first
        last = parse_day(typed_to) if typed_to else today
        if first is None or last is None or not (2000 <= first.year <= 2100 and 2000 <= last.year <= 2100):
            default.error = str(_l("Enter dates like 2026-12-24. The last 30 days are shown."))
        elif first > last:
            default.error = str(_l("The first day is after the last one. The last 30 days are shown."))
        elif (last - first).days > 3660:
            default.error = str(_l("Choose at most ten years. The last 30 days are shown."))
        else:
            return cls(first=first, last=last)
        return default
