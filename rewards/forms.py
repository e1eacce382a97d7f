"""Forms of merchants, offers and the voucher-code look-up."""

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from accounts.forms import OrganisationField
from core.forms import DecimalNumberField, Form, WholeNumberField, number_between, required
from core.geo import gcj02_to_wgs84, in_china, parse_map_link
from rewards.hours import HoursError, parse_hours
from rewards.models import LIMIT_PERIOD_LABELS


class YuanField(StringField):
    """An amount of money typed in yuan (``12.5``); ``data`` is integer fen (``1250``)."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0].strip() if valuelist else ""
        if not self.raw:
            self.data = None
            return
        import unicodedata

        try:
            amount = Decimal(unicodedata.normalize("NFKC", self.raw).replace("¥", "").replace("元", ""))
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter an amount in yuan, like 15 or 12.50.")) from None
        if not amount.is_finite() or not 0 <= amount <= 10000 or amount != amount.quantize(Decimal("0.01")):
            self.data = None
            raise ValueError(_l("Enter an amount between 0 and 10000 yuan, at most two decimals."))
        self.data = int(amount * 100)

    def _value(self):
        if getattr(self, "raw", None) is not None:
            return self.raw
        return "" if self.data is None else f"{self.data // 100}.{self.data % 100:02d}"


def readable_hours(form, field):
    """A validator: the serving hours parse (:func:`rewards.hours.parse_hours`); its message says what is wrong."""
    try:
        parse_hours(field.data)
    except HoursError as error:
        raise ValidationError(str(error.args[0])) from None


CRS_LABELS = {"wgs84": _l("GPS (WGS-84)"), "gcj02": _l("Amap or Tencent maps (GCJ-02)")}


class MerchantForm(Form):
    """A merchant's details. Its position is pasted (a map app's share link or coordinates, read by
    :func:`core.geo.parse_map_link`) or typed with the system it was read in; :meth:`position` gives it in
    WGS-84 after :meth:`validate`. The typed numbers default to GPS, as the edit form shows what is stored."""

    name = StringField(_l("Restaurant name"), validators=[required(_l("Enter the restaurant's name.")),
                                               Length(max=100, message=_l("At most 100 characters."))])
    address = StringField(_l("Address"), validators=[required(_l("Enter the address.")),
                                                     Length(max=200, message=_l("At most 200 characters."))])
    map_link = StringField(
        _l("Paste a map link or coordinates (optional)"),
        description=_l("In Amap: share the place and copy the link, or copy its coordinates. When given, it is "
                       "used instead of the numbers below."),
        validators=[Optional(), Length(max=2000, message=_l("At most 2000 characters."))],
        render_kw={"autocomplete": "off", "placeholder": "https://uri.amap.com/marker?position=…"})
    latitude = DecimalNumberField(_l("Latitude (optional)"), validators=[
        Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))])
    longitude = DecimalNumberField(_l("Longitude (optional)"), validators=[
        Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))])
    crs = SelectField(_l("Coordinates read from"), default="wgs84",
                      choices=[SelectChoice(value, label) for value, label in CRS_LABELS.items()])
    serving_hours = StringField(
        _l("Serving hours (optional)"),
        description=_l("When vouchers can be confirmed, e.g. 11:00-14:00, 17:00-21:00. Empty: any time."),
        validators=[Optional(), Length(max=200, message=_l("At most 200 characters.")), readable_hours],
        render_kw={"placeholder": "11:00-14:00, 17:00-21:00", "autocomplete": "off"})
    active = BooleanField(_l("Active (riders can redeem here)"), default=True)


    _position: tuple[float, float] | None = None

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then the position: a pasted link must be readable and wins over typed
        numbers; typed numbers come in pairs; GCJ-02 exists only in China. Errors go next to the field."""
        if not super().validate(extra_validators):
            return False
        self._position = None
        if self.map_link.data:
            found = parse_map_link(self.map_link.data)
            if found is None:
                self.map_link.errors.append(_l("Cannot read a position in China from this. Paste an Amap share "
                                               "link or coordinates like 31.875,120.553."))
                return False
            lat, lng, crs = found
        elif self.latitude.data is None and self.longitude.data is None:
            return True
        elif self.latitude.data is None or self.longitude.data is None:
            missing = self.latitude if self.latitude.data is None else self.longitude
            missing.errors.append(_l("Enter both latitude and longitude, or neither."))
            return False
        else:
            lat, lng, crs = self.latitude.data, self.longitude.data, self.crs.data
        if crs == "gcj02":
            if not in_china(lat, lng):
                self.crs.errors.append(_l("Amap and Tencent coordinates exist only in China. Choose GPS."))
                return False
            lat, lng = gcj02_to_wgs84(lat, lng)
        self._position = round(lat, 6) + 0.0, round(lng, 6) + 0.0
        return True

    def position(self) -> tuple[float | None, float | None]:
        """``(latitude, longitude)`` in WGS-84 degrees (6 decimals) after :meth:`validate`; ``(None, None)``
        when no position was given."""
        return self._position or (None, None)


