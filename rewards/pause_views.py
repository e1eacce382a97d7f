"""The counter's pause and resume buttons (added to the ``rewards_merchant`` blueprint)."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.web import role_required, widget_or_redirect
from extensions import db
from rewards import pausing
from rewards.merchant import bp, my_merchant

WIDGET = "rewards/merchant/_pause.html"


def _switch(change, message: str):
    """Apply ``change`` (pausing.pause_offers or resume_offers) to the staff's merchant; answer the switch."""
    merchant = my_merchant()
    change(merchant=merchant, actor=current_user)
    db.session.commit()
    return widget_or_redirect(WIDGET, url_for("rewards_merchant.home"), merchant=merchant, message=message)


@bp.post("/pause")
@role_required("merchant")
def pause():
    """Pause all this restaurant's offers (a busy kitchen): riders see them paused and cannot redeem."""
    return _switch(pausing.pause_offers, _("Offers paused. Riders cannot redeem them until you resume."))


@bp.post("/resume")
@role_required("merchant")
def resume():
    """Make this restaurant's offers redeemable again."""
    return _switch(pausing.resume_offers, _("Offers resumed. Riders can redeem them again."))
