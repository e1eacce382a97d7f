"""Refusals of the report rules, each with the message the user sees (and, for form errors, the field)."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _n

from core.errors import DomainError


class ReportInvalid(DomainError):
    """Input the rider can fix: ``field`` names the form field the message belongs beside."""

    status = 422

    def __init__(self, message, field: str):
        super().__init__(message, field=field)


def no_photo() -> ReportInvalid:
    return ReportInvalid(_l("Add at least one photo of the problem."), "photos")


def too_many_photos(limit: int) -> ReportInvalid:
    return ReportInvalid(_n("Add at most %(num)d photo.", "Add at most %(num)d photos.", limit), "photos")


def no_description() -> ReportInvalid:
    return ReportInvalid(_l("Say in a few words what is wrong."), "description")


def no_location() -> ReportInvalid:
    return ReportInvalid(_l("Say where it is: use your location, paste a map link or type the address."),
                         "location")


def outside_area() -> ReportInvalid:
    return ReportInvalid(_l("This place is outside the area the programme covers. Check the location."), "location")


def unknown_category() -> ReportInvalid:
    return ReportInvalid(_l("Choose what kind of problem it is."), "category")


class WrongStatus(DomainError):
    """The report is no longer in the state the action needs (someone acted first, or a stale page)."""

    def __init__(self, status_label):
        super().__init__(_l("This report has changed meanwhile: it is now “%(status)s”. The page shows it as it is.",
                            status=status_label))


class AlreadyReopened(DomainError):
    def __init__(self):
        super().__init__(_l("This report was reopened once already. If it is still not fixed, ask your "
                            "coordinator to look at it."))


class OwnReport(DomainError):
    def __init__(self):
        super().__init__(_l("This is your own report: it already counts."))


class NotOpen(DomainError):
    def __init__(self):
        super().__init__(_l("This report is no longer open, so “me too” is not needed."))


class NoDepartment(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Choose the department to send it to."), field="department")


def reason_needed(field: str = "note") -> DomainError:
    err = DomainError(_l("Write a short reason: the reporter reads it."), field=field)
    err.status = 422
    return err


def resolution_needed() -> ReportInvalid:
    return ReportInvalid(_l("Write what was done, in a sentence or two."), "note")


def after_photo_needed() -> ReportInvalid:
    return ReportInvalid(_l("Add a photo of the place after the fix."), "photo")
