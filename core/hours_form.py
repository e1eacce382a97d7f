"""The opening-hours forms a street-office clerk fills in (no syntax to learn), shared by stations and merchants.

:class:`WeeklyHoursForm` has, for each weekday Monday..Sunday, a "closed" and an "open 24 hours" box and up
to two spans of ``<input type=time>`` opening and closing times (a closing earlier than the opening runs past
midnight), plus the holiday rule. :class:`HoursExceptionForm` is one dated exception: closed, or one span.

The rules that refuse a set of rows (:func:`check_weekly`, :func:`check_exception`) are pure functions over
plain values, raising :class:`HoursRefused`; each package's services call them before writing its own rows
(``stations.services``, ``rewards.opening``). Templates: ``templates/_hours_form.html``.
"""

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from core.errors import DomainError
from core.forms import Form, required
from core.opening_hours import HOLIDAY_RULE_LABELS, HOLIDAY_RULES, Span, format_time, parse_time, weekday_label

SPANS_A_DAY = 2  # the spans the form offers for a day (a lunch break splits the day)
MAX_SPANS_A_DAY = 4  # the most a day may have (an import may give more); the form shows them (messages say "four")
NOTE_MAX = 200
Row = tuple[int, str, str]  # (weekday 0 = Monday, opens "HH:MM", closes "HH:MM" or "24:00")


class HoursRefused(DomainError):
    """Opening hours that cannot be saved: ``field`` names the form field to mark (``""``: the whole form).

    422 for input that cannot be right (overlapping spans); :class:`ExceptionConflict` is 409."""

    status = 422

    def __init__(self, message, field: str = ""):
        super().__init__(message, field=field)


class ExceptionConflict(HoursRefused):
    """A dated exception that contradicts the exceptions already on that day (closed and open at once)."""

    status = 409


def _span(opens: str, closes: str) -> Span:
    """A :class:`Span` from two typed times; ``ValueError`` with a message for people."""
    return Span(parse_time(opens), parse_time(closes, closing=True))


def row_text(span: Span) -> tuple[str, str]:
    """The stored ``(opens, closes)`` of a span; a closing at midnight is ``"24:00"``."""
    return format_time(span.opens), format_time(span.closes, closing=True)


def _overlap(first: Span, second: Span) -> bool:
    a_start, a_end = first.minutes
    b_start, b_end = second.minutes
    return a_start < b_end and b_start < a_end


def check_weekly(rows: list[Row]) -> list[Row]:
    """The weekly rows, checked and sorted: valid times, at most :data:`MAX_SPANS_A_DAY` spans a weekday, no two
    of them overlapping.

    Raises :class:`HoursRefused` naming the weekday's field (``d0`` … ``d6``).
    """
    by_day: dict[int, list[Span]] = {}
    for weekday, opens, closes in rows:
        if not 0 <= weekday <= 6:
            raise HoursRefused(_l("A weekday is 0 (Monday) to 6 (Sunday)."))
        try:
            by_day.setdefault(weekday, []).append(_span(opens, closes))
        except ValueError as error:
            raise HoursRefused(error.args[0], f"d{weekday}") from None
    checked = []
    for weekday, spans in sorted(by_day.items()):
        if len(spans) > MAX_SPANS_A_DAY:
            raise HoursRefused(_l("%(day)s has more than four opening spans: join some of them.",
                                  day=weekday_label(weekday)), f"d{weekday}")
        spans.sort()
        for index, span in enumerate(spans):
            if any(_overlap(span, other) for other in spans[index + 1:]):
                raise HoursRefused(_l("The opening times of %(day)s overlap. Give each span its own hours.",
                                      day=weekday_label(weekday)), f"d{weekday}")
            checked.append((weekday, *row_text(span)))
    return checked


