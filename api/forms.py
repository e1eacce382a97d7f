"""The admin's form for a new API token."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from api.models import PLATFORM, SCOPE_LABELS, TILL
from core.forms import Form, required


def _staff_id(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a choice: "Not a valid choice"


class TokenForm(Form):
    """Name, scope and, for a till, the staff account the till confirms as (choices set by the view)."""

    name = StringField(_l("Token name"), validators=[required(_l("Give the token a name (who uses it, e.g. the till's "
                                                          "place).")),
                                               Length(max=100, message=_l("At most 100 characters."))])
    scope = SelectField(_l("For"), choices=[SelectChoice(TILL, SCOPE_LABELS[TILL]),
                                              SelectChoice(PLATFORM, SCOPE_LABELS[PLATFORM])],
                        default=TILL)
    staff = SelectField(_l("Till of (restaurant · staff account it confirms as)"), coerce=_staff_id,
                        validate_choice=True)

    def set_staff_choices(self, choices: list[tuple[int, str]]) -> None:
        """Offer ``choices`` (``(user id, label)``) after an empty "not a till" choice."""
        self.staff.choices = [SelectChoice(None, "—"), *(SelectChoice(value, label) for value, label in choices)]

    def validate_staff(self, field):
        if self.scope.data == TILL and not field.data:
            raise ValidationError(_l("Choose the staff account of the restaurant the till confirms for."))
