"""The coordinator's station form: details, amenities and the position, entered one of three ways.

The position comes (a) from the phone ("use my current location": JavaScript fills latitude and longitude in
WGS-84), (b) from a share link or coordinates pasted from a Chinese map app (``map_link``, read by
:func:`core.geo.parse_map_link`; it wins over typed numbers), or (c) typed, with the coordinate system chosen.
:meth:`StationForm.position` says which; the service converts GCJ-02 to WGS-84.
"""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from accounts.forms import OrganisationField
from core.forms import Form, required
from core.geo import parse_map_link
from stations.errors import InvalidStation
from stations.models import AMENITY_LABELS, BUILDING, KIND_LABELS
from stations.services import read_spots

CRS_LABELS = {"wgs84": _l("GPS (WGS-84)"), "gcj02": _l("Chinese map app (GCJ-02)")}


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of labelled checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def spots_number(form, field) -> None:
    """A validator: a partner building's e-bike spots are empty or a whole number 0–10,000 (the service's rule
    and message); other kinds do not keep them, so they are not checked."""
    if form.kind.data != BUILDING:
        return
    try:
        read_spots(field.data)
    except InvalidStation as error:
        raise ValidationError(str(error.message)) from None


class StationForm(Form):
    name = StringField(_l("Station name"), validators=[required(_l("Enter the station's name.")),
                                               Length(max=100, message=_l("At most 100 characters."))])
    kind = SelectField(_l("Kind of place"), default="community_centre",
                       choices=[SelectChoice(code, label) for code, label in KIND_LABELS.items()])
    address = StringField(_l("Address"), validators=[required(_l("Enter the address.")),
                                                     Length(max=200, message=_l("At most 200 characters."))])
    amenities = CheckboxesField(_l("What riders find there"),
                                choices=[SelectChoice(code, label) for code, label in AMENITY_LABELS.items()])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20, message=_l(
        "At most 20 characters."))], render_kw={"type": "tel", "autocomplete": "off"})
    # A partner building's fast lane and e-bike parking (saved for kind "building" only, cleared otherwise).
    fast_lane = StringField(_l("Fast lane: which entrance, what to show"), validators=[Optional(), Length(
        max=200, message=_l("At most 200 characters."))], render_kw={"autocomplete": "off"},
        description=_l("Such as: east lobby, the rider lane left of the gates; show the pass to the guard."))
    ebike_spots = StringField(_l("E-bike spots for riders"), validators=[spots_number],
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    parking_where = StringField(_l("Where the parking is"), validators=[Optional(), Length(
        max=200, message=_l("At most 200 characters."))], render_kw={"autocomplete": "off"},
        description=_l("Such as: basement 1, zone B, by the north ramp."))
    map_link = StringField(_l("Paste a share link or coordinates from a map app"), validators=[Optional(), Length(
        max=2000, message=_l("At most 2000 characters."))], render_kw={"autocomplete": "off", "inputmode": "url"},
        description=_l("From Amap (高德): Share → Copy link, or the coordinates, such as 31.87, 120.55."))
    latitude = StringField(_l("Latitude"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    longitude = StringField(_l("Longitude"), render_kw={"inputmode": "decimal", "autocomplete": "off"})
    entered_crs = SelectField(_l("Coordinates from"), default="wgs84",
                              choices=[SelectChoice(code, label) for code, label in CRS_LABELS.items()])

    def position(self) -> tuple[str, str, str] | None:
        """``(latitude, longitude, crs)`` as entered (numbers as text, the service checks them), or ``None``
        with the error set on the field to mark (a link that cannot be read, nothing given)."""
        if self.map_link.data:
            found = parse_map_link(self.map_link.data)
            if found is None:
                self.map_link.errors = [*self.map_link.errors, _l(
                    "Cannot read a position in China from this. Paste an Amap share link or two numbers, "
                    "such as 31.87, 120.55.")]
                return None
            return str(found[0]), str(found[1]), found[2]
        latitude, longitude = (self.latitude.data or "").strip(), (self.longitude.data or "").strip()
        if not latitude and not longitude:
            self.latitude.errors = [*self.latitude.errors, _l(
                "Give the position: use your location, paste a map link, or type latitude and longitude.")]
            return None
        return latitude, longitude, self.entered_crs.data

    def error_field(self, name: str):
        """The field that shows a service's error about ``name`` (a position from a link: the link's field)."""
        if name in ("latitude", "longitude", "entered_crs") and self.map_link.data:
            return self.map_link
        if name == "organisation_id":
            name = "organisation"
        return self._fields.get(name) or self.name


class AdminStationForm(StationForm):
    """An admin also chooses the organisation that runs the station."""

    organisation = OrganisationField(validators=[required(_l("Choose the organisation that runs the station."))])
