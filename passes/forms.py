"""Forms of the Haitang pass pages run by coordinators and admins."""

from accounts.forms import StaffAccountForm


class BuildingStaffForm(StaffAccountForm):
    """A coordinator or an admin creates a building staff log-in: mobile number (checked and normalised like
    every account form), name, initial password (the rules of :mod:`accounts.passwords`)."""
