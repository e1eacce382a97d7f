"""One-time SMS codes: 6 digits, stored hashed, 5 minutes, 5 tries, one live code per phone and purpose,
a new one only after 60 seconds. The clock is passed in."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts import codes
from accounts.codes import PhoneCode
from core.timeutil import utcnow

PHONE = "13912345678"


@pytest.fixture
def t0():
    return utcnow().replace(microsecond=0)


def issue(t, phone=PHONE, purpose="reset_password"):
    return codes.issue_code(phone=phone, purpose=purpose, now=t)


def use(code, t, phone=PHONE, purpose="reset_password"):
    codes.use_code(phone=phone, purpose=purpose, code=code, now=t)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_six_random_digits_and_only_its_keyed_hash_is_stored(session, t0):
    issued = issue(t0)
    session.commit()
    assert len(issued.code) == 6 and issued.code.isdigit()
    row = session.scalar(sa.select(PhoneCode))
    assert issued.code not in row.code_hash and len(row.code_hash) == 64
    dump = [str(v) for v in session.execute(sa.select(PhoneCode.__table__)).one()]
    assert not any(issued.code in value for value in dump if value != row.phone)
    assert row.code_hash == codes.code_hash(phone=PHONE, purpose="reset_password", code=issued.code)


def test_the_hash_is_keyed_with_the_secret_key(app):
    with app.app_context():
        ours = codes.code_hash(phone=PHONE, purpose="register", code="123456")
        app.config["SECRET_KEY"] = "another-secret"
        assert codes.code_hash(phone=PHONE, purpose="register", code="123456") != ours


def test_the_right_code_works_once(session, t0):
    issued = issue(t0)
    use(issued.code, t0 + timedelta(minutes=1))
    with pytest.raises(codes.NoCode):
        use(issued.code, t0 + timedelta(minutes=2))


def test_a_code_expires_after_five_minutes(session, t0):
    issued = issue(t0)
    with pytest.raises(codes.CodeExpired):
        use(issued.code, t0 + timedelta(minutes=5))
    issued = issue(t0 + timedelta(minutes=6))
    use(issued.code, t0 + timedelta(minutes=6, seconds=299))


def test_five_wrong_tries_kill_the_code_even_for_the_right_one(session, t0):
    issued = issue(t0)
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(codes.WrongCode) as refused:
            use(wrong(issued.code), t0 + timedelta(seconds=10))
        assert refused.value.details["tries_left"] == left
    with pytest.raises(codes.CodeUsedUp):
        use(issued.code, t0 + timedelta(seconds=20))
    assert session.scalar(sa.select(PhoneCode.tries)) == 5


def test_malformed_input_counts_as_a_try(session, t0):
    issue(t0)
    with pytest.raises(codes.WrongCode):
        use("12", t0)
    assert session.scalar(sa.select(PhoneCode.tries)) == 1


def test_a_new_code_replaces_the_old_one_after_sixty_seconds(session, t0):
    first = issue(t0)
    with pytest.raises(codes.ResendTooSoon) as early:
        issue(t0 + timedelta(seconds=59))
    assert early.value.resend_at == t0 + timedelta(seconds=60)
    second = issue(t0 + timedelta(seconds=60))
    assert session.scalar(sa.select(sa.func.count()).select_from(PhoneCode)) == 1
    if first.code != second.code:
        with pytest.raises(codes.WrongCode):
            use(first.code, t0 + timedelta(seconds=61))
    use(second.code, t0 + timedelta(seconds=62))


def test_a_new_code_gets_fresh_tries(session, t0):
    first = issue(t0)
    for _ in range(5):
        with pytest.raises(codes.WrongCode):
            use(wrong(first.code), t0)
    second = issue(t0 + timedelta(minutes=1))
    use(second.code, t0 + timedelta(minutes=1, seconds=5))


def test_codes_of_other_purposes_and_phones_are_separate(session, t0):
    reset = issue(t0)
    issue(t0, purpose="register")
    issue(t0, phone="13912345679")
    assert session.scalar(sa.select(sa.func.count()).select_from(PhoneCode)) == 3
    with pytest.raises(codes.CodeRefused):
        use(reset.code, t0, purpose="change_phone")
    with pytest.raises(codes.CodeRefused):
        use(reset.code, t0, phone="13912345679")
    use(reset.code, t0)


def test_the_database_keeps_one_row_per_phone_and_purpose(session, t0):
    issue(t0)
    session.commit()
    session.add(PhoneCode(phone=PHONE, purpose="reset_password", code_hash="x" * 64, sent_at=t0,
                          expires_at=t0 + timedelta(minutes=5)))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


def test_a_second_process_making_the_first_code_at_once_is_told_to_wait(app, t0, monkeypatch):
    """Two app contexts (two connections). The second looked before the first committed (it saw no row),
    so it inserts too: the unique key refuses it, and it is answered like a resend within the minute."""
    from extensions import db

    with app.app_context():
        first = issue(t0)
        db.session.commit()
        db.session.remove()
    monkeypatch.setattr(codes, "resend_at", lambda **_: None)  # what it saw before the first commit
    with app.app_context():
        with pytest.raises(codes.ResendTooSoon):
            issue(t0 + timedelta(seconds=1))
        db.session.rollback()
        use(first.code, t0 + timedelta(seconds=2))  # the first code is still the live one
        db.session.remove()


def test_resend_at_says_when_a_new_code_may_be_asked_for(session, t0):
    assert codes.resend_at(phone=PHONE, purpose="reset_password", now=t0) is None
    issue(t0)
    assert codes.resend_at(phone=PHONE, purpose="reset_password", now=t0 + timedelta(seconds=30)) == (
        t0 + timedelta(seconds=60))
    assert codes.resend_at(phone=PHONE, purpose="reset_password", now=t0 + timedelta(seconds=60)) is None


def test_a_withdrawn_code_does_not_work_and_a_new_one_may_be_asked_for_at_once(session, t0):
    issued = issue(t0)
    codes.withdraw_code(issued)
    with pytest.raises(codes.CodeExpired):
        use(issued.code, t0 + timedelta(seconds=1))
    again = issue(t0 + timedelta(seconds=2))
    use(again.code, t0 + timedelta(seconds=3))


def test_an_unknown_purpose_is_a_programming_error(session, t0):
    with pytest.raises(ValueError):
        issue(t0, purpose="anything")
