"""Open311 API keys: only a hash is kept, a revoked or unknown key is refused, a use is recorded at most once a
minute, and revoking twice changes nothing."""

from datetime import timedelta

import sqlalchemy as sa

from accounts.journal import JournalEntry
from core.timeutil import utcnow
from reports.models import Open311Key
from reports.open311_keys import hash_key, issue_key, revoke_key, verify_key
from tests.factories import make_user


def test_issuing_keeps_only_the_hash_and_a_prefix(session):
    admin = make_user("admin", "刘管理")
    _key, raw = issue_key(name="  张家港12345 平台 ", actor=admin)
    session.commit()
    stored = session.scalar(sa.select(Open311Key))
    assert stored.name == "张家港12345 平台"
    assert stored.key_hash == hash_key(raw) and len(stored.key_hash) == 64 and raw not in stored.key_hash
    assert stored.prefix == raw[:8] and len(raw) >= 40
    assert stored.created_by_id == admin.id
    entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "open311_key.issue"))
    assert raw not in entry.details and raw[:8] in entry.details


def test_two_keys_are_never_the_same(session):
    admin = make_user("admin", "刘管理")
    raws = {issue_key(name=f"平台{i}", actor=admin)[1] for i in range(5)}
    assert len(raws) == 5


def test_verify_returns_the_key_only_for_the_right_unrevoked_key(session):
    admin = make_user("admin", "刘管理")
    key, raw = issue_key(name="平台", actor=admin)
    assert verify_key(raw).id == key.id
    assert verify_key(f"  {raw} ").id == key.id  # pasted with spaces
    for wrong in (None, "", raw[:-1], raw + "x", hash_key(raw), "x" * 1000):
        assert verify_key(wrong) is None
    assert revoke_key(key=key, actor=admin) is True
    assert verify_key(raw) is None


def test_a_use_is_recorded_at_most_once_a_minute(session):
    admin = make_user("admin", "刘管理")
    key, raw = issue_key(name="平台", actor=admin)
    start = utcnow()
    verify_key(raw, now=start)
    assert key.last_used_at == start
    verify_key(raw, now=start + timedelta(seconds=30))
    assert key.last_used_at == start
    later = start + timedelta(seconds=61)
    verify_key(raw, now=later)
    assert key.last_used_at == later


def test_revoking_twice_changes_nothing_more(session):
    admin = make_user("admin", "刘管理")
    key, _raw = issue_key(name="平台", actor=admin)
    first = utcnow()
    assert revoke_key(key=key, actor=admin, now=first) is True
    assert revoke_key(key=key, actor=admin, now=first + timedelta(hours=1)) is False
    assert key.revoked_at == first
    assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                          .where(JournalEntry.action == "open311_key.revoke")) == 1
