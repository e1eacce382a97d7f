"""The base of every domain error."""


class DomainError(Exception):
    """A rule of the domain refused an action.

    ``message`` is shown to the user (translated when raised); ``status`` is the HTTP status a
    view answers with: 409 for a conflict with the current state, 422 for invalid input.
    """

    status = 409

    def __init__(self, message, **details):
        super().__init__(type(self).__name__)
        # A plain str, translated now: Flask-Babel's lazy strings claim to be safe HTML (``__html__``),
        # so a message carrying user text (a merchant's name) would reach templates unescaped.
        self.message = str(message)
        self.details = details
