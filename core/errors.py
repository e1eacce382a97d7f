"""The base of every domain error."""


class DomainError(Exception):
    """A rule of the domain refused an action.

    ``message`` is shown to the user (a lazy translated string); ``status`` is the HTTP status a
    view answers with: 409 for a conflict with the current state, 422 for invalid input.
    """

    status = 409

    def __init__(self, message, **details):
        super().__init__(type(self).__name__)
        self.message = message
        self.details = details
