"""The day pass of the Haitang pass: a signed token for the QR code and a short code to type.

Both carry the rider and the local day and are signed with the app's ``SECRET_KEY`` (a salt of their own), so
neither can be made for another rider or another day without the key:

- the **token** (QR code) is ``itsdangerous``'s URL-safe signed form of ``[rider_id, "YYYY-MM-DD"]``: it
  says which day it was made for, so a screenshot from yesterday reads "expired (3 December)";
- the **short code** is ``"<rider id>-<6 digits>"``: the digits are an HMAC-SHA256 of the rider and the day,
  so the day is checked by recomputing it for today (and the last :data:`EXPIRED_LOOKBACK_DAYS` days, to tell an
  expired code from a wrong one). Spaces, dashes and full-width digits typed by a guard are ignored.

Neither holds the name: the check page shows the name from the database, so a pass whose picture was edited
shows the real rider. Whether the rider may still pass (an active account) is decided when it is checked.
"""

import hashlib
import hmac
import re
import unicodedata
from datetime import date, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "haitang-pass"
DIGITS = 6
EXPIRED_LOOKBACK_DAYS = 7  # a typed code of one of these past days is "expired", older ones "unknown"
MAX_TOKEN_LENGTH = 200


class BadPass(ValueError):
    """Raised when a token or short code is not one of ours (wrong signature, garbled, another format)."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def pass_token(rider_id: int, day: date) -> str:
    """The signed token of rider ``rider_id``'s pass for local ``day`` (URL-safe text, about 50 characters)."""
    return _serializer().dumps([int(rider_id), day.isoformat()])


def read_pass_token(token: str) -> tuple[int, date]:
    """The ``(rider_id, day)`` a token was made for; raises :class:`BadPass` when it was not signed by us or
    does not hold a rider id and a date (the day is not checked here: see :func:`passes.services.check_pass`)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadPass(token)
    try:
        rider_id, day_text = _serializer().loads(token)
        if not isinstance(rider_id, int) or isinstance(rider_id, bool) or rider_id <= 0:
            raise BadPass(token)
        return rider_id, date.fromisoformat(day_text)
    except (BadSignature, TypeError, ValueError) as error:
        raise BadPass(token) from error


def _digits(rider_id: int, day: date) -> str:
    key = hashlib.sha256(f"{SALT}|{current_app.secret_key}".encode()).digest()
    mac = hmac.new(key, f"{rider_id}|{day.isoformat()}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10 ** DIGITS:0{DIGITS}d}"


def short_code(rider_id: int, day: date) -> str:
    """The code a guard can type for rider ``rider_id``'s pass on local ``day``: ``"<rider id>-<6 digits>"``."""
    return f"{int(rider_id)}-{_digits(rider_id, day)}"


def normalise_code(text: str) -> str:
    """Only the ASCII digits of a typed code (full-width digits made ASCII; spaces, dashes, dots and digits of
    other scripts, e.g. Arabic-Indic, dropped)."""
    return re.sub(r"[^0-9]", "", unicodedata.normalize("NFKC", text or ""))


def read_short_code(text: str, today: date) -> tuple[int, date]:
    """The ``(rider_id, day)`` of a typed short code: ``today`` if it is today's, else the past day (within
    :data:`EXPIRED_LOOKBACK_DAYS`) it was made for. Raises :class:`BadPass` when it matches none of them."""
    digits = normalise_code(text)
    if len(digits) <= DIGITS or len(digits) > DIGITS + 10 or digits[0] == "0":
        raise BadPass(text)
    rider_id, mac = int(digits[:-DIGITS]), digits[-DIGITS:]
    for back in range(EXPIRED_LOOKBACK_DAYS + 1):
        day = today - timedelta(days=back)
        if hmac.compare_digest(mac, _digits(rider_id, day)):
            return rider_id, day
    raise BadPass(text)


def read_pass(text: str, today: date) -> tuple[int, date]:
    """The ``(rider_id, day)`` of whatever a guard gave: a scanned check URL, a token or a typed short code.

    Raises :class:`BadPass` when it is none of ours.
    """
    text = (text or "").strip()
    if "/" in text:  # a whole URL pasted or scanned by another app: its last part (before ? or #) is the token
        text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]
    if normalise_code(text) and re.fullmatch(r"[0-9\s\-－.·０-９]+", text):
        return read_short_code(text, today)
    return read_pass_token(text)
