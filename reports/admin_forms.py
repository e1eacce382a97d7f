"""Forms of the admins' report pages: a department, a category's routing and points, a department staff
account, an Open311 API key."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from accounts.forms import StaffAccountForm
from core.forms import Form, WholeNumberField, number_between, required
from reports.models import DEPARTMENT_KIND_LABELS


def _department_id(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # not a choice: "Not a valid choice"


class DepartmentForm(Form):
    """An admin creates or changes a department."""

    name = StringField(_l("Name"), validators=[required(_l("Enter a name.")),
                                               Length(max=100, message=_l("At most 100 characters."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(v, label) for v, label in DEPARTMENT_KIND_LABELS.items()],
                       validators=[InputRequired(_l("Choose a kind."))])
    contact = StringField(_l("Contact (desk, phone)"),
                          validators=[Length(max=200, message=_l("At most 200 characters."))])
    active = BooleanField(_l("Active: reports may be sent to it"), default=True)


class CategoryForm(Form):
    """An admin sets a category's default department, points and whether riders may choose it.

    The view sets ``department.choices`` with :func:`department_choices`.
    """

    department = SelectField(_l("Default department"), coerce=_department_id)
    points = WholeNumberField(_l("Points for a confirmed report"),
                              validators=[required(_l("Enter the points (0 or more).")),
                                          number_between(0, 10000, _l("Enter a whole number from 0 to 10000."))])
    active = BooleanField(_l("Active: riders may choose it"))


def department_choices(departments, blank) -> list[tuple]:
    """``(None, blank)`` then ``(id, name)`` of ``departments``."""
    return [(None, blank)] + [(department.id, department.name) for department in departments]


class DepartmentStaffForm(StaffAccountForm):
    """An admin creates a department staff log-in: mobile number, name, initial password (the password rules
    of :mod:`accounts.passwords`)."""


class KeyForm(Form):
    """An admin issues an Open311 API key to a city platform."""

    name = StringField(_l("Platform name"), validators=[required(_l("Enter the platform's name.")),
                                                        Length(max=100, message=_l("At most 100 characters."))])
