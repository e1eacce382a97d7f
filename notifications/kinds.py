"""The kinds of notification: their parameters, texts, and whether they may also go by SMS.

A notification stores its kind and plain parameters; its texts are rendered when shown, in the
viewer's language (:func:`render`), with datetimes in the local zone. Callers pass exactly the
parameters a kind lists (:func:`clean_params` refuses others). Datetime parameters may be given as
aware datetimes; they are stored as ISO-8601 UTC strings.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from core.timeutil import iso_datetime, localtime

DATETIME_PARAMS = frozenset({"starts_at", "hold_until", "expires_at"})
ACCOUNT_CHANGES = {
    "password": _l("Your password was changed. If this was not you, contact your coordinator at once."),
    "phone": _l("The mobile number of your account was changed. If this was not you, contact your coordinator "
                "at once."),
    "deactivated": _l("Your account was deactivated. Contact your coordinator to learn why."),
    "reactivated": _l("Your account is active again: you can log in."),
    "role": _l("Your role in the programme was changed."),
}


@dataclass(frozen=True)
class Kind:
    """One kind: ``params`` it takes, its ``title`` (lazy) and ``body`` (values → text, called in the
    language wanted), whether it ``may_sms``, whether SMS is on when the user has not chosen, and
    ``over_at``: the parameter whose moment ends the news (an SMS still waiting then is not sent)."""

    name: str
    params: tuple[str, ...]
    title: object
    body: Callable[[dict], str]
    may_sms: bool = False
    sms_default: bool = False
    over_at: str | None = None  # the datetime parameter after which an SMS not yet sent is pointless


def _adjusted(v: dict) -> str:
    amount = v["amount"]
    if amount >= 0:
        return ngettext("%(num)d point was added to your balance. Reason: %(reason)s",
                        "%(num)d points were added to your balance. Reason: %(reason)s", amount, reason=v["reason"])
    return ngettext("%(num)d point was taken from your balance. Reason: %(reason)s",
                    "%(num)d points were taken from your balance. Reason: %(reason)s", -amount, reason=v["reason"])


REPORT_NEWS = {
    "submitted": _l("Report #%(report)s was received."),
    "accepted": _l("Report #%(report)s was accepted by a coordinator."),
    "routed": _l("Report #%(report)s was sent to the department that can fix it."),
    "resolved": _l("Report #%(report)s is resolved: %(note)s Please check and confirm the fix, or say it is not "
                   "fixed."),
    "rejected": _l("Report #%(report)s was not taken up. Reason: %(note)s"),
    "closed": _l("Report #%(report)s is closed: the fix was verified. Thank you!"),
}


def _ended(note: str) -> str:
    """``note`` ending as a sentence (a sentence follows it in the message): a full stop is added when it
    has none, the Chinese one after Chinese text."""
    note = (note or "").strip()
    if not note or note[-1] in ".!?。！？…":
        return note
    return note + ("。" if re.search(r"[\u3400-\u9fff]", note) else ".")


def _level_changed(v: dict) -> str:
    if v["level_to"] > v["level_from"]:
        return ngettext("You reached level %(level)d with %(num)d verified volunteer hour. Thank you!",
                        "You reached level %(level)d with %(num)d verified volunteer hours. Thank you!",
                        v["hours"], level=v["level_to"])
    if v["level_to"] == 0:
        return ngettext("You no longer have a star: after a correction of attendance you have %(num)d verified "
                        "volunteer hour.",
                        "You no longer have a star: after a correction of attendance you have %(num)d verified "
                        "volunteer hours.", v["hours"])
    return ngettext("Your level is now %(level)d: after a correction of attendance you have %(num)d verified "
                    "volunteer hour.",
                    "Your level is now %(level)d: after a correction of attendance you have %(num)d verified "
                    "volunteer hours.", v["hours"], level=v["level_to"])


def _report_changed(v: dict) -> str:
    text = REPORT_NEWS.get(v["status"])
    return str(text) % {"report": v["report"], "note": _ended(v["note"])} if text is not None else ""


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("promoted", ("title", "starts_at"), _l("You have a place"),
         lambda v: _("A place freed up: you are now confirmed for %(title)s, %(starts_at)s.", **v),
         may_sms=True, sms_default=True),
    Kind("place_offered", ("title", "starts_at", "hold_until"), _l("A place is offered to you"),
         lambda v: _("A place in %(title)s (%(starts_at)s) is held for you until %(hold_until)s. "
                     "Accept it before then.", **v),
         may_sms=True, sms_default=True, over_at="hold_until"),
    Kind("task_changed", ("title", "starts_at", "place"), _l("A task changed"),
         lambda v: _("%(title)s has changed: %(starts_at)s at %(place)s.", **v),
         may_sms=True, sms_default=True),
    Kind("task_cancelled", ("title", "starts_at"), _l("A task is cancelled"),
         lambda v: _("%(title)s on %(starts_at)s is cancelled.", **v),
         may_sms=True, sms_default=True),
    Kind("signup_removed", ("title", "reason"), _l("Your sign-up was removed"),
         lambda v: _("Your sign-up for %(title)s was removed. Reason: %(reason)s", **v)),
    Kind("task_reminder", ("title", "starts_at", "place"), _l("Task reminder"),
         lambda v: _("%(title)s starts %(starts_at)s at %(place)s.", **v),
         may_sms=True, sms_default=True, over_at="starts_at"),
    Kind("attendance_recorded", ("title", "points"), _l("Attendance recorded"),
         lambda v: ngettext("Your attendance at %(title)s is recorded: %(num)d point.",
                            "Your attendance at %(title)s is recorded: %(num)d points.", v["points"], **v)),
    Kind("attendance_reversed", ("title", "points", "reason"), _l("Attendance corrected"),
         lambda v: ngettext("Your attendance at %(title)s was corrected: %(num)d point taken back. "
                            "Reason: %(reason)s",
                            "Your attendance at %(title)s was corrected: %(num)d points taken back. "
                            "Reason: %(reason)s", v["points"], **v)),
    Kind("checked_in", ("title",), _l("Checked in"),
         lambda v: _("You are checked in at %(title)s.", **v)),
    Kind("points_adjusted", ("amount", "reason"), _l("Points adjusted"), _adjusted),
    Kind("voucher_redeemed", ("offer", "merchant"), _l("Voucher used"),
         lambda v: _("Your voucher for %(offer)s was used at %(merchant)s.", **v)),
    Kind("voucher_expiring", ("offer", "merchant", "expires_at"), _l("Voucher expiring soon"),
         lambda v: _("Your voucher for %(offer)s at %(merchant)s expires %(expires_at)s.", **v)),
    Kind("voucher_expired", ("offer", "points"), _l("Voucher expired"),
         lambda v: ngettext("Your voucher for %(offer)s expired; %(num)d point was returned to you.",
                            "Your voucher for %(offer)s expired; %(num)d points were returned to you.",
                            v["points"], **v)),
    Kind("voucher_refunded", ("offer", "points"), _l("Voucher cancelled"),
         lambda v: ngettext("Your voucher for %(offer)s was cancelled; %(num)d point was returned to you.",
                            "Your voucher for %(offer)s was cancelled; %(num)d points were returned to you.",
                            v["points"], **v)),
    Kind("account_changed", ("change",), _l("Your account changed"), lambda v: str(v["change"])),
    Kind("report_changed", ("report", "status", "note"), _l("Your problem report"), _report_changed),
    Kind("statement_issued", ("merchant", "first_day", "last_day", "total"), _l("Settlement statement issued"),
         lambda v: _("The programme issued the statement of %(merchant)s for %(first_day)s to %(last_day)s: "
                     "¥%(total)s. Open it to check or download it.", **v)),
    Kind("statement_paid", ("merchant", "first_day", "last_day", "total"), _l("Settlement statement paid"),
         lambda v: _("The programme paid the statement of %(merchant)s for %(first_day)s to %(last_day)s: "
                     "¥%(total)s.", **v)),
    Kind("certificate_revoked", ("certificate", "reason"), _l("Certificate revoked"),
         lambda v: _("Your certificate of service No. %(certificate)s was revoked. Reason: %(reason)s", **v)),
    Kind("pioneer_marked", ("organisation", "reason"), _l("You were marked a pioneer"),
         lambda v: _("%(organisation)s marked you as a pioneer. Reason: %(reason)s", **v)),
    Kind("level_changed", ("level_from", "level_to", "hours"), _l("Your volunteer level changed"), _level_changed),
)}
SMS_KINDS = tuple(k for k in KINDS.values() if k.may_sms)


def get(kind: str) -> Kind:
    """The :class:`Kind` named ``kind``; raises ``ValueError`` for an unknown one."""
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}") from None


def clean_params(kind: Kind, params: dict | None) -> dict:
    """``params`` as stored: exactly the kind's names, datetimes as ISO-8601 UTC strings.

    Raises ``ValueError`` for missing or unexpected names, a value that is not plain (str, int), a naive
    datetime, or an unknown ``change`` of ``account_changed``.
    """
    params = dict(params or {})
    if set(params) != set(kind.params):
        raise ValueError(f"{kind.name} takes {sorted(kind.params)}, got {sorted(params)}")
    cleaned = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            value = iso_datetime(value)
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{kind.name}: {name} must be a string, an integer or a datetime")
        cleaned[name] = value
    if kind.name == "account_changed" and cleaned["change"] not in ACCOUNT_CHANGES:
        raise ValueError(f"unknown account change {cleaned['change']!r}")
    return cleaned


def over_at(kind: str, params: dict) -> datetime | None:
    """When the news of a notification of ``kind`` with stored ``params`` is over (aware UTC): the hold's
    end of an offer, the start of a reminder; ``None`` for kinds that stay news, or an unreadable value."""
    spec = KINDS.get(kind)
    value = params.get(spec.over_at) if spec is not None and spec.over_at else None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def display_values(params: dict) -> dict:
    """Stored ``params`` as shown in the current language: datetimes in the local zone, account changes
    as sentences; other values as they are."""
    values = {}
    for name, value in params.items():
        if name in DATETIME_PARAMS and isinstance(value, str):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                moment = None
            if moment is not None:
                value = localtime(moment if moment.tzinfo else moment.replace(tzinfo=UTC), "day")
        elif name == "change":
            value = str(ACCOUNT_CHANGES.get(value, value))
        values[name] = value
    return values


def render(kind: str, params: dict) -> tuple[str, str]:
    """``(title, body)`` of a notification in the current language. A kind or parameters that no longer
    fit (an older row) give a generic text instead of an error."""
    spec = KINDS.get(kind)
    if spec is None:
        return _("Notification"), ""
    try:
        return str(spec.title), spec.body(display_values(params))
    except (KeyError, TypeError, ValueError):
        return str(spec.title), ""
