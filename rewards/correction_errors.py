"""Refusals of voucher corrections (undo a confirmation, cancel a voucher), each with the message shown."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError
from core.timeutil import localtime


class UndoNotPossible(DomainError):
    """The confirmation cannot be undone (any more): the message says why."""


def undo_refusal(voucher, staff, deadline) -> UndoNotPossible:
    """The refusal that explains why ``staff`` cannot undo the confirmation of ``voucher`` now."""
    if voucher.status != "redeemed":
        return UndoNotPossible(_l("This voucher is not redeemed, so there is nothing to undo."))
    if voucher.redeemed_by_id != staff.id:
        return UndoNotPossible(_l("Only the staff account that confirmed a voucher can undo it."))
    return UndoNotPossible(_l("The time to undo this confirmation ended at %(time)s.",
                              time=localtime(deadline, "time")))


class ReasonMissing(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Say why the voucher is cancelled (the rider will read it)."), field="reason")


class ReasonTooLong(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("At most 150 characters."), field="reason")


class NotCancellable(DomainError):
    """Only an issued voucher can be cancelled by the programme."""

    def __init__(self, voucher):
        if voucher.status == "redeemed":
            message = _l("It was redeemed at %(time)s and can no longer be cancelled.",
                         time=localtime(voucher.redeemed_at, "short"))
        elif voucher.status == "cancelled":
            message = _l("This voucher is already cancelled; its points were refunded.")
        else:
            message = _l("This voucher has expired; its points were refunded.")
        super().__init__(message)
        self.voucher = voucher


class KeyOfAnotherOffer(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("This page is out of date. Please check the offer and tap again."))
