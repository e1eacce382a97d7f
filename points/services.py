"""Use cases of points that a person starts: a coordinator's adjustment."""

from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core import events
from points.errors import AdjustmentWouldGoNegative, InsufficientPoints
from points.ledger import post_entry
from points.queries import balance_of

journal.describe({"points.award": _l("Points awarded for attendance"), "points.adjust": _l("Points adjusted")},
                 points=_l("Points"), reason=_l("Reason"))


def adjust_points(*, rider: User, amount: int, reason: str, actor: User) -> int:
    """Add (or, when negative, remove) ``amount`` points for ``rider`` with a coordinator's ``reason``.

    Returns the ledger entry's id, journals it and sends :data:`core.events.points_adjusted` (notifications
    tell the rider in this transaction). Raises :class:`AdjustmentWouldGoNegative` when
    the balance would drop below zero.
    """
    try:
        entry_id = post_entry(rider_id=rider.id, amount=amount, kind="adjustment", reason=reason.strip(),
                              actor=actor)
    except InsufficientPoints:
        raise AdjustmentWouldGoNegative(balance_of(rider.id)) from None
    journal.record("points.adjust", actor=actor, subject=f"user:{rider.id}", rider_id=rider.id, points=amount,
                   reason=reason.strip())
    events.points_adjusted.send(user_id=rider.id, amount=amount, reason=reason.strip())
    return entry_id
