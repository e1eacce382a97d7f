"""Riders' points pages: the wallet (balance and history) and the header's balance badge."""

from flask import Blueprint, render_template
from flask_login import current_user

from core.web import role_required
from points.queries import balance_of, history_of

bp = Blueprint("points", __name__)

BALANCE_CHANGED = "balance-changed"  # the HX-Trigger event that makes the header's balance refresh itself


@bp.get("/wallet")
@role_required("rider")
def wallet():
    """Balance and the full history of ledger entries, each with what it was for."""
    balance = balance_of(current_user.id)
    return render_template("points/wallet.html", balance=balance, page_balance=balance,
                           entries=history_of(current_user.id))


@bp.get("/wallet/balance")
@role_required("rider")
def balance():
    """The header's balance badge; htmx re-fetches it on ``balance-changed``."""
    return render_template("points/_balance.html", balance=balance_of(current_user.id))


def header_balance() -> int | None:
    """The logged-in rider's balance in points for the page header, or ``None`` for others."""
    if not current_user.is_authenticated or current_user.role != "rider":
        return None
    return balance_of(current_user.id)