def check_exception(existing, *, closed: bool, opens: str | None, closes: str | None) -> tuple[str | None, str | None]:
    """The stored ``(opens, closes)`` of a new exception on a day that already has the ``existing`` rows (with
    ``closed``, ``opens``, ``closes``); ``(None, None)`` when ``closed``.

    Raises :class:`HoursRefused` for a span that cannot be read, or :class:`ExceptionConflict` for a closed
    day that already has open spans, an open span on a day marked closed, or a span overlapping another.
    """
    existing = list(existing)
    if closed:
        if any(not row.closed for row in existing):
            raise ExceptionConflict(_l("That day already has opening times. Delete them before marking it closed."),
                                    "closed")
        if existing:
            raise ExceptionConflict(_l("That day is already marked closed."), "closed")
        return None, None
    if not opens or not closes:
        raise HoursRefused(_l("Tick “closed” or give the opening and closing times."), "opens")
    try:
        span = _span(opens, closes)
    except ValueError as error:
        raise HoursRefused(error.args[0], "opens") from None
    if any(row.closed for row in existing):
        raise ExceptionConflict(_l("That day is marked closed. Delete “closed” before adding opening times."),
                                "opens")
    if any(_overlap(span, _span(row.opens, row.closes)) for row in existing):
        raise ExceptionConflict(_l("These times overlap opening times already given for that day."), "opens")
    return row_text(span)


