"""Signals that lower floors send and higher floors listen to (blinker), so accounts and points can tell
notifications about an event without importing upward.

Each signal is sent with keyword arguments only, inside the transaction of the event; a receiver
writes in that same transaction (flush, never commit):

- ``account_changed.send(user_id=int, change=str, now=datetime | None)``: ``change`` is one of
  ``password``, ``phone``, ``deactivated``, ``reactivated``, ``role``.
- ``points_adjusted.send(user_id=int, amount=int, reason=str, now=datetime | None)``: a coordinator's
  adjustment of a rider's points (``amount`` positive or negative).
- ``service_changed.send(rider_id=int, now=datetime | None)``: a rider's attended or verified service changed
  (attendance marked or corrected, a check-out recorded its minutes): recognition re-reads their level.
"""

from blinker import Namespace

signals = Namespace()

account_changed = signals.signal("account-changed")
points_adjusted = signals.signal("points-adjusted")
service_changed = signals.signal("service-changed")
