"""Forms of log-in, registration, staff accounts, and the ones that carry an SMS code."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from accounts.models import ORGANISATION_KIND_LABELS, TRADE_LABELS
from accounts.passwords import not_common_password
from accounts.phones import EXPECTED
from accounts.services import normalise_phone
from core.forms import Form, required
from core.text import normalise_digits

PLATFORMS = ("美团", "饿了么", "顺丰", "京东物流", "中通", "圆通", "韵达", "滴滴出行", "曹操出行", "货拉拉", "满帮")


class PhoneField(TelField):
    """A phone number field: keeps what was typed for redisplay, ``data`` is the normalised number."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = normalise_phone(self.raw) or self.raw

    def pre_validate(self, form):
        if self.raw and normalise_phone(self.raw) is None:
            raise ValidationError(EXPECTED)

    def _value(self):
        return getattr(self, "raw", None) or (self.data or "")


def phone_field(label=None):
    return PhoneField(label or _l("Mobile number"),
                      validators=[InputRequired(_l("Enter your mobile number."))],
                      render_kw={"autocomplete": "tel", "inputmode": "tel", "placeholder": "138 0000 0000"})


class CodeField(StringField):
    """A one-time code: full-width digits and spaces are folded; keeps what was typed for redisplay."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist and isinstance(valuelist[0], str) else ""
        self.data = normalise_digits(self.raw)

    def _value(self):
        return getattr(self, "raw", None) or (self.data or "")


def code_field():
    return CodeField(_l("Code from the text message"),
                     validators=[InputRequired(_l("Enter the 6-digit code from the text message.")),
                                 Regexp(r"\d{6}\Z", message=_l("The code has 6 digits."))],
                     render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "code-input"})


def password_field(label=None, new: bool = False):
    validators = [InputRequired(_l("Enter a password."))]
    if new:
        validators += [Length(min=8, max=128, message=_l("A password has 8 to 128 characters.")),
                       not_common_password]
    return PasswordField(label or _l("Password"), validators=validators,
                         render_kw={"autocomplete": "new-password" if new else "current-password"})


class LoginForm(Form):
    phone = phone_field()
    password = password_field()


class RegisterForm(Form):
    phone = phone_field()
    code = code_field()
    name = StringField(_l("Name"), validators=[required(_l("Enter your name.")),
                                               Length(max=50, message=_l("At most 50 characters."))],
                       render_kw={"autocomplete": "name"})
    password = password_field(new=True)
    trade = SelectField(_l("Your trade"), choices=[SelectChoice(v, label) for v, label in TRADE_LABELS.items()],
                        validators=[InputRequired(_l("Choose your trade."))])
    platform = StringField(_l("Platform or company"),
                           validators=[required(_l("Enter your platform or company.")),
                                       Length(max=50, message=_l("At most 50 characters."))],
                           render_kw={"list": "platforms"})
    privacy = BooleanField(_l("I have read the privacy notice and agree to it."),
                           validators=[DataRequired(_l("Read the privacy notice and tick the box to register."))])


def name_field():
    return StringField(_l("Name"), validators=[required(_l("Enter your name.")),
                                               Length(max=50, message=_l("At most 50 characters."))],
                       render_kw={"autocomplete": "name"})


MONTH_LABELS = {1: _l("January"), 2: _l("February"), 3: _l("March"), 4: _l("April"), 5: _l("May"), 6: _l("June"),
                7: _l("July"), 8: _l("August"), 9: _l("September"), 10: _l("October"), 11: _l("November"),
                12: _l("December")}  # zh: 1月 … 12月 (a birth month; the birthday activities' rule)


def _month(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class ProfileForm(Form):
    """Change one's name; a rider also trade and platform (the view drops them for other roles)."""

    name = name_field()
    # Only an empty value may skip the choice check: Optional() would also let "   " through, unchecked.
    trade = SelectField(_l("Your trade"), choices=[SelectChoice(v, label) for v, label in TRADE_LABELS.items()],
                        validators=[Optional(strip_whitespace=False)])
    platform = StringField(_l("Platform or company"),
                           validators=[Length(max=50, message=_l("At most 50 characters."))],
                           render_kw={"list": "platforms"})
    birth_month = SelectField(_l("Birth month (optional)"), coerce=_month, validators=[Optional()],
                              choices=[SelectChoice(None, _l("Not set"))]
                              + [SelectChoice(n, label) for n, label in MONTH_LABELS.items()])

    def validate_birth_month(self, field):
        if field.data is not None and field.data not in MONTH_LABELS:
            raise ValidationError(_l("Choose a month from the list."))


class PasswordChangeForm(Form):
    """Change one's password: the current one, then a new one that passes the rules of :mod:`accounts.passwords`."""

    current = password_field(_l("Current password"))
    password = password_field(_l("New password"), new=True)


class DeleteAccountForm(Form):
    """Delete one's account: confirmed with the password."""

    password = password_field(_l("Your password"))


def _organisation_id(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class OrganisationField(SelectField):
    """Choose an organisation (an admin's forms); ``data`` is its id, ``None`` for the blank choice.

    The view sets ``choices`` with :func:`organisation_choices`.
    """

    def __init__(self, label=None, **kwargs):
        super().__init__(label or _l("Organisation"), coerce=_organisation_id, **kwargs)


def organisation_choices(organisations, blank=None) -> list[tuple]:
    """``(id, name)`` choices of ``organisations``, after a ``(None, blank)`` choice when ``blank`` is given."""
    return ([(None, blank)] if blank is not None else []) + [(org.id, org.name) for org in organisations]


class OrganisationForm(Form):
    """An admin creates or renames an organisation."""

    name = StringField(_l("Name"), validators=[required(_l("Enter a name.")),
                                               Length(max=100, message=_l("At most 100 characters."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(v, label) for v, label in ORGANISATION_KIND_LABELS.items()],
                       validators=[InputRequired(_l("Choose a kind."))])


class StaffAccountForm(Form):
    """A coordinator creates another coordinator of their own organisation, or a merchant-staff login."""

    phone = phone_field()
    name = StringField(_l("Name"), validators=[required(_l("Enter a name.")),
                                               Length(max=50, message=_l("At most 50 characters."))])
    password = password_field(_l("Initial password"), new=True)


class ForgotPasswordForm(Form):
    """Number → code → new password (checked with the password rules)."""

    phone = phone_field()
    code = code_field()
    password = password_field(_l("New password"), new=True)


class ChangePhoneForm(Form):
    """A new number proven by a code, and the current password."""

    phone = phone_field(_l("New mobile number"))
    code = code_field()
    password = password_field(_l("Current password"))
class CoordinatorAccountForm(StaffAccountForm):
    """An admin creates a coordinator of any organisation."""

    organisation = OrganisationField(validators=[InputRequired(_l("Choose an organisation."))])
