"""Certificates of service: a snapshot of the verified service with its totals, refused without any, a
double tap gives one certificate, an unguessable unique token, and a revocation once, by the right people."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from notifications.models import Notification
from recognition import certify
from recognition.models import Certificate, CertificateLine, CertificateRevocation
from tests.certificate_factories import make_verified_service
from tests.factories import make_org, make_task, make_user
from volunteer.models import Signup

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
FIRST = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(session, app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def people(session):
    org, other_org, third_org = make_org("塘市办事处"), make_org("金港镇长江村"), make_org("凤凰镇")
    coordinator = make_user("coordinator", "陈丽华", org.id)
    return {"org": org, "other_org": other_org, "third_org": third_org, "coordinator": coordinator,
            "other_coordinator": make_user("coordinator", "王建国", other_org.id),
            "third_coordinator": make_user("coordinator", "李凤", third_org.id),
            "admin": make_user("admin", "刘管理"), "rider": make_user(name="赵佳楠"),
            "rider2": make_user(name="张松阳")}


@pytest.fixture
def served(people):
    """The rider's verified service: 2 h 30 min for org, 1 h for other_org a week later."""
    p = people
    make_verified_service(p["rider"].id, p["org"].id, p["coordinator"].id, starts_at=FIRST, minutes=150,
                          title="路口劝导")
    make_verified_service(p["rider"].id, p["other_org"].id, p["other_coordinator"].id,
                          starts_at=FIRST + timedelta(days=7), minutes=60, title="消防通道巡查")
    return p


def test_a_certificate_copies_every_verified_task_with_its_totals(session, served):
    certificate, created = certify.issue_certificate(rider=served["rider"], now=NOW)
    session.commit()
    assert created
    assert (certificate.total_minutes, certificate.task_count, certificate.issued_at) == (210, 2, NOW)
    assert [(line.task_title, line.organisation_name, line.started_at, line.minutes) for line in certificate.lines] == [
        ("路口劝导", "塘市办事处", FIRST, 150), ("消防通道巡查", "金港镇长江村", FIRST + timedelta(days=7), 60)]
    entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "certificate.issue"))
    assert entry.subject == f"certificate:{certificate.id}" and entry.rider_id == served["rider"].id


def test_only_verified_attendance_counts_not_a_manual_mark_or_a_no_show(session, served):
    p = served
    for status, method, minutes in (("attended", "manual", None), ("no_show", None, None)):
        task = make_task(p["org"].id, p["coordinator"].id, starts_at=FIRST - timedelta(days=3),
                         ends_at=FIRST - timedelta(days=3, hours=-2))
        session.add(Signup(task_id=task.id, rider_id=p["rider"].id, status=status, attendance_method=method,
                           verified_minutes=minutes, queued_at=FIRST - timedelta(days=5)))
    session.flush()
    certificate, _ = certify.issue_certificate(rider=p["rider"], now=NOW)
    assert (certificate.total_minutes, certificate.task_count) == (210, 2)


def test_the_snapshot_stays_as_issued_when_the_task_is_renamed_later(session, served):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    session.commit()
    signup = session.get(Signup, certificate.lines[0].signup_id)
    signup.task.title = "改过的标题"
    session.commit()
    session.expire_all()
    assert session.get(Certificate, certificate.id).lines[0].task_title == "路口劝导"


def test_nothing_verified_is_refused_with_what_is_needed(session, people):
    with pytest.raises(certify.NothingToCertify) as refused:
        certify.issue_certificate(rider=people["rider"], now=NOW)
    assert "check out" in refused.value.message and refused.value.status == 409
    assert session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_a_double_tap_gives_the_same_certificate(session, served):
    first, created = certify.issue_certificate(rider=served["rider"], now=NOW)
    again, created_again = certify.issue_certificate(rider=served["rider"], now=NOW + timedelta(seconds=1))
    session.commit()
    assert created and not created_again and again.id == first.id
    assert session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1


def test_new_verified_service_or_a_revocation_makes_a_new_certificate_worth_issuing(session, served):
    p = served
    first, _ = certify.issue_certificate(rider=p["rider"], now=NOW)
    make_verified_service(p["rider"].id, p["org"].id, p["coordinator"].id, starts_at=NOW - timedelta(days=1),
                          minutes=45)
    second, created = certify.issue_certificate(rider=p["rider"], now=NOW + timedelta(hours=1))
    assert created and second.id != first.id and (second.total_minutes, second.task_count) == (255, 3)
    certify.revoke_certificate(certificate=second, actor=p["coordinator"], reason="核对有误",
                               now=NOW + timedelta(hours=2))
    third, created = certify.issue_certificate(rider=p["rider"], now=NOW + timedelta(hours=3))
    assert created and third.id not in (first.id, second.id)


def test_tokens_are_unique_url_safe_and_of_256_random_bits(session, served):
    tokens = set()
    for minutes in range(5):  # each new service makes a new certificate
        make_verified_service(served["rider"].id, served["org"].id, served["coordinator"].id,
                              starts_at=FIRST + timedelta(days=20 + minutes), minutes=30 + minutes)
        certificate, created = certify.issue_certificate(rider=served["rider"], now=NOW + timedelta(minutes=minutes))
        assert created
        tokens.add(certificate.token)
    assert len(tokens) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)  # 32 bytes of secrets.token_urlsafe
    session.commit()


