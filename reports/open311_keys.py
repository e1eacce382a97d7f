"""API keys of city platforms for Open311 (issued and revoked by an admin).

A key is ``secrets.token_urlsafe(32)`` (43 characters, 256 random bits). Only its SHA-256 hex digest is
stored (:attr:`reports.models.Open311Key.key_hash`) with its first 8 characters (``prefix``) so an admin can
tell keys apart; the key itself is shown once, on the page that issued it. Services flush, never commit.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from accounts import journal
from accounts.models import User
from core.db import update_rows
from core.timeutil import utcnow
from extensions import db
from reports.models import Open311Key

LAST_USED_GRANULARITY = timedelta(minutes=1)  # ``last_used_at`` is written at most once a minute per key

journal.describe({"open311_key.issue": _l("Open311 API key issued"),
                  "open311_key.revoke": _l("Open311 API key revoked")}, prefix=_l("Key prefix"))


def hash_key(raw: str) -> str:
    """The SHA-256 hex digest (64 characters) under which a key is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_key(*, name: str, actor: User, now: datetime | None = None) -> tuple[Open311Key, str]:
    """Create a key for the platform ``name`` and return ``(row, raw key)``; the raw key is not kept
    anywhere, so the caller shows it once. Journalled as ``open311_key.issue``."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    key = Open311Key(name=" ".join(name.split())[:100], prefix=raw[:8], key_hash=hash_key(raw),
                     created_by_id=actor.id, created_at=now)
    db.session.add(key)
    db.session.flush()
    journal.record("open311_key.issue", actor=actor, subject=f"open311_key:{key.id}", organisation_id=None,
                   now=now, name=key.name, prefix=key.prefix)
    return key, raw


def verify_key(raw: str | None, *, now: datetime | None = None) -> Open311Key | None:
    """The unrevoked key whose hash matches ``raw``, else ``None`` (missing, unknown or revoked).

    Records the use in ``last_used_at`` when the stored time is more than a minute old (a conditional
    UPDATE, so a busy platform does not write on every request); flushes, the caller commits.
    """
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    key = db.session.scalar(sa.select(Open311Key).where(Open311Key.key_hash == hash_key(raw),
                                                        Open311Key.revoked_at.is_(None)))
    if key is None:
        return None
    now = now or utcnow()
    update_rows(sa.update(Open311Key).where(Open311Key.id == key.id, sa.or_(
        Open311Key.last_used_at.is_(None), Open311Key.last_used_at < now - LAST_USED_GRANULARITY))
        .values(last_used_at=now))
    db.session.refresh(key)
    return key


def revoke_key(*, key: Open311Key, actor: User, now: datetime | None = None) -> bool:
    """Revoke ``key`` (it is refused from now on); return False when it was revoked already (nothing
    changes). Journalled as ``open311_key.revoke``."""
    now = now or utcnow()
    changed = update_rows(sa.update(Open311Key).where(Open311Key.id == key.id, Open311Key.revoked_at.is_(None))
                          .values(revoked_at=now))
    db.session.refresh(key)
    if changed:
        journal.record("open311_key.revoke", actor=actor, subject=f"open311_key:{key.id}", organisation_id=None,
                       now=now, name=key.name, prefix=key.prefix)
    return bool(changed)


def keys() -> list[Open311Key]:
    """Every key, newest first (revoked ones too)."""
    return list(db.session.scalars(sa.select(Open311Key).order_by(Open311Key.created_at.desc(),
                                                                  Open311Key.id.desc())))