class AdminMerchantForm(MerchantForm):
    """An admin also chooses the organisation that manages the merchant (or none: programme-wide)."""

    organisation = OrganisationField(validators=[Optional()])


class OfferForm(Form):
    title = StringField(_l("Title"), validators=[required(_l("Enter a title.")),
                                                 Length(max=100, message=_l("At most 100 characters."))])
    description = TextAreaField(_l("Description"),
                                validators=[Optional(), Length(max=1000, message=_l("At most 1000 characters."))])
    points_cost = WholeNumberField(_l("Points cost"), validators=[
        required(_l("Enter the points cost.")),
        number_between(1, 100000, _l("Points cost must be between 1 and 100000."))])
    face_value = YuanField(_l("Face value (yuan)"), validators=[required(_l("Enter the face value."))],
                           render_kw={"inputmode": "decimal"})
    stock = WholeNumberField(_l("Stock (vouchers left)"), validators=[
        required(_l("Enter the stock.")), number_between(0, 100000, _l("Stock must be between 0 and 100000."))])
    per_rider_limit = WholeNumberField(_l("Limit per rider"), default=1, validators=[
        required(_l("Enter the limit per rider.")),
        number_between(1, 100, _l("The limit per rider must be between 1 and 100."))])
    limit_period = SelectField(_l("Limit period"), default="week",
                               choices=[SelectChoice(v, label) for v, label in LIMIT_PERIOD_LABELS.items()])
    daily_stock = WholeNumberField(_l("Daily stock (optional)"), description=_l(
        "At most this many vouchers a day; renews at midnight. Empty: no daily cap."), validators=[
        Optional(), number_between(1, 100000, _l("The daily stock must be between 1 and 100000, or empty."))])
    validity_days = WholeNumberField(_l("Valid for (days)"), default=30, validators=[
        required(_l("Enter how many days a voucher is valid.")),
        number_between(1, 365, _l("Validity must be between 1 and 365 days."))])
    active = BooleanField(_l("Active (riders can redeem it)"), default=True)
    stock_shown = HiddenField()  # the stock on screen when the form was opened

    def offer_fields(self) -> dict:
        return {"title": self.title.data, "description": self.description.data or "",
                "points_cost": self.points_cost.data, "face_value_fen": self.face_value.data,
                "stock": self.stock.data, "per_rider_limit": self.per_rider_limit.data,
                "validity_days": self.validity_days.data, "active": self.active.data,
                "limit_period": self.limit_period.data, "daily_stock": self.daily_stock.data}

    def stock_change(self) -> int | None:
        """How much the coordinator changed the stock they saw, or ``None`` when the form had no original."""
        shown = (self.stock_shown.data or "").strip()
        if not (shown.isascii() and shown.isdigit() and len(shown) <= 6):  # a stock is at most 100000
            return None
        return self.stock.data - int(shown)


class CodeForm(Form):
    """The merchant's look-up; a GET form, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(_l("Voucher code"), validators=[required(_l("Type the code on the rider's screen."))],
                       render_kw={"inputmode": "numeric", "autocomplete": "off", "autocorrect": "off",
                                  "spellcheck": "false", "placeholder": "0000 0000 0000 0000"})
