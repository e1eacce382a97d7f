"""Certificates of service through the browser's eyes: the rider issues and opens one, the public checks it
by its QR address (no log-in, no phone number), coordinators and admins list and revoke."""

import re
from datetime import UTC, datetime

import pytest
import segno
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from recognition.models import Certificate, CertificateRevocation
from tests.certificate_factories import certificate_cast, make_verified_service
from tests.factories import make_org, make_user
from tests.pages import text_of

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def cert(world, ctx):
    with ctx() as session:
        cast = certificate_cast(world, NOW)
        session.commit()
    return cast


def count(ctx, model) -> int:
    with ctx() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the rider --------------------------------------------------------------------------------------------


def test_without_verified_hours_the_rider_is_told_what_is_needed_and_gets_no_button(world, make_client):
    page = text_of(make_client(world.rider).get("/certificates/"))
    assert "No verified volunteer hours yet" in page and "check out with the task's code" in page
    assert "Issue a new certificate" not in page


def test_issuing_without_verified_hours_is_refused_with_the_reason(world, make_client, ctx):
    response = make_client(world.rider).post("/certificates/")
    assert response.status_code == 409
    assert "You have no verified volunteer hours yet" in text_of(response)
    assert count(ctx, Certificate) == 0


def test_the_rider_issues_a_certificate_and_a_double_tap_opens_the_same_one(world, make_client, ctx):
    with ctx() as session:
        make_verified_service(world.rider, world.org, world.coordinator, starts_at=NOW, minutes=95, title="夜间巡逻")
        session.commit()
    rider = make_client(world.rider)
    page = text_of(rider.get("/certificates/"))
    assert "You have 1 task of verified service, 1 hour and 35 minutes in all." in page
    first = rider.post("/certificates/")
    assert first.status_code == 303
    again = rider.post("/certificates/")
    assert again.headers["Location"] == first.headers["Location"]
    assert count(ctx, Certificate) == 1
    shown = text_of(rider.get(again.headers["Location"]))
    assert "already lists all your verified hours" in shown and "夜间巡逻" in shown
    assert "Certificate No. 1" in text_of(rider.get("/certificates/"))


def test_the_certificate_page_shows_the_name_hours_tasks_period_and_a_qr_code_of_the_check_address(
        world, make_client, cert):
    response = make_client(world.rider).get(f"/certificates/{cert.certificate}")
    page = text_of(response)
    assert response.status_code == 200
    assert "赵佳楠" in page and "3 hours and 30 minutes" in page
    assert "暖新窝门口文明停车引导" in page and "社区消防通道巡查" in page and "塘市办事处" in page
    assert "2 November 2026 – 9 November 2026" in page and "1 December 2026" in page
    url = f"http://localhost/certificates/verify/{cert.token}"
    assert url in page
    svg = segno.make(url, error="m").svg_inline(scale=6, border=2, dark="#000", light="#fff", omitsize=True)
    assert svg in response.get_data(as_text=True)
    assert re.search(r"/static/css/certificate\.[0-9a-f]{12}\.css", page)  # this page's own style sheet
    assert re.search(r"/static/js/print\.[0-9a-f]{12}\.js", page)
    assert world.rider_phone not in page


def test_the_certificate_page_reads_in_chinese(world, make_client, cert):
    page = text_of(make_client(world.rider).get(f"/certificates/{cert.certificate}", lang="zh"))
    assert "志愿服务证明" in page and "3小时30分钟" in page and "2026年11月2日" in page


def test_another_riders_certificate_is_a_404_for_everyone_else(world, make_client, cert):
    for user_id in (world.rider2, world.coordinator, world.admin, world.staff):
        assert make_client(user_id).get(f"/certificates/{cert.certificate}").status_code == 404
    assert make_client(world.rider).get("/certificates/99999").status_code == 404


# --- the public check -------------------------------------------------------------------------------------


def test_anyone_checks_a_certificate_without_logging_in_and_sees_no_phone_number(world, client, cert):
    response = client.get(f"/certificates/verify/{cert.token}")
    page = text_of(response)
    assert response.status_code == 200
    assert "Valid" in page and "赵**" in page and "赵佳楠" not in page
    assert "3 hours and 30 minutes" in page and "2 tasks" in page and "1 December 2026" in page
    assert world.rider_phone not in page and not re.search(r"1\d{10}", page)
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert "no-cache" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
    chinese = text_of(client.get(f"/certificates/verify/{cert.token}", lang="zh"))
    assert "有效" in chinese and "3小时30分钟" in chinese and "2026年12月1日" in chinese