def test_the_database_refuses_two_certificates_with_one_token(session, served):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    session.commit()
    session.add(Certificate(rider_id=served["rider2"].id, token=certificate.token, issued_at=NOW, total_minutes=0,
                            task_count=0))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


@pytest.mark.parametrize("actor", ["coordinator", "other_coordinator", "admin"])
def test_an_admin_or_a_coordinator_of_an_organisation_on_it_revokes_once_and_the_rider_is_told(session, served,
                                                                                                  actor):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    revocation = certify.revoke_certificate(certificate=certificate, actor=served[actor], reason="  时长登记有误 ",
                                            now=NOW + timedelta(days=1))
    session.commit()
    assert (revocation.reason, revocation.actor_id, revocation.created_at) == ("时长登记有误", served[actor].id,
                                                                               NOW + timedelta(days=1))
    assert certificate.is_revoked
    note = session.scalar(sa.select(Notification).where(Notification.user_id == served["rider"].id))
    assert note.kind == "certificate_revoked" and note.link == f"/certificates/{certificate.id}"
    entry = session.scalar(sa.select(JournalEntry).where(JournalEntry.action == "certificate.revoke"))
    assert entry.actor_id == served[actor].id and "时长登记有误" in entry.details
    with pytest.raises(certify.AlreadyRevoked):
        certify.revoke_certificate(certificate=certificate, actor=served["admin"], reason="再次", now=NOW)
    assert session.scalar(sa.select(sa.func.count()).select_from(CertificateRevocation)) == 1


@pytest.mark.parametrize("actor", ["third_coordinator", "rider", "rider2"])
def test_anyone_else_cannot_revoke_and_learns_nothing(session, served, actor):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    with pytest.raises(certify.CertificateNotFound) as refused:
        certify.revoke_certificate(certificate=certificate, actor=served[actor], reason="无权", now=NOW)
    assert refused.value.status == 404
    assert session.scalar(sa.select(sa.func.count()).select_from(CertificateRevocation)) == 0


def test_a_revocation_needs_a_reason(session, served):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    with pytest.raises(certify.ReasonRequired):
        certify.revoke_certificate(certificate=certificate, actor=served["admin"], reason="   ", now=NOW)
    assert not certificate.is_revoked


def test_the_database_keeps_one_revocation_per_certificate(session, served):
    """The loser of two revocations at once: the unique key refuses the second row."""
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    session.add(CertificateRevocation(certificate_id=certificate.id, reason="甲", actor_id=served["admin"].id,
                                      created_at=NOW))
    session.flush()
    with pytest.raises(certify.AlreadyRevoked):
        certify.revoke_certificate(certificate=certificate, actor=served["coordinator"], reason="乙", now=NOW)


def test_a_coordinator_sees_the_certificates_listing_their_organisation_and_an_admin_sees_all(session, served):
    p = served
    mine, _ = certify.issue_certificate(rider=p["rider"], now=NOW)
    make_verified_service(p["rider2"].id, p["third_org"].id, p["third_coordinator"].id, starts_at=FIRST, minutes=30)
    theirs, _ = certify.issue_certificate(rider=p["rider2"], now=NOW + timedelta(hours=1))
    session.commit()
    assert [c.id for c in certify.issued_certificates(p["coordinator"])] == [mine.id]
    assert [c.id for c in certify.issued_certificates(p["other_coordinator"])] == [mine.id]
    assert [c.id for c in certify.issued_certificates(p["third_coordinator"])] == [theirs.id]
    assert [c.id for c in certify.issued_certificates(p["admin"])] == [theirs.id, mine.id]  # newest first
    assert certify.issued_certificates(p["rider"]) == []


def test_a_renamed_organisation_still_manages_its_certificates(session, served):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    served["org"].name = "塘市街道"
    session.commit()
    assert certify.may_manage(served["coordinator"], certificate)
    assert certificate.lines[0].organisation_name == "塘市办事处"


@pytest.mark.parametrize(("minutes", "english"), [(0, "0 minutes"), (1, "1 minute"), (45, "45 minutes"),
                                                  (60, "1 hour"), (150, "2 hours and 30 minutes"),
                                                  (61, "1 hour and 1 minute"), (600, "10 hours")])
def test_hours_read_as_words_in_english(minutes, english):
    assert certify.duration_words(minutes) == english


def test_hours_read_as_words_in_chinese_without_spaces(app):
    with app.test_request_context(headers={"Accept-Language": "zh"}):
        assert certify.duration_words(150) == "2小时30分钟"
        assert certify.duration_words(60) == "1小时"


def test_certificate_lines_count_the_sign_ups(session, served):
    certificate, _ = certify.issue_certificate(rider=served["rider"], now=NOW)
    assert session.scalar(sa.select(sa.func.count()).select_from(CertificateLine)
                          .where(CertificateLine.certificate_id == certificate.id)) == 2
