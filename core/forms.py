"""Form pieces shared by features: the base form, local date-times, numbers, validators."""

import math
import re
import unicodedata
from datetime import datetime

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import DateTimeLocalField, FloatField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError

from core.timeutil import from_local, to_local

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value):
    """Strip surrounding space and drop control characters (NUL and friends) from typed text."""
    return CONTROL_CHARACTERS.sub("", value).strip() if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every form.

    Text fields arrive cleaned (``"   "`` counts as empty). Only ``request.form`` is read: a JSON or
    multipart body cannot smuggle numbers or files into text fields.
    """

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField | TextAreaField) and not issubclass(field_class, PasswordField):
                options["filters"] = [*unbound_field.kwargs.get("filters", ()), clean_text]
            return unbound_field.bind(form=form, **options)

        def wrap_formdata(self, form, formdata):
            if formdata is _Auto:
                return request.form if request.method in ("POST", "PUT", "PATCH", "DELETE") else None
            return formdata


def _folded(valuelist) -> str:
    return unicodedata.normalize("NFKC", valuelist[0]).strip() if valuelist and isinstance(valuelist[0], str) else ""


class LocalDateTimeField(DateTimeLocalField):
    """A ``datetime-local`` input read in the local time zone; ``data`` is an aware UTC datetime.

    Accepts ``2026-12-24T09:30`` (what the browser sends), with seconds, or with a space.
    """

    PATTERNS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=self.PATTERNS[0], **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = _folded(valuelist)
        if not text:
            return
        for pattern in self.PATTERNS:
            try:
                local = datetime.strptime(text, pattern)
            except ValueError:
                continue
            if 2000 <= local.year <= 2100:
                self.data = from_local(local)
                return
        raise ValueError(_l("Enter a date and time like 2026-12-24 09:30."))

    def _value(self):
        if self.raw_data:
            return " ".join(str(v) for v in self.raw_data)
        if isinstance(self.data, datetime):
            return to_local(self.data).strftime(self.PATTERNS[0])
        return ""


class WholeNumberField(IntegerField):
    """An integer input (full-width digits accepted) with the numeric keypad."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = _folded(valuelist)
        if not text:
            return
        if not re.fullmatch(r"[+-]?\d{1,30}", text):
            raise ValueError(_l("Enter a whole number."))
        self.data = int(text)


class DecimalNumberField(FloatField):
    """A float input (coordinates) that refuses NaN and infinity, with the decimal keypad."""

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        text = _folded(valuelist)
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(_l("Enter a number like 31.87."))
        self.data = value


def required(message):
    """A validator: the field was sent and has a value after cleaning and parsing.

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
