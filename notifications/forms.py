"""The SMS preferences form: one "also by SMS" checkbox per kind that may go by SMS."""

from wtforms import BooleanField

from core.forms import Form
from notifications import kinds


def preferences_form(choices: dict[str, bool]) -> Form:
    """A form with a checkbox per SMS-capable kind, named after the kind, checked as in ``choices`` (a GET);
    a POST reads the boxes sent (an unchecked box sends nothing: ``False``)."""

    class PreferencesForm(Form):
        pass

    for spec in kinds.SMS_KINDS:
        setattr(PreferencesForm, spec.name, BooleanField(spec.title, default=choices.get(spec.name, spec.sms_default)))
    return PreferencesForm()
