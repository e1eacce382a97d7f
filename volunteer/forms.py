"""Forms of coordinators' task pages and riders' filters."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from accounts.models import TRADE_LABELS
from core.forms import DecimalNumberField, Form, LocalDateTimeField, WholeNumberField, number_between, required
from core.timeutil import utcnow
from volunteer.models import ACTIVITY, CATEGORY_LABELS, VOLUNTEER

KIND_LABELS = {VOLUNTEER: _l("Volunteer work (points, volunteer hours)"),
               ACTIVITY: _l("Activity for riders (a party, a talk, a course)")}


class TaskForm(Form):
    """Post or edit a task. ``starts_at``/``ends_at`` come back as aware UTC datetimes."""

    title = StringField(_l("Title"), validators=[required(_l("Enter a title.")),
                                                 Length(max=100, message=_l("At most 100 characters."))])
    description = TextAreaField(_l("Description"),
                                validators=[Optional(), Length(max=2000, message=_l("At most 2000 characters."))])
    category = SelectField(_l("Category"), choices=[SelectChoice(v, label) for v, label in CATEGORY_LABELS.items()])
    place = StringField(_l("Place"), validators=[required(_l("Enter where riders should go.")),
                                                 Length(max=200, message=_l("At most 200 characters."))])
    latitude = DecimalNumberField(_l("Latitude (optional)"), validators=[
        Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))])
    longitude = DecimalNumberField(_l("Longitude (optional)"), validators=[
        Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))])
    starts_at = LocalDateTimeField(_l("Starts"), validators=[required(_l("Enter when it starts."))])
    ends_at = LocalDateTimeField(_l("Ends"), validators=[required(_l("Enter when it ends."))])
    places = WholeNumberField(_l("Places"), validators=[
        required(_l("Enter how many riders are needed.")),
        number_between(1, 1000, _l("Places must be between 1 and 1000."))])
    kind = RadioField(_l("Kind"), default=VOLUNTEER,
                      choices=[SelectChoice(v, label) for v, label in KIND_LABELS.items()])
    points = WholeNumberField(_l("Points for attending"))  # checked by validate_points (depends on the kind)
    # An activity's rules (who may join); a volunteer task ignores them.
    rule_birth_month = BooleanField(_l("Only riders born in the month it starts"))
    rule_trade = SelectField(_l("Only riders of this trade"), validators=[Optional(strip_whitespace=False)],
                             choices=[SelectChoice("", _l("Any trade"))]
                             + [SelectChoice(v, label) for v, label in TRADE_LABELS.items()])
    rule_platform = StringField(_l("Only riders of this platform (optional)"),
                                validators=[Optional(), Length(max=50, message=_l("At most 50 characters."))],
                                render_kw={"list": "platforms"})
    rule_new_this_year = BooleanField(_l("Only riders who registered in the year it starts"))

    def __init__(self, *args, check_start: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.check_start = check_start

    def validate_starts_at(self, field):
        if self.check_start and field.data and field.data <= utcnow():
            raise ValidationError(_l("The start must be in the future."))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def validate_points(self, field):
        """Volunteer work: 1 to 10000 points (required). An activity: 0 to ``ACTIVITY_MAX_POINTS``; blank is 0."""
        if field.process_errors:  # not a whole number: its own message says so
            return
        if self.kind.data == ACTIVITY:
            most = current_app.config["ACTIVITY_MAX_POINTS"]
            if field.data is None:
                field.data = 0
            elif not 0 <= field.data <= most:
                raise ValidationError(_l("An activity awards 0 to %(most)d points.", most=most))
        elif field.data is None:
            raise ValidationError(_l("Enter the points for attending."))
        elif not 1 <= field.data <= 10000:
            raise ValidationError(_l("Points must be between 1 and 10000."))

    def validate_latitude(self, field):
        self._both_or_neither(self.longitude)

    def validate_longitude(self, field):
        self._both_or_neither(self.latitude)

    @staticmethod
    def _both_or_neither(other):
        """A position needs both numbers: one alone would silently give the task no place on a map."""
        if not "".join(other.raw_data or []).strip():
            raise ValidationError(_l("Enter both the latitude and the longitude, or neither."))

    def task_fields(self) -> dict:
        """The validated values as keyword arguments for the task services."""
        return {name: getattr(self, name).data for name in (
            "title", "description", "category", "place", "latitude", "longitude",
            "starts_at", "ends_at", "places", "points", "kind", "rule_birth_month", "rule_trade", "rule_platform",
            "rule_new_this_year")} | {"description": self.description.data or ""}
