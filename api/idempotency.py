"""``Idempotency-Key``: a retried request gets the first answer (status and body) again.

The first try inserts the key's row before doing anything (the unique key (token, key) lets one of two
simultaneous first tries through; on PostgreSQL the other waits for its commit), runs the operation in a
savepoint and stores its answer, success or refusal, in the same transaction. A retry with the same key and
the same request (its fingerprint: SHA-256 of method, path and canonical body) gets the stored answer; the
same key with another request is refused (422 ``idempotency_key_reused``).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from api.errors import ApiError
from api.models import ApiToken, IdempotentAnswer
from core.db import insert_ignoring_conflicts
from core.timeutil import utcnow
from extensions import db


def fingerprint(method: str, path: str, body: dict) -> str:
    """The SHA-256 hex digest of ``method``, ``path`` and ``body`` (JSON with sorted keys)."""
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def answer_once(*, token: ApiToken, key: str, request_fingerprint: str,
                run: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """``(status, body, replayed)``: the stored answer of ``key`` (``replayed`` True), or ``run()``'s answer,
    stored under ``key`` (an :class:`ApiError` raised by ``run`` is stored as its status and JSON body).

    Commits. Raises :class:`ApiError` 422 ``idempotency_key_reused`` when the key was used for another
    request, 409 ``idempotency_key_in_use`` when its first try never finished (not expected: the row and the
    answer are written in one transaction).
    """
    inserted = insert_ignoring_conflicts(IdempotentAnswer.__table__, token_id=token.id, key=key,
                                         fingerprint=request_fingerprint, created_at=utcnow())
    if inserted is None:
        stored = db.session.scalar(sa.select(IdempotentAnswer).where(IdempotentAnswer.token_id == token.id,
                                                                    IdempotentAnswer.key == key))
        db.session.rollback()
        if stored.fingerprint != request_fingerprint:
            raise ApiError(422, "idempotency_key_reused",
                           _l("This Idempotency-Key was used for another request. Use a new key for a new "
                              "request."))
        if stored.status is None or stored.body is None:
            raise ApiError(409, "idempotency_key_in_use", _l("The first request with this key is not finished."))
        return stored.status, json.loads(stored.body), True
    savepoint = db.session.begin_nested()
    try:
        status, body = run()
    except ApiError as error:
        savepoint.rollback()
        status, body = error.status, error.body()
    else:
        savepoint.commit()
    db.session.execute(sa.update(IdempotentAnswer).where(IdempotentAnswer.id == inserted)
                       .values(status=status, body=json.dumps(body, ensure_ascii=False)))
    db.session.commit()
    return status, body, False


def prune(*, before: datetime) -> int:
    """Delete the stored answers made before ``before`` (aware UTC): a retry after that is a new request.
    Returns how many were deleted; flushes, the caller commits. Safe on several machines at once."""
    return db.session.execute(sa.delete(IdempotentAnswer).where(IdempotentAnswer.created_at < before)).rowcount
