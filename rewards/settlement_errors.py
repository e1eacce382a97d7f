"""Refusals of settlement (drawing, issuing, marking paid), each with the message the user sees.

``details["field"]`` names the form field a message belongs next to (``period``, ``reference``, ``paid_on``).
"""

from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from core.errors import DomainError


def format_day(day: date) -> str:
    """A local date in the user's language: ``2026年11月23日`` / ``23 Nov 2026``."""
    return format_date(day, "y年M月d日" if str(get_locale()) == "zh" else "d MMM y")


class PeriodUnknown(DomainError):
    """Not a week starting on a Monday or a month starting on its first day (a tampered form)."""

    status = 422

    def __init__(self):
        super().__init__(_l("Choose one of the periods offered."), field="period")


class PeriodNotOver(DomainError):
    """The period has not ended yet: its statement can be drawn from ``drawable_on`` (a local date)."""

    status = 422

    def __init__(self, drawable_on):
        super().__init__(_l("This period has not ended yet: its statement can be drawn from %(day)s.",
                            day=format_day(drawable_on)), field="period")
        self.drawable_on = drawable_on


class StatementExists(DomainError):
    """A statement of this merchant and period exists already (``statement`` is it: the page links to it)."""

    def __init__(self, statement):
        super().__init__(_l("A statement of this merchant for this period has already been drawn."), field="period")
        self.statement = statement


class NotDraft(DomainError):
    """Only a draft can be issued."""

    def __init__(self):
        super().__init__(_l("This statement is no longer a draft: it was issued already."))


class NotIssued(DomainError):
    """Only an issued statement can be marked paid."""

    def __init__(self, status: str):
        message = (_l("This statement was already marked paid.") if status == "paid"
                   else _l("Issue the statement before marking it paid."))
        super().__init__(message)


class ReferenceMissing(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Enter the payment reference (for example the bank transfer number)."),
                         field="reference")


class ReferenceTooLong(DomainError):
    status = 422

    def __init__(self, limit: int):
        super().__init__(_l("At most %(num)d characters.", num=limit), field="reference")


class PaidOnInvalid(DomainError):
    """The payment date is missing, in the future, or before the statement was issued."""

    status = 422

    def __init__(self, message):
        super().__init__(message, field="paid_on")
