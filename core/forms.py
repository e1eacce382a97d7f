"""Form pieces shared by features: local date-times, one-button forms."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, FloatField, IntegerField
from wtforms.validators import ValidationError


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for one-button POSTs."""


def local_zone() -> ZoneInfo:
    """The configured display time zone (``TIMEZONE``, Asia/Shanghai by default)."""
    return ZoneInfo(current_app.config["TIMEZONE"])


class LocalDateTimeField(DateTimeLocalField):
    """A ``datetime-local`` input read in the local time zone; ``data`` is an aware UTC datetime."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            from datetime import UTC

            self.data = self.data.replace(tzinfo=local_zone()).astimezone(UTC)
        elif valuelist and valuelist[0]:
            self.process_errors = [_l("Enter a date and time like 2026-12-24 09:30.")]

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