def test_an_unknown_token_is_a_404_page_not_indexed(client, cert):
    for token in ("x" * 43, "short", cert.token[:-1] + ("A" if cert.token[-1] != "A" else "B")):
        response = client.get(f"/certificates/verify/{token}")
        assert response.status_code == 404 and "Certificate not found" in text_of(response)
        assert response.headers["X-Robots-Tag"] == "noindex"


def test_unknown_tokens_from_one_address_run_out_of_tries(make_app, cert):
    app = make_app(RATELIMIT_ENABLED=True, CERTIFICATE_UNKNOWN_TOKENS_PER_ADDRESS="2 per hour")
    http = app.test_client()
    assert [http.get(f"/certificates/verify/{'x' * 43}").status_code for _ in range(2)] == [404, 404]
    blocked = http.get(f"/certificates/verify/{cert.token}")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


# --- coordinators and admins ------------------------------------------------------------------------------


def test_the_coordinator_lists_their_organisations_certificates_and_others_see_none(world, make_client, cert):
    assert "赵佳楠" in text_of(make_client(world.coordinator).get("/certificates/issued"))
    assert "赵佳楠" in text_of(make_client(world.admin).get("/certificates/issued"))
    other = text_of(make_client(world.other_coordinator).get("/certificates/issued"))
    assert "赵佳楠" not in other and "No certificates yet." in other


def test_a_coordinator_revokes_with_a_reason_and_the_public_page_says_revoked(world, make_client, client, cert,
                                                                              ctx):
    coordinator = make_client(world.coordinator)
    confirm = coordinator.get(f"/certificates/{cert.certificate}/revoke")
    assert confirm.status_code == 200 and 'name="reason"' in confirm.get_data(as_text=True)
    refused = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": "   "})
    assert refused.status_code == 422 and "Give the reason for revoking" in text_of(refused)
    done = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": "服务时长登记有误"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/certificates/issued")
    again = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": "再次撤销"})
    assert again.status_code == 409 and "服务时长登记有误" in text_of(again) and 'name="reason"' not in text_of(again)
    assert count(ctx, CertificateRevocation) == 1
    public = text_of(client.get(f"/certificates/verify/{cert.token}"))
    assert "Revoked" in public and "no longer counts" in public and "服务时长登记有误" not in public
    rider = make_client(world.rider)
    assert "服务时长登记有误" in text_of(rider.get(f"/certificates/{cert.certificate}"))
    assert "Certificate revoked" in text_of(rider.get("/inbox"))


def test_the_loser_of_two_revocations_is_told_it_was_already_revoked(world, make_client, cert, ctx):
    coordinator = make_client(world.coordinator)
    page = coordinator.get(f"/certificates/{cert.certificate}/revoke")  # the form is open…
    assert page.status_code == 200
    with ctx() as session:  # …while an admin revokes it
        session.add(CertificateRevocation(certificate_id=cert.certificate, reason="管理员撤销", actor_id=world.admin,
                                          created_at=utcnow()))
        session.commit()
    response = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": "同时撤销"})
    assert response.status_code in (200, 409) and "管理员撤销" in text_of(response)
    assert count(ctx, CertificateRevocation) == 1


def test_another_organisations_coordinator_gets_a_404_and_changes_nothing(world, make_client, cert, ctx):
    other = make_client(world.other_coordinator)
    assert other.get(f"/certificates/{cert.certificate}/revoke").status_code == 404
    assert other.post(f"/certificates/{cert.certificate}/revoke", {"reason": "越权"}).status_code == 404
    assert count(ctx, CertificateRevocation) == 0


def test_a_coordinator_of_a_second_organisation_on_the_certificate_may_revoke_it(world, make_client, ctx):
    with ctx() as session:
        third = make_org("凤凰镇")
        coordinator = make_user("coordinator", "李凤", third.id)
        make_verified_service(world.rider, third.id, coordinator.id, starts_at=NOW, minutes=30)
        from recognition import certify

        certificate, _ = certify.issue_certificate(rider=session.get(User, world.rider), now=NOW)
        session.commit()
        ids = (coordinator.id, certificate.id)
    response = make_client(ids[0]).post(f"/certificates/{ids[1]}/revoke", {"reason": "重复登记"})
    assert response.status_code == 303


def test_an_htmx_revocation_follows_the_same_rules(world, make_client, cert):
    coordinator = make_client(world.coordinator)
    refused = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": ""}, htmx=True)
    assert refused.status_code == 422
    done = coordinator.post(f"/certificates/{cert.certificate}/revoke", {"reason": "核实有误"}, htmx=True)
    assert done.status_code == 303
