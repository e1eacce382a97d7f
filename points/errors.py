"""Refusals of the points rules, each with the message the user sees."""

from flask_babel import lazy_ngettext as _n

from core.errors import DomainError


class DuplicateEntry(Exception):
    """An entry with this ``key`` exists already: the movement happened before."""


class InsufficientPoints(DomainError):
    """The balance is too low; ``missing`` is how many points short (a positive integer)."""

    def __init__(self, missing: int):
        super().__init__(_n("Not enough points: you need %(num)d more point.",
                            "Not enough points: you need %(num)d more points.", missing), missing=missing)
        self.missing = missing


class AdjustmentWouldGoNegative(DomainError):
    """A coordinator's adjustment would leave the rider's balance (``balance`` points now) below zero."""

    status = 422

    def __init__(self, balance: int):
        super().__init__(
            _n("This would leave the balance below zero (it is %(num)d point).",
               "This would leave the balance below zero (it is %(num)d points).", balance)
        )
