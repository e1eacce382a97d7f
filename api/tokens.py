"""Bearer tokens of API v1, issued and revoked by an admin (services: flush, never commit).

A token is ``nx_`` + ``secrets.token_urlsafe(32)`` (46 characters, 256 random bits). As for Open311 keys
(:mod:`reports.open311_keys`, whose hashing it reuses), only the SHA-256 hex digest is stored with the
first 8 characters (``prefix``) so an admin can tell tokens apart; the secret is shown once, on the page (or
the command line) that issued it.
"""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from accounts.privacy import on_close
from accounts.services import on_deactivate
from api.models import PLATFORM, SCOPES, TILL, ApiToken
from core.db import update_rows
from core.errors import DomainError
from core.timeutil import utcnow
from extensions import db
from reports.open311_keys import hash_key
from rewards.models import Merchant, MerchantStaff

PREFIX = "nx_"
LAST_USED_GRANULARITY = timedelta(minutes=1)  # ``last_used_at`` is written at most once a minute per token

journal.describe({"api_token.issue": _l("API token issued"), "api_token.revoke": _l("API token revoked")},
                 prefix=_l("Token prefix"), scope=_l("Scope"))


class TokenRefused(DomainError):
    """An admin's request for a token that cannot be issued (422): no name, an unknown scope, a till
    without a staff account of an active merchant."""

    status = 422


def till_staff(staff_id: int | None) -> tuple[User, Merchant] | None:
    """The active merchant-staff account ``staff_id`` and its merchant, or ``None`` when it is not one."""
    if not staff_id:
        return None
    row = db.session.execute(sa.select(User, Merchant).join(MerchantStaff, MerchantStaff.user_id == User.id)
                             .join(Merchant, Merchant.id == MerchantStaff.merchant_id)
                             .where(User.id == staff_id, User.active.is_(True), User.role == "merchant")).first()
    return (row[0], row[1]) if row else None


def staff_choices() -> list[tuple[int, str]]:
    """``(user id, "merchant · staff name (masked phone)")`` for every active merchant-staff account, by
    merchant: who a till token may act as."""
    rows = db.session.execute(sa.select(User, Merchant).join(MerchantStaff, MerchantStaff.user_id == User.id)
                              .join(Merchant, Merchant.id == MerchantStaff.merchant_id)
                              .where(User.active.is_(True), User.role == "merchant")
                              .order_by(Merchant.name, User.name, User.id))
    return [(user.id, f"{merchant.name} · {user.name} ({user.masked_phone})") for user, merchant in rows]


def issue_token(*, name: str, scope: str, actor: User, staff_id: int | None = None,
                now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token and return ``(row, secret)``; the secret is kept nowhere, so the caller shows it once.

    ``scope`` is ``till`` (``staff_id``: an active merchant-staff account; the token is bound to that
    account's merchant and confirms as that account) or ``platform`` (``staff_id`` ignored). Raises
    :class:`TokenRefused` for an empty name, an unknown scope or a ``staff_id`` that is no active staff
    account. Journalled as ``api_token.issue``.
    """
    now = now or utcnow()
    name = " ".join((name or "").split())[:100]
    if not name:
        raise TokenRefused(_l("Give the token a name (who uses it, e.g. the till's place)."))
    if scope not in SCOPES:
        raise TokenRefused(_l("Choose what the token is for: a merchant till or a city platform."))
    merchant_id = None
    if scope == TILL:
        found = till_staff(staff_id)
        if found is None:
            raise TokenRefused(_l("Choose the staff account of the restaurant the till confirms for."))
        merchant_id = found[1].id
    else:
        staff_id = None
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, scope=scope, merchant_id=merchant_id, staff_id=staff_id, prefix=secret[:8],
                     token_hash=hash_key(secret), created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(token)
    db.session.flush()
    journal.record("api_token.issue", actor=actor, subject=f"api_token:{token.id}", organisation_id=None,
                   merchant_id=merchant_id, now=now, name=token.name, prefix=token.prefix, scope=scope)
    return token, secret


def verify_token(secret: str | None, *, now: datetime | None = None) -> ApiToken | None:
    """The unrevoked token whose hash matches ``secret``, else ``None`` (missing, unknown or revoked).

    Records the use in ``last_used_at`` when the stored time is more than a minute old (a conditional
    UPDATE, so a busy till does not write on every request); flushes, the caller commits.
    """
    secret = (secret or "").strip()
    if not secret or len(secret) > 200 or not secret.isascii():
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_key(secret),
                                                        ApiToken.revoked_at.is_(None)))
    if token is None:
        return None
    now = now or utcnow()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_GRANULARITY:
        update_rows(sa.update(ApiToken).where(ApiToken.id == token.id, sa.or_(
            ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_GRANULARITY))
            .values(last_used_at=now))
        db.session.refresh(token)
    return token


def revoke_token(*, token: ApiToken, actor: User, now: datetime | None = None) -> bool:
    """Revoke ``token`` (refused from now on); False when it was revoked already (nothing changes).
    Journalled as ``api_token.revoke``."""
    now = now or utcnow()
    changed = update_rows(sa.update(ApiToken).where(ApiToken.id == token.id, ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now))
    db.session.refresh(token)
    if changed:
        journal.record("api_token.revoke", actor=actor, subject=f"api_token:{token.id}", organisation_id=None,
                       merchant_id=token.merchant_id, now=now, name=token.name, prefix=token.prefix,
                       scope=token.scope)
    return bool(changed)


@on_close
@on_deactivate
def revoke_tokens_of(*, user: User, actor: User | None = None, now: datetime | None = None) -> int:
    """Revoke every till token acting as ``user`` when that account is deactivated or deleted, so that
    reactivating it later does not bring an old token back to life; returns how many were revoked (each
    journalled as ``api_token.revoke``, by ``actor`` or else the account itself)."""
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.staff_id == user.id,
                                                          ApiToken.revoked_at.is_(None))).all()
    return sum(revoke_token(token=token, actor=actor or user, now=now) for token in tokens)


def all_tokens() -> list[ApiToken]:
    """Every token, newest first (revoked ones too), with merchant, staff and issuer loaded."""
    return list(db.session.scalars(
        sa.select(ApiToken).options(sa.orm.joinedload(ApiToken.merchant), sa.orm.joinedload(ApiToken.staff),
                                    sa.orm.joinedload(ApiToken.created_by))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


__all__ = ["PLATFORM", "TILL", "TokenRefused", "all_tokens", "issue_token", "revoke_token", "staff_choices",
           "till_staff", "verify_token"]
