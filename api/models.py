"""Tables of the JSON API: tokens (hashed at rest) and the stored answers of idempotent requests."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import User
from core.timeutil import UTCDateTime, utcnow
from extensions import db
from rewards.models import Merchant

TILL, PLATFORM = "till", "platform"
SCOPES = (TILL, PLATFORM)
SCOPE_LABELS = {TILL: _l("Merchant till"), PLATFORM: _l("City platform")}


class ApiToken(db.Model):
    """A bearer token of API v1, issued by an admin.

    ``scope`` is ``till`` (bound to one merchant, acting as one of its staff accounts, ``staff_id``: the
    voucher's ``redeemed_by`` and the journal name that account) or ``platform`` (a city platform: tasks,
    stations, report figures). Only a SHA-256 hash of the secret is stored (``token_hash``); ``prefix`` (its
    first 8 characters) lets an admin tell tokens apart. A revoked token (``revoked_at``) is refused.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[str] = mapped_column(sa.String(10))
    merchant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("merchant.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    prefix: Mapped[str] = mapped_column(sa.String(8))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    merchant: Mapped[Merchant | None] = relationship()
    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint(sa.column("scope").in_(SCOPES), name="scope"),
        sa.CheckConstraint("(scope = 'till' AND merchant_id IS NOT NULL AND staff_id IS NOT NULL)"
                           " OR (scope = 'platform' AND merchant_id IS NULL AND staff_id IS NULL)",
                           name="till_bound_to_merchant"),
    )

    @property
    def scope_label(self):
        return SCOPE_LABELS.get(self.scope, self.scope)


class IdempotentAnswer(db.Model):
    """The first answer to a request sent with an ``Idempotency-Key``: per token and key, the request's
    fingerprint (SHA-256 hex of method, path and body) and the status and JSON body that were sent back.

    A retry with the same key and fingerprint gets this answer again; the same key with another request is
    refused. The unique key (token, key) makes two simultaneous first tries run one after the other.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_token.id"))
    key: Mapped[str] = mapped_column(sa.String(200))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None] = mapped_column(sa.Integer)
    body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __table_args__ = (sa.UniqueConstraint("token_id", "key", name="uq_idempotent_answer_token_key"),)
