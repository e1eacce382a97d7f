"""The request side of asking for an SMS code, shared by registration, "forgot password" and changing
one's phone: checks the number, the abuse limits (per phone and per client address), issues the code,
sends it, and says what the code widget (``templates/accounts/_phone_code.html``) shows."""

import math
from dataclasses import dataclass
from datetime import datetime

from flask import request
from flask_babel import gettext as _

from accounts import codes, sms
from accounts.services import phone_taken
from core.errors import DomainError
from core.ratelimit import Budget, latest
from core.text import mask_phone
from core.timeutil import localtime, utcnow
from extensions import db

SMS_CODES_BY_PHONE = Budget("sms-phone", "SMS_CODES_PER_PHONE")
SMS_CODES_BY_ADDRESS = Budget("sms-address", "SMS_CODES_PER_ADDRESS")


@dataclass
class CodeStep:
    """What the code widget shows: where a code went (masked), when a new one may be asked for (aware
    UTC; no send button before then), the code itself (development only) and a refusal."""

    sent_to: str | None = None
    resend_at: datetime | None = None
    shown_code: str | None = None
    error: str | None = None

    @property
    def wait_seconds(self) -> int:
        """Whole seconds until a new code may be asked for (0: now)."""
        if self.resend_at is None:
            return 0
        return max(0, math.ceil((self.resend_at - utcnow()).total_seconds()))


def send_code_step(form, purpose: str, *, refuse=None) -> tuple[CodeStep, int]:
    """Validate ``form.phone`` alone and send a code for ``purpose``; return the widget's state and status.

    ``refuse(phone)`` may raise a :class:`core.errors.DomainError` to refuse the number (already
    registered) before anything is sent; a refusal counts towards the per-address limit, so the
    "already registered" answer cannot be used to sweep through numbers. For ``reset_password`` a number
    without an account gets a code that is never sent, so the answer (and when a new code may be asked
    for) is the same for every number; a provider's failure is then only logged, since telling it would
    tell the number has an account.
    Commits the code before sending (a slow provider holds no database lock).
    """
    if not form.phone.validate(form):
        return CodeStep(), 422
    phone = form.phone.data
    address = request.remote_addr
    blocked = latest(SMS_CODES_BY_PHONE.blocked_until(phone), SMS_CODES_BY_ADDRESS.blocked_until(address))
    if blocked is not None:
        return CodeStep(error=_("Too many codes were asked for. Try again after %(time)s.",
                                time=localtime(blocked, "HH:mm"))), 429
    try:
        if refuse is not None:
            refuse(phone)
    except DomainError as error:  # counted: else the refusal tells, without limit, which numbers have accounts
        SMS_CODES_BY_ADDRESS.spend(address)
        form.phone.errors.append(error.message)
        return CodeStep(), 422
    deliver = purpose != "reset_password" or phone_taken(phone)
    try:
        issued = codes.issue_code(phone=phone, purpose=purpose)
    except codes.ResendTooSoon as error:  # a double tap, or a page older than the last code
        db.session.rollback()
        return CodeStep(sent_to=mask_phone(phone), resend_at=error.resend_at), 200
    db.session.commit()
    SMS_CODES_BY_PHONE.spend(phone)
    SMS_CODES_BY_ADDRESS.spend(address)
    shown = None
    if deliver:
        try:
            sms.send_code(phone=phone, purpose=purpose, code=issued.code)
        except sms.SmsNotSent as error:
            if purpose != "reset_password":
                codes.withdraw_code(issued)
                db.session.commit()
                return CodeStep(error=error.message), 503
        else:
            shown = issued.code if sms.shows_code_on_page() else None
    return CodeStep(sent_to=mask_phone(phone), resend_at=issued.resend_at, shown_code=shown), 200
