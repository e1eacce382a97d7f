"""The coordinator's adjustment form."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, ValidationError

from core.forms import Form, WholeNumberField, number_between, required


class AdjustmentForm(Form):
    amount = WholeNumberField(_l("Points (negative to remove)"), validators=[
        required(_l("Enter the points to add or remove.")),
        number_between(-100000, 100000, _l("At most 100000 points at a time."))],
        render_kw={"inputmode": "text"})
    reason = StringField(_l("Reason"), validators=[required(_l("Say why, for the rider's history.")),
                                                   Length(max=200, message=_l("At most 200 characters."))])

    def validate_amount(self, field):
        if field.data == 0:
            raise ValidationError(_l("Enter a number other than zero."))
