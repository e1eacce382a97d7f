"""The dashboard's figures assembled for a period of local days and a scope (oversight/dashboard.py shows them).

The figures come from the query functions of the packages that own the data (accounts, points, volunteer,
rewards, reports ``figures`` modules); this module only reads the period, unites and buckets them.

- **Period**: local days ``first`` to ``last`` (both included): a preset (this month, last month, the last
  7 days, this year) or typed dates, at most :data:`MAX_DAYS` days; in UTC ``[start, end)`` from local
  midnight to local midnight (:func:`core.timeutil.local_midnight`).
- **Scope**: ``organisation_id`` — a coordinator's organisation, or for an admin the one chosen in the
  filter, or ``None`` for the whole programme.
- **Riders active**: the riders with, in the period, a sign-up marked attended (for a task starting in it),
  a voucher redeemed (confirmed in it) or a report filed — each within the scope (the organisation's tasks,
  the merchants it recruited, the reports its coordinators see); a rider counts once.
- **Points liability**: the points outstanding at the period's end × the value of a point in fen:
  ``POINT_VALUE_FEN`` when configured, else what a point bought — the face value of every voucher redeemed
  before the period's end ÷ their points cost (programme-wide). Unknown (``None``) when neither exists.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import figures as account_figures
from core.timeutil import local_midnight, local_today, parse_day, to_local
from points import figures as points_figures
from reports import figures as report_figures
from rewards import figures as reward_figures
from volunteer import figures as volunteer_figures

MAX_DAYS = 366  # a year, leap day included: the longest period one page (and one chart) reads well
DAILY_UP_TO = 62  # charts count per day up to two months, per week (from Monday) beyond
PRESETS = ("this_month", "last_month", "last_7_days", "this_year")
PRESET_LABELS = {"this_month": _l("This month"), "last_month": _l("Last month"),
                 "last_7_days": _l("Last 7 days"), "this_year": _l("This year")}


@dataclass(frozen=True)
class Period:
    """Local days ``first`` to ``last`` (both included); ``preset`` names the preset it came from ("" typed)."""

    first: date
    last: date
    preset: str = ""

    @property
    def start(self) -> datetime:
        """Local midnight starting ``first``, aware UTC."""
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        """Local midnight after ``last``, aware UTC (the period is ``[start, end)``)."""
        return local_midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def preset_period(preset: str, today: date) -> Period:
    """The period of ``preset`` (one of :data:`PRESETS`) as seen on the local day ``today``; the current month
    and year end today, the last 7 days are today and the 6 before it."""
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, preset)
    if preset == "last_7_days":
        return Period(today - timedelta(days=6), today, preset)
    if preset == "this_year":
        return Period(today.replace(month=1, day=1), today, preset)
    return Period(today.replace(day=1), today, "this_month")


def read_period(args, now: datetime | None = None) -> tuple[Period | None, dict[str, str]]:
    """The period asked for in ``args``: ``preset`` (one of :data:`PRESETS`), or ``from`` and ``to`` as
    ``YYYY-MM-DD`` local days; this month when neither is given. Returns ``(period, {})``, or ``(None,
    {field: message})`` when what was typed cannot be used (not a date, reversed, longer than
    :data:`MAX_DAYS` days, an unknown preset)."""
    today = local_today(now)
    preset = (args.get("preset") or "").strip()
    typed_from, typed_to = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if preset:
        if preset not in PRESETS:
            return None, {"preset": str(_l("Choose one of the periods offered."))}
        return preset_period(preset, today), {}
    if not typed_from and not typed_to:
        return preset_period("this_month", today), {}
    errors = {}
    first, last = parse_day(typed_from), parse_day(typed_to)
    for field, typed, day in (("from", typed_from, first), ("to", typed_to, last)):
        if not typed:
            errors[field] = str(_l("Enter a date."))
        elif day is None or not 2000 <= day.year <= 2100:
            errors[field] = str(_l("Enter a date like 2026-12-24."))
    if errors:
        return None, errors
    if first > last:
        return None, {"to": str(_l("The last day must not be before the first."))}
    if (last - first).days + 1 > MAX_DAYS:
        return None, {"to": str(_l("Choose at most %(days)d days.", days=MAX_DAYS))}
    return Period(first, last), {}


# ---- buckets for the charts ----

def bucket_unit(period: Period) -> str:
    """``"day"`` for a period of up to :data:`DAILY_UP_TO` days, else ``"week"``."""
    return "day" if period.days <= DAILY_UP_TO else "week"


def bucket_starts(period: Period) -> list[date]:
    """The first local day of each bucket of ``period``: every day, or every week's Monday (the first bucket
    starts on ``period.first``)."""
    if bucket_unit(period) == "day":
        return [period.first + timedelta(days=n) for n in range(period.days)]
    starts, day = [period.first], period.first + timedelta(days=7 - period.first.weekday())
    while day <= period.last:
        starts.append(day)
        day += timedelta(days=7)
    return starts


def bucket_of(moment: datetime, period: Period) -> date:
    """The bucket (its first local day) that the aware UTC ``moment`` falls in."""
    day = to_local(moment).date()
    if bucket_unit(period) == "day":
        return day
    return max(day - timedelta(days=day.weekday()), period.first)


def per_bucket(values: list[tuple[datetime, int]], period: Period) -> list[tuple[date, int]]:
    """``(bucket start, sum of the values in it)`` for every bucket of ``period``, empty buckets as 0."""
    totals = dict.fromkeys(bucket_starts(period), 0)
    for moment, value in values:
        bucket = bucket_of(moment, period)
        if bucket in totals:
            totals[bucket] += value
    return list(totals.items())


# ---- the figures ----

def configured_point_value() -> float | None:
    """``POINT_VALUE_FEN`` as fen per point (a positive number), ``None`` when empty or not a positive number."""
    try:
        value = float(str(current_app.config.get("POINT_VALUE_FEN") or "").strip())
    except ValueError:
        return None
    return value if value > 0 else None


@dataclass(frozen=True)
class Dashboard:
    """Every figure of one scope and period (see the module's definitions). Points are integers, money fen,
    hours from whole minutes; ``signups_per_bucket`` and ``minutes_per_bucket`` are ``[(bucket start, n)]``;
    ``point_value_source`` is ``"config"``, ``"redemptions"`` or ``""`` (unknown)."""

    period: Period
    organisation_id: int | None
    riders_active: int
    new_riders: int
    tasks_held: int
    signups: int
    attendance: volunteer_figures.Attendance
    verified_minutes: int
    points: points_figures.PointsFigures
    fen_per_point: float | None
    point_value_source: str
    merchants: list
    reports: report_figures.Summary
    signups_per_bucket: list
    minutes_per_bucket: list

    @property
    def liability_fen(self) -> int | None:
        """Outstanding points × fen per point, rounded to whole fen; ``None`` when a point's value is unknown."""
        return None if self.fen_per_point is None else round(self.points.outstanding * self.fen_per_point)

    @property
    def redeemed_vouchers(self) -> int:
        return sum(line.vouchers for line in self.merchants)

    @property
    def redeemed_fen(self) -> int:
        return sum(line.face_value_fen for line in self.merchants)

    @property
    def unit(self) -> str:
        return bucket_unit(self.period)


def dashboard(period: Period, organisation_id: int | None, report_scope) -> Dashboard:
    """All the figures of ``organisation_id`` (``None``: the programme) for ``period``. ``report_scope`` is the
    SELECT of the reports in scope (:func:`reports.access.visible_reports` of the viewer, or
    :func:`reports.figures.organisation_reports`)."""
    start, end = period.start, period.end
    active = (volunteer_figures.attending_riders(organisation_id, start, end)
              | reward_figures.redeeming_riders(organisation_id, start, end)
              | report_figures.reporting_riders(report_scope, start, end))
    configured = configured_point_value()
    if configured is not None:
        fen_per_point, source = configured, "config"
    else:
        fen_per_point = reward_figures.point_value(end).fen_per_point
        source = "redemptions" if fen_per_point is not None else ""
    signups = series("signups", period, organisation_id)
    return Dashboard(
        period=period, organisation_id=organisation_id, riders_active=len(active),
        new_riders=account_figures.new_riders(organisation_id, start, end),
        tasks_held=volunteer_figures.tasks_held(organisation_id, start, end),
        signups=volunteer_figures.signups_made(organisation_id, start, end),
        attendance=volunteer_figures.attendance(organisation_id, start, end),
        verified_minutes=volunteer_figures.verified_minutes(organisation_id, start, end),
        points=points_figures.points_figures(organisation_id, start, end),
        fen_per_point=fen_per_point, point_value_source=source,
        merchants=reward_figures.redeemed_by_merchant(organisation_id, start, end),
        reports=report_figures.summary(report_scope, start, end),
        signups_per_bucket=signups, minutes_per_bucket=series("hours", period, organisation_id))


def series(chart: str, period: Period, organisation_id: int | None) -> list[tuple[date, int]]:
    """``[(bucket start, n)]`` over every bucket of ``period``: the sign-ups made (``chart`` ``"signups"``) or the
    verified minutes of the tasks starting (``"hours"``) in each, for the organisation (``None``: all)."""
    if chart == "signups":
        values = [(moment, 1) for moment in volunteer_figures.signup_times(organisation_id, period.start, period.end)]
    else:
        values = volunteer_figures.verified_minutes_by_start(organisation_id, period.start, period.end)
    return per_bucket(values, period)


def merchant_series(period: Period, organisation_id: int | None) -> list:
    """The vouchers redeemed in ``period`` per merchant (:func:`rewards.figures.redeemed_by_merchant`)."""
    return reward_figures.redeemed_by_merchant(organisation_id, period.start, period.end)


def hours(minutes: int) -> float:
    """Whole minutes as hours with one decimal (e.g. 150 → 2.5)."""
    return round(minutes / 60, 1)
