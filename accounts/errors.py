"""Refusals of the accounts rules."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


class CannotDeactivate(DomainError):
    status = 403

    def __init__(self):
        super().__init__(_l("You cannot change this account: it is your own, or it also belongs to another "
                            "organisation (ask an admin)."))


class PhoneTaken(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("This phone number is already registered. Log in instead."))


class OrganisationNameTaken(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("An organisation with this name exists already."))


class AccountSuspended(DomainError):
    """A deactivated account typed the right password: say so, and whom to contact."""

    status = 403

    def __init__(self, contact: str):
        super().__init__(_l("This account is suspended; contact %(contact)s.", contact=contact))


class WrongPassword(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("That is not your current password."))


class CannotDeleteAccount(DomainError):
    status = 403

    def __init__(self):
        super().__init__(_l("An admin account cannot delete itself; ask another admin to deactivate it."))
