"""Budgets of failures per person or address (log-ins, registrations, unknown voucher codes).

Built on Flask-Limiter's storage and strategy (memory by default, Redis with
``RATELIMIT_STORAGE_URI=redis://…`` so several processes share the counts). A view asks
:meth:`Budget.blocked_until` before acting and calls :meth:`Budget.spend` after a failure, so the
screen can say *when* to try again instead of answering a bare 429.
"""

from datetime import UTC, datetime

from flask import current_app
from limits import parse

from extensions import limiter


class Budget:
    """A named allowance, e.g. ``Budget("login-phone", "LOGIN_FAILURES_PER_PHONE")``.

    ``setting`` names the config key holding a limit string such as ``"5 per 15 minutes"``.
    """

    def __init__(self, name: str, setting: str):
        self.name = name
        self.setting = setting

    def _limit(self):
        return parse(current_app.config[self.setting])

    def _key(self) -> str:
        """The storage key namespace: ``RATELIMIT_KEY_PREFIX`` keeps apps sharing one Redis apart."""
        return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'nuanxin'}:{self.name}"

    def blocked_until(self, *identifiers) -> datetime | None:
        """When the budget of ``identifiers`` refills (aware UTC) if it is used up now, else ``None``."""
        if not limiter.enabled or not all(identifiers):
            return None
        limit = self._limit()
        if limiter.limiter.test(limit, self._key(), *identifiers):
            return None
        reset, _remaining = limiter.limiter.get_window_stats(limit, self._key(), *identifiers)
        return datetime.fromtimestamp(reset, UTC)

    def spend(self, *identifiers) -> None:
        """Count one failure (or one use) against ``identifiers``."""
        if limiter.enabled and all(identifiers):
            limiter.limiter.hit(self._limit(), self._key(), *identifiers)


def latest(*moments: datetime | None) -> datetime | None:
    """The latest of the given reset times, ignoring ``None``."""
    present = [m for m in moments if m is not None]
    return max(present) if present else None


LOGIN_BY_PHONE = Budget("login-phone", "LOGIN_FAILURES_PER_PHONE")
LOGIN_BY_ADDRESS = Budget("login-address", "LOGIN_FAILURES_PER_ADDRESS")
REGISTRATION_BY_ADDRESS = Budget("register-address", "REGISTRATIONS_PER_ADDRESS")
UNKNOWN_CODES_BY_STAFF = Budget("unknown-code-staff", "UNKNOWN_CODES_PER_STAFF")
