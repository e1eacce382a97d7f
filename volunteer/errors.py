"""Refusals of the volunteer rules, each with the message the user sees."""

from flask_babel import lazy_gettext as _l

from core.errors import DomainError


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
