"""The rider's report form: photos (read from ``request.files`` by the view), a category, a few words, where it
is and, optionally, the station or restaurant it is about.

The position comes (a) from the phone (JavaScript fills the hidden ``latitude``/``longitude`` in WGS-84), or
(b) from ``map_link``: an Amap share link or two numbers pasted or typed (read by
:func:`core.geo.parse_map_link`; GCJ-02 is converted to WGS-84). What the rider typed wins over the phone's fix.
"""

import math
import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from core.forms import Form
from core.geo import gcj02_to_wgs84, parse_map_link

PLACE = re.compile(r"(station|restaurant):(\d{1,9})")


class ReportForm(Form):
    """Every field of a report except the photos. Categories and places are radio buttons the template draws
    (plain text here: the service says when a category is unknown)."""

    category = StringField(_l("What kind of problem?"))
    description = TextAreaField(_l("What is wrong?"), validators=[Length(max=500, message=_l(
        "At most 500 characters."))], render_kw={"maxlength": 500, "rows": 3})
    latitude = HiddenField()
    longitude = HiddenField()
    map_link = StringField(_l("Or paste a map link or coordinates"), validators=[Optional(), Length(
        max=2000, message=_l("At most 2000 characters."))], render_kw={"autocomplete": "off", "inputmode": "url"})
    address = StringField(_l("Address or landmark (optional)"), validators=[Length(max=200, message=_l(
        "At most 200 characters."))], render_kw={"autocomplete": "off"})
    place = StringField(_l("Is it about one of these places?"))
    confirmed_new = HiddenField()

    def position(self) -> tuple[float, float, str] | None:
        """``(latitude, longitude, entered crs)`` in WGS-84 degrees, or ``None`` when none was given (or the
        phone's numbers are junk). A map link that cannot be read puts its message on ``map_link``."""
        if self.map_link.data:
            found = parse_map_link(self.map_link.data)
            if found is None:
                self.map_link.errors = [*self.map_link.errors, _l(
                    "Cannot read a position in China from this. Paste an Amap share link or two numbers, "
                    "such as 31.87, 120.55.")]
                return None
            latitude, longitude, crs = found
            if crs == "gcj02":
                latitude, longitude = gcj02_to_wgs84(latitude, longitude)
            return latitude, longitude, crs
        try:
            latitude, longitude = float(self.latitude.data or ""), float(self.longitude.data or "")
        except ValueError:
            return None
        if not (math.isfinite(latitude) and math.isfinite(longitude)
                and -90 <= latitude <= 90 and -180 <= longitude <= 180):
            return None
        return latitude, longitude, "wgs84"

    def place_choice(self) -> tuple[str, int] | tuple[None, None]:
        """The place chosen as ``(kind, id)`` (``"station"`` or ``"restaurant"``), or ``(None, None)``."""
        match = PLACE.fullmatch(self.place.data or "")
        return (match.group(1), int(match.group(2))) if match else (None, None)
