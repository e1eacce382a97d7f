"""Refusals of the station rules, each with the message the user sees."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class NotYourStation(DomainError):
    """Only a coordinator of the station's organisation, or an admin, manages a station. A view answers 404:
    a user who may not manage it need not learn that it exists."""

    status = 404

    def __init__(self):
        super().__init__(_l("This station is not one your organisation runs."))


class InvalidStation(DomainError):
    """Input a station cannot have; ``field`` names the form field to mark."""

    status = 422

    def __init__(self, message, field: str):
        super().__init__(message, field=field)


class BadCoordinates(InvalidStation):
    def __init__(self):
        super().__init__(_l("The position is not a valid latitude (−90 to 90) and longitude (−180 to 180)."),
                         field="latitude")


class OutsideChina(InvalidStation):
    def __init__(self):
        super().__init__(_l("A position from a Chinese map app (GCJ-02) must lie in China."), field="latitude")


class UnknownCoordinateSystem(InvalidStation):
    def __init__(self):
        super().__init__(_l("Choose GPS (WGS-84) or a Chinese map app (GCJ-02)."), field="entered_crs")
