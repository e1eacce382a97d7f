"""Receivers of the signals of lower floors (:mod:`core.events`): each writes a notification."""

from datetime import datetime

from flask import Flask

from core import events
from notifications.services import notify


def on_account_changed(sender=None, *, user_id: int, change: str, now: datetime | None = None, **_) -> None:
    """An account changed (password, phone, deactivated, reactivated, role): tell its owner."""
    notify(user_id=user_id, kind="account_changed", params={"change": change}, link="/account", now=now)


def on_points_adjusted(sender=None, *, user_id: int, amount: int, reason: str, now: datetime | None = None,
                       **_) -> None:
    """A coordinator adjusted a rider's points: tell the rider."""
    notify(user_id=user_id, kind="points_adjusted", params={"amount": amount, "reason": reason}, link="/wallet",
           now=now)


def init_app(app: Flask) -> None:
    """Connect the receivers (once per process: blinker keeps one connection per receiver)."""
    events.account_changed.connect(on_account_changed)
    events.points_adjusted.connect(on_points_adjusted)
