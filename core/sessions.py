"""Session cookies that only the pages a person acts on may write.

A browser fetches some addresses by itself, beside the page in front of the person: the service worker
script (``/sw.js``, fetched again on every page that registers it), the favicon and the web manifest. Such a
request leaves with the cookie the browser held when it started. If its answer carried ``Set-Cookie`` and
arrived after the answer to a log-in, it would put the signed-out session back and the person would be
signed out again a moment after signing in (Flask-Login marks an anonymous session "not fresh" on the first
request that loads the user, which is enough to make Flask send the cookie).

:class:`QuietSessionInterface` never sends the session cookie in the answer to those endpoints: they read
the session (the worker's words follow the person's language) but never change it.
"""

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface


class QuietSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that answers to ``quiet_endpoints`` (endpoint names, a
    frozenset of str) never carry ``Set-Cookie`` for the session, whatever the request did to it."""

    def __init__(self, quiet_endpoints: frozenset[str]):
        self.quiet_endpoints = quiet_endpoints

    def should_set_cookie(self, app: Flask, session) -> bool:
        """False for a quiet endpoint; else Flask's rule (the session changed, or a permanent session is
        refreshed on every request)."""
        if request.endpoint in self.quiet_endpoints:
            return False
        return super().should_set_cookie(app, session)

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's save, skipped entirely for a quiet endpoint (not even the deletion of an emptied session)."""
        if request.endpoint in self.quiet_endpoints:
            return
        super().save_session(app, session, response)


def init_app(app: Flask, *, quiet_endpoints: tuple[str, ...]) -> None:
    """Make ``app`` use :class:`QuietSessionInterface` for ``quiet_endpoints`` (endpoint names)."""
    app.session_interface = QuietSessionInterface(frozenset(quiet_endpoints))
