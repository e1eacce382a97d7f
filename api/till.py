"""The till's API (scope ``till``): look up a voucher of its merchant by code, confirm it.

Another merchant's code answers exactly as an unknown code (404 ``voucher_not_found``), so codes cannot be
probed. Confirming goes through :func:`rewards.vouchers.confirm_voucher` as the till's staff account, so a
voucher confirmed at the web counter cannot be confirmed again here, and the reverse (its conditional
UPDATE decides). ``Idempotency-Key`` makes a retried confirm answer as the first try (:mod:`api.idempotency`).
"""

from flask import g, request
from flask_babel import lazy_gettext as _l

from api.auth import CONFIRMS_BY_TOKEN, install, require_token, spend
from api.blueprint import ApiBlueprint
from api.errors import ApiError, answer_errors_as_json, json_response
from api.idempotency import answer_once, fingerprint
from api.models import TILL
from api.schemas import ConfirmBody, IdempotencyHeaders, VoucherSchema
from api.spec import SECURITY, refusals
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import csrf, db
from rewards import vouchers
from rewards.codes import parse_code
from rewards.errors import (
    AlreadyRedeemed,
    OutsideServingHours,
    UnknownCode,
    VoucherCancelled,
    VoucherExpired,
    WrongMerchant,
)

bp = ApiBlueprint("api_till", __name__, url_prefix="/api/v1/till",
                  description="For a restaurant's till (token scope till): vouchers of its own restaurant only.")
csrf.exempt(bp)
answer_errors_as_json(bp)
bp.record_once(install)

# Domain refusals as (status, stable code); another merchant's voucher is "not found", like an unknown code.
REFUSAL_CODES = [(UnknownCode, 404, "voucher_not_found"), (WrongMerchant, 404, "voucher_not_found"),
                 (AlreadyRedeemed, 409, "voucher_redeemed"), (VoucherExpired, 409, "voucher_expired"),
                 (VoucherCancelled, 409, "voucher_cancelled"), (OutsideServingHours, 409, "outside_serving_hours")]
NOT_FOUND_MESSAGE = _l("No voucher of this restaurant has this code. Please check the digits.")
CODE_PROBLEMS = {"empty": _l("Send the code on the rider's screen."), "digits": _l("A voucher code has only digits."),
                 "length": _l("A voucher code has 16 digits."),
                 "check": _l("These digits contain a typo (the last digit does not match).")}


@bp.before_request
def authenticate():
    """Every route here needs a token of this blueprint's scope (:func:`api.auth.require_token`)."""
    require_token(TILL)


def as_api_error(error: DomainError) -> ApiError:
    """The :class:`ApiError` of a refusal of the rewards services (409 ``conflict`` for any other)."""
    for kind, status, code in REFUSAL_CODES:
        if isinstance(error, kind):
            message = NOT_FOUND_MESSAGE if status == 404 else error.message
            return ApiError(status, code, message)
    return ApiError(409, "conflict", error.message)


def parsed_code(raw: str) -> str:
    """The canonical 16 digits of ``raw``; raises :class:`ApiError` 422 ``invalid_code`` with the reason."""
    code, problem = parse_code(raw)
    if problem:
        raise ApiError(422, "invalid_code", CODE_PROBLEMS[problem], errors={"code": [str(CODE_PROBLEMS[problem])]})
    return code


def voucher_body(voucher, now) -> dict:
    """The voucher as :class:`VoucherSchema` writes it (the refusal, if any, as ``{code, message}``)."""
    refusal = vouchers.refusal_for(voucher, now, g.api_token.staff)
    status = voucher.status
    if status == "issued" and now >= voucher.expires_at:
        status = "expired"
    return VoucherSchema().dump({
        "code": voucher.code, "status": status, "offer": {"id": voucher.offer_id, "title": voucher.offer.title},
        "face_value_fen": voucher.face_value_fen, "points": voucher.points_cost,
        "rider_name": voucher.rider.masked_name, "issued_at": voucher.issued_at, "expires_at": voucher.expires_at,
        "redeemed_at": voucher.redeemed_at, "confirmable": refusal is None,
        "refusal": as_api_error(refusal).body() if refusal is not None else None})


@bp.get("/vouchers/<code>")
@bp.doc(security=SECURITY, summary="Look up a voucher of this restaurant by its code")
@bp.response(200, VoucherSchema)
@refusals(bp, 401, 403, 404, 422, 429, 503)
def voucher(code: str):
    """The voucher with ``code`` if it is this restaurant's, with whether it can be confirmed now.

    404 ``voucher_not_found`` for an unknown code and for another restaurant's voucher alike.
    """
    token = g.api_token
    parsed = parsed_code(code)
    try:
        found = vouchers.voucher_for_merchant(code=parsed, merchant_id=token.merchant_id)
    except DomainError as error:
        raise as_api_error(error) from None
    return json_response(voucher_body(found, utcnow()))


def confirm_now(code: str) -> tuple[int, dict]:
    """Confirm ``code`` as the till's staff account; ``(200, voucher body)``, or :class:`ApiError`."""
    token = g.api_token
    try:
        confirmed = vouchers.confirm_voucher(code=code, staff=token.staff)
    except DomainError as error:
        raise as_api_error(error) from None
    db.session.flush()
    return 200, voucher_body(confirmed, utcnow())


@bp.post("/confirmations")
@bp.doc(security=SECURITY, summary="Confirm (redeem) a voucher of this restaurant",
        description="Send Idempotency-Key to make retries safe: the same key answers as the first try "
                    "(header Idempotent-Replayed: true); the same key with another code is refused (422).")
@bp.arguments(IdempotencyHeaders, location="headers")
@bp.arguments(ConfirmBody)
@bp.response(200, VoucherSchema)
@refusals(bp, 400, 401, 403, 404, 409, 413, 422, 429, 503)
def confirm(headers: dict, body: dict):
    """Redeem the voucher ``code`` once: 200 with the voucher; 404 for an unknown or another restaurant's
    code; 409 when it is redeemed, expired, cancelled or the restaurant is not serving now."""
    token = g.api_token
    spend(CONFIRMS_BY_TOKEN, token)
    code = parsed_code(body["code"])
    key = headers.get("idempotency_key")
    if key is None:
        status, answer = confirm_now(code)
        db.session.commit()
        return json_response(answer, status)
    status, answer, replayed = answer_once(token=token, key=key, run=lambda: confirm_now(code),
                                           request_fingerprint=fingerprint(request.method, request.path,
                                                                           {"code": code}))
    return json_response(answer, status, {"Idempotent-Replayed": "true"} if replayed else None)