class TimeField(StringField):
    """A time of day, ``<input type=time>`` (a browser without it shows text: ``08:00`` or ``8.00``)."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"type": "time", "step": "60"})
        super().__init__(label, validators, **kwargs)


class WeeklyHoursForm(Form):
    """A week of opening hours and the holiday rule. Fields per weekday ``d`` (0 = Monday): ``d{d}_closed``,
    ``d{d}_all_day``, ``d{d}_opens_{n}`` / ``d{d}_closes_{n}`` for ``n`` in 1..4 (two shown, more when filled).
    Call :meth:`rows` after ``validate()``."""

    copy_monday = BooleanField(_l("Tuesday to Friday the same as Monday"))
    holiday_rule = RadioField(_l("On Chinese public holidays"), default="weekly",
                              choices=[SelectChoice(rule, HOLIDAY_RULE_LABELS[rule]) for rule in HOLIDAY_RULES])

    def load(self, rows) -> None:
        """Fill the fields from stored rows (``weekday``, ``opens``, ``closes``), for a GET. A place without any
        rows gets an empty form (no day ticked "closed"), so the first week is typed without unticking."""
        by_day: dict[int, list] = {}
        for row in rows:
            by_day.setdefault(row.weekday, []).append(row)
        for weekday in range(7):
            spans = sorted(by_day.get(weekday, []), key=lambda row: row.opens)
            if not spans:
                self[f"d{weekday}_closed"].data = bool(by_day)
            elif len(spans) == 1 and (spans[0].opens, spans[0].closes) in (("00:00", "24:00"), ("00:00", "00:00")):
                self[f"d{weekday}_all_day"].data = True
            else:
                for number, row in enumerate(spans[:MAX_SPANS_A_DAY], start=1):
                    self[f"d{weekday}_opens_{number}"].data = row.opens
                    self[f"d{weekday}_closes_{number}"].data = "00:00" if row.closes == "24:00" else row.closes

    def days(self) -> list[dict]:
        """For the template: each weekday's label, fields (:data:`SPANS_A_DAY` spans, more when the day already
        has more, say from an import) and error messages."""
        return [{"number": weekday, "label": weekday_label(weekday), "closed": self[f"d{weekday}_closed"],
                 "all_day": self[f"d{weekday}_all_day"],
                 "spans": [(self[f"d{weekday}_opens_{n}"], self[f"d{weekday}_closes_{n}"])
                           for n in range(1, self._spans_shown(weekday) + 1)],
                 "errors": self.day_errors.get(weekday, [])} for weekday in range(7)]

    def _spans_shown(self, weekday: int) -> int:
        filled = [n for n in range(1, MAX_SPANS_A_DAY + 1)
                  if self[f"d{weekday}_opens_{n}"].data or self[f"d{weekday}_closes_{n}"].data]
        return max([SPANS_A_DAY, *filled])

    @property
    def day_errors(self) -> dict[int, list[str]]:
        if not hasattr(self, "_day_errors"):
            self._day_errors = {}
        return self._day_errors

    def add_day_error(self, weekday: int, message) -> None:
        self.day_errors.setdefault(weekday, []).append(str(message))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.copy_monday.data:  # a convenience: Monday's boxes and times copied to Tuesday..Friday
            for weekday in range(1, 5):
                for part in ("closed", "all_day", *(f"{kind}_{n}" for n in range(1, MAX_SPANS_A_DAY + 1)
                                                    for kind in ("opens", "closes"))):
                    self[f"d{weekday}_{part}"].data = self[f"d0_{part}"].data
                    self[f"d{weekday}_{part}"].raw_data = self[f"d0_{part}"].raw_data
            self.copy_monday.data = False
        self._rows: list[Row] = []
        for weekday in range(7):
            try:
                self._rows.extend(self._day_rows(weekday))
            except ValueError as error:
                self.add_day_error(weekday, error.args[0])
                ok = False
        return ok and not self.day_errors

    def _day_rows(self, weekday: int) -> list[Row]:
        closed, all_day = self[f"d{weekday}_closed"].data, self[f"d{weekday}_all_day"].data
        typed = [(self[f"d{weekday}_opens_{n}"].data or "", self[f"d{weekday}_closes_{n}"].data or "")
                 for n in range(1, MAX_SPANS_A_DAY + 1)]
        typed = [(opens.strip(), closes.strip()) for opens, closes in typed if opens.strip() or closes.strip()]
        if closed and (all_day or typed):
            raise ValueError(_l("A closed day has no opening times: untick “closed” or clear the times."))
        if closed:
            return []
        if all_day:
            if typed:
                raise ValueError(_l("A day open 24 hours needs no times: untick “open 24 hours” or clear them."))
            return [(weekday, "00:00", "24:00")]
        rows = []
        for opens, closes in typed:
            if not opens or not closes:
                raise ValueError(_l("Give both the opening and the closing time."))
            span = _span(opens, closes)
            rows.append((weekday, *row_text(span)))
        try:
            return check_weekly(rows)
        except HoursRefused as error:
            raise ValueError(error.message) from None

    def rows(self) -> list[Row]:
        """The weekly rows typed, checked (after a successful ``validate()``)."""
        return list(self._rows)


for _weekday in range(7):
    setattr(WeeklyHoursForm, f"d{_weekday}_closed", BooleanField(_l("Closed")))
    setattr(WeeklyHoursForm, f"d{_weekday}_all_day", BooleanField(_l("Open 24 hours")))
    for _number in range(1, MAX_SPANS_A_DAY + 1):
        setattr(WeeklyHoursForm, f"d{_weekday}_opens_{_number}", TimeField(_l("Opens")))
        setattr(WeeklyHoursForm, f"d{_weekday}_closes_{_number}", TimeField(_l("Closes")))
del _weekday, _number


def _readable_time(form, field):
    if field.data:
        try:
            parse_time(field.data, closing=field.name == "closes")
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from None


class HoursExceptionForm(Form):
    """One dated change to the weekly hours: closed that day, or open from ``opens`` to ``closes``."""

    day = DateField(_l("Date"), validators=[required(_l("Choose the date."))])
    closed = BooleanField(_l("Closed all day"))
    opens = TimeField(_l("Opens"), validators=[Optional(), _readable_time])
    closes = TimeField(_l("Closes"), validators=[Optional(), _readable_time])
    note = StringField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX, message=_l(
        "At most %(max)d characters.", max=NOTE_MAX))], render_kw={"placeholder": _l("e.g. National Day")})

    def validate_day(self, field):
        if isinstance(field.data, date) and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Choose a date between 2000 and 2100."))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.opens.errors or self.closes.errors:
            return False
        if self.closed.data and (self.opens.data or self.closes.data):
            self.opens.errors = [_l("A closed day has no opening times: untick “closed” or clear the times.")]
            return False
        if not self.closed.data and not (self.opens.data and self.closes.data):
            self.opens.errors = [_l("Tick “closed” or give the opening and closing times.")]
            return False
        return ok

    def apply_error(self, error: HoursRefused) -> None:
        """Show a refusal from the services next to its field."""
        field = self._fields.get(error.details.get("field") or "opens") or self.opens
        field.errors = [*field.errors, error.message]
