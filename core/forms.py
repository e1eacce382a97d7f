"""Form pieces shared by features: local date-times, one-button forms."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FloatField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every form: text fields arrive stripped, so "   " counts as empty."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField | TextAreaField) and not issubclass(
                    unbound_field.field_class, PasswordField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), _strip]
            return unbound_field.bind(form=form, **options)


class EmptyForm(Form):
    """A form with only the CSRF token, for one-button POSTs."""


def local_zone() -> ZoneInfo:
    """The configured display time zone (``TIMEZONE``, Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


class LocalDateTimeField(DateTimeLocalField):
    """A ``datetime-local`` input read in the local time zone; ``data`` is an aware UTC datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        from datetime import UTC

        self.data = None
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            return
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                local = datetime.strptime(text, pattern)
            except ValueError:
                continue
            self.data = local.replace(tzinfo=local_zone()).astimezone(UTC)
            return
        raise ValueError(_l("Enter a date and time like 2026-12-24 09:30."))

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return self.data.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")
        return ""


class WholeNumberField(IntegerField):
    """An integer input with the numeric keypad and a message in the user's language."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        import unicodedata

        text = unicodedata.normalize("NFKC", text)
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None


def required(message):
    """A validator: the field was sent and has a value after stripping and parsing.

    Input that could not be parsed keeps only its own message ("Enter a whole number.").
    """

    def check(form, field):
        if not field.raw_data or field.data is None or (isinstance(field.data, str) and not field.data):
            field.errors[:] = list(field.process_errors)
            raise StopValidation(None if field.process_errors else message)

    return check


def number_between(low: int, high: int, message):
    """A validator: the number is within ``low``..``high`` (inclusive)."""

    def check(form, field):
        if field.data is not None and not (low <= field.data <= high):
            raise ValidationError(message)

    return check


class DecimalNumberField(FloatField):
    """A float input (coordinates) that refuses NaN and infinity, with the decimal keypad."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        import math
        import unicodedata

        try:
            self.data = float(unicodedata.normalize("NFKC", valuelist[0].strip()))
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a number like 31.87.")) from None
        if not math.isfinite(self.data):
            self.data = None
            raise ValueError(_l("Enter a number like 31.87."))
