"""Signals that lower floors send and higher floors listen to (blinker), so accounts and points can tell
notifications about an event without importing upward.

Each signal is sent with keyword arguments only, inside the transaction of the event; a receiver
writes in that same transaction (flush, never commit):

- ``account_changed.send(user_id=int, change=str, now=datetime | None)``: ``change`` is one of
  ``password``, ``phone``, ``deactivated``, ``reactivated``, ``role``.
- ``points_adjusted.send(user_id=int, amount=int, reason=str, now=datetime | None)``: a coordinator's
  adjustment of a rider's points (``amount`` positive or negative).
"""

from blinker import Namespace

signals = Namespace()

account_changed = signals.signal("account-changed")
points_adjusted = signals.signal("points-adjusted")
