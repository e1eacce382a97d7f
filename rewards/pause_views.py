"""The counter's pause and resume buttons (added to the ``rewards_merchant`` blueprint)."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.web import role_required, widget_or_redirect
from extensions import db
from rewards import pausing
from rewards.merchant import bp, my_merchant

WIDGET = "rewards/merchant/_pause.html"


@bp.post("/pause")
@role_required("merchant")
def pause():
    """Pause all this restaurant's offers (a busy kitchen): riders see them paused and cannot redeem."""
    merchant = my_merchant()
    pausing.pause_offers(merchant=merchant, actor=current_user)
    db.session.commit()
    return widget_or_redirect(WIDGET, url_for("rewards_merchant.home"), merchant=merchant,
                              message=_("Offers paused. Riders cannot redeem them until you resume."))


@bp.post("/resume")
@role_required("merchant")
def resume():
    """Make this restaurant's offers redeemable again."""
    merchant = my_merchant()
    pausing.resume_offers(merchant=merchant, actor=current_user)
    db.session.commit()
    return widget_or_redirect(WIDGET, url_for("rewards_merchant.home"), merchant=merchant,
                              message=_("Offers resumed. Riders can redeem them again."))
