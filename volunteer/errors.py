"""Refusals of the volunteer rules, each with the message the user sees."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError
from core.timeutil import localtime, timespan


class TaskCancelled(DomainError):
    def __init__(self):
        super().__init__(_l("This task was cancelled by the organiser."))


class TaskStarted(DomainError):
    def __init__(self):
        super().__init__(_l("This task has already started; sign-ups are closed."))


class TaskEnded(DomainError):
    def __init__(self):
        super().__init__(_l("This task has already ended."))


class TaskFull(DomainError):
    def __init__(self):
        super().__init__(_l("All places are taken. You can join the waitlist."))


class CannotCancelSignup(DomainError):
    def __init__(self):
        super().__init__(_l("This sign-up can no longer be cancelled."))


class PlacesBelowTaken(DomainError):
    status = 422

    def __init__(self, taken: int):
        super().__init__(
            _l("%(taken)d riders already hold a place; places cannot be fewer.", taken=taken), field="places"
        )


class PointsLocked(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Points were already awarded for this task, so they cannot change."), field="points")


class AttendanceNotAllowed(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _l("Attendance can only be marked for riders with a place."))


class InvalidTask(DomainError):
    status = 422


class OverlappingTask(DomainError):
    """The rider holds a place on another task at the same time (``held``: a place offered to them there);
    the message names it and its time."""

    def __init__(self, other, held: bool = False):
        when = timespan(other.starts_at, other.ends_at)
        if held:
            message = _l("A place on “%(title)s” (%(when)s) is held for you at the same time. Decline it first "
                         "to sign up for this one.", title=other.title, when=when)
        else:
            message = _l("You already have a place on “%(title)s” (%(when)s) at the same time. Cancel it "
                         "first to take this one.", title=other.title, when=when)
        super().__init__(message, task_id=other.id)


class ReasonRequired(DomainError):
    status = 422

    def __init__(self, message=None):
        super().__init__(message or _l("Give a reason; the rider will see it."), field="reason")


class CorrectionNeedsReason(AttendanceNotAllowed):
    """Changing an attendance that was already marked (attended ↔ no-show) needs the coordinator's reason."""

    status = 422

    def __init__(self):
        super().__init__(_l("Give a reason for the correction; the rider will see it."))
        self.details["field"] = "reason"


class SignupsChanged(DomainError):
    """The confirmed riders changed between the confirmation page and the bulk marking."""

    def __init__(self):
        super().__init__(_l("The list of confirmed riders changed since you opened this page. Check the new "
                            "numbers and confirm again."))


class CannotRemoveSignup(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _l("Only a rider with a place or on the waitlist can be removed."))


class RemovedFromTask(DomainError):
    def __init__(self):
        super().__init__(_l("The organiser removed you from this task, so you cannot sign up for it again."))


class HoldEnded(DomainError):
    """The rider tapped Accept after their hold ended: the place went on to the next rider."""

    def __init__(self, hold_until=None):
        if hold_until is None:
            message = _l("The place is no longer held for you: the time to accept it is over.")
        else:
            message = _l("The place was held for you until %(time)s, so it can no longer be accepted. It went "
                         "to the next rider, and you are back on the waitlist.", time=localtime(hold_until, "time"))
        super().__init__(message)


class NoHeldPlace(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _l("No place is held for you on this task."))


class CheckInNotOpen(DomainError):
    """Check-in (or check-out) is not open now; the message says when it opens or that it closed."""


class WrongCheckInCode(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("This code is wrong or too old. Type the 6 digits shown on the organiser's screen now."),
                         field="code")


class TooManyWrongCodes(DomainError):
    status = 429

    def __init__(self, until: str):
        super().__init__(_l("Too many wrong codes. Try again after %(time)s.", time=until), field="code")


class NoPlaceOnTask(DomainError):
    def __init__(self):
        super().__init__(_l("You have no place on this task, so you cannot check in."))


class AlreadyCheckedIn(DomainError):
    def __init__(self, time: str):
        super().__init__(_l("You already checked in at %(time)s.", time=time))


class AlreadyCheckedOut(DomainError):
    def __init__(self, time: str):
        super().__init__(_l("You already checked out at %(time)s.", time=time))


class NotCheckedIn(DomainError):
    def __init__(self):
        super().__init__(_l("You have not checked in, so you cannot check out."))


class MarkedNoShow(DomainError):
    def __init__(self):
        super().__init__(_l("The organiser marked you as a no-show. Ask them to correct it."))


class CheckInLinkExpired(DomainError):
    def __init__(self):
        super().__init__(_l("This check-in link is too old or broken. Scan the code on the organiser's screen "
                            "again."))


class NotEligible(DomainError):
    """The rider does not match the activity's rules (``unmet``: :class:`volunteer.eligibility.Unmet`, each
    with its text); the message lists them."""

    def __init__(self, unmet):
        self.unmet = list(unmet)
        super().__init__(_l("This activity is not open to you: %(reasons)s.",
                            reasons=str(_l("; (list separator)")).join(str(u.text).rstrip(".。")
                                                                          for u in self.unmet)))


class RulesLocked(DomainError):
    status = 422

    def __init__(self):
        super().__init__(_l("Riders have signed up, so the kind and the rules of this task cannot change."),
                         field="kind")
