"""Use cases of a partner restaurant's opening hours as a place (weekly rows, dated exceptions, holiday rule).

Not to be confused with :mod:`rewards.hours`, the serving hours in which vouchers can be confirmed. The rules
that refuse rows are shared with stations (:mod:`core.hours_form`); functions flush, never commit, and are
journalled in the caller's transaction.
"""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.errors import DomainError
from core.hours_form import HoursRefused, check_exception, check_weekly
from core.opening_hours import HOLIDAY_RULES
from extensions import db
from rewards.models import Merchant, MerchantHours, MerchantHoursException

journal.describe({"merchant.hours": _l("Opening hours set"),
                  "merchant.hours_exception_add": _l("Hours exception added"),
                  "merchant.hours_exception_remove": _l("Hours exception deleted")},
                 hours=_l("Weekly hours"), holiday_rule=_l("Holiday rule"), day=_l("Date"), closed=_l("Closed"),
                 opens=_l("Opens"), closes=_l("Closes"), note=_l("Note"))


class NotYourMerchant(DomainError):
    """Only a coordinator of the merchant's organisation, or an admin, sets its hours (a view answers 404)."""

    status = 404

    def __init__(self):
        super().__init__(_l("This merchant is not one your organisation manages."))


def _check_manager(actor: User, merchant: Merchant) -> None:
    if actor.is_admin or (actor.is_coordinator and merchant.organisation_id is not None
                          and actor.organisation_id == merchant.organisation_id):
        return
    raise NotYourMerchant()


def _hours_text(rows) -> str:
    return "; ".join(f"{weekday} {opens}-{closes}" for weekday, opens, closes in rows)


def set_merchant_hours(*, merchant: Merchant, actor: User, rows, holiday_rule: str,
                       now: datetime | None = None) -> Merchant:
    """Replace the merchant's weekly hours by ``rows`` (``(weekday, opens, closes)``, as
    :func:`stations.services.set_weekly_hours`) and set its ``holiday_rule``, atomically. Journalled when
    something changed.

    Raises :class:`NotYourMerchant` or :class:`core.hours_form.HoursRefused`.
    """
    _check_manager(actor, merchant)
    if holiday_rule not in HOLIDAY_RULES:
        raise HoursRefused(_l("Choose what happens on public holidays."), "holiday_rule")
    checked = check_weekly(list(rows))
    changed = journal.changes(
        {"hours": _hours_text((row.weekday, row.opens, row.closes) for row in merchant.hours),
         "holiday_rule": merchant.holiday_rule}, {"hours": _hours_text(checked), "holiday_rule": holiday_rule})
    if not changed:
        return merchant
    db.session.execute(sa.delete(MerchantHours).where(MerchantHours.merchant_id == merchant.id))
    db.session.add_all(MerchantHours(merchant_id=merchant.id, weekday=weekday, opens=opens, closes=closes)
                       for weekday, opens, closes in checked)
    merchant.holiday_rule = holiday_rule
    db.session.flush()
    db.session.expire(merchant, ["hours"])
    journal.record("merchant.hours", actor=actor, subject=f"merchant:{merchant.id}", merchant_id=merchant.id,
                   organisation_id=merchant.organisation_id, name=merchant.name, changed=changed, now=now)
    return merchant


def add_merchant_hours_exception(*, merchant: Merchant, actor: User, day: date, closed: bool,
                                 opens: str | None = None, closes: str | None = None, note: str = "",
                                 now: datetime | None = None) -> MerchantHoursException:
    """Add a dated exception to the merchant's hours, as :func:`stations.services.add_hours_exception`.

    Raises :class:`NotYourMerchant`, :class:`core.hours_form.HoursRefused` or
    :class:`core.hours_form.ExceptionConflict` (409).
    """
    _check_manager(actor, merchant)
    existing = db.session.scalars(sa.select(MerchantHoursException).where(
        MerchantHoursException.merchant_id == merchant.id, MerchantHoursException.day == day)).all()
    opens, closes = check_exception(existing, closed=closed, opens=opens, closes=closes)
    note = (note or "").strip()[:200]
    row = MerchantHoursException(merchant_id=merchant.id, day=day, closed=closed, opens=opens, closes=closes,
                                 note=note)
    db.session.add(row)
    db.session.flush()
    journal.record("merchant.hours_exception_add", actor=actor, subject=f"merchant:{merchant.id}",
                   merchant_id=merchant.id, organisation_id=merchant.organisation_id, name=merchant.name,
                   day=day.isoformat(), closed=closed, opens=opens, closes=closes, note=note, now=now)
    return row


def remove_merchant_hours_exception(*, exception: MerchantHoursException, actor: User,
                                    now: datetime | None = None) -> None:
    """Delete one dated exception of a merchant's hours. Raises :class:`NotYourMerchant`."""
    merchant = exception.merchant
    _check_manager(actor, merchant)
    journal.record("merchant.hours_exception_remove", actor=actor, subject=f"merchant:{merchant.id}",
                   merchant_id=merchant.id, organisation_id=merchant.organisation_id, name=merchant.name,
                   day=exception.day.isoformat(), closed=exception.closed, opens=exception.opens,
                   closes=exception.closes, now=now)
    db.session.delete(exception)
    db.session.flush()
