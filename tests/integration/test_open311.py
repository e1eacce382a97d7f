"""Open311 GeoReport v2: the field names of the specification, its filters and error format, keys, limits, and
never a word about the reporter."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts.models import User
from core.timeutil import utcnow
from reports import services
from reports.models import Open311Key, Report, ReportUpdate
from reports.open311_keys import issue_key, revoke_key
from tests.report_factories import make_departments, make_report, photo_bytes

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
API = "/open311/v2"


@pytest.fixture
def cast(world, ctx):
    """Departments, a key, and three reports by the world's rider: one routed then resolved (road facilities,
    40 days old), one rejected (sanitation, 10 days), one just submitted (food safety); plus one 200 days old."""
    with ctx() as session:
        deps = make_departments()
        rider = session.get(User, world.rider)
        coordinator = session.get(User, world.coordinator)
        now = utcnow()
        resolved = make_report(rider, now=now - timedelta(days=40))
        services.accept_report(report=resolved, coordinator=coordinator, now=now - timedelta(days=39))
        services.resolve_report(report=resolved, staff=deps.transport_staff, note="井盖已更换",
                                photo=("after.jpg", photo_bytes((64, 48))), now=now - timedelta(days=38))
        rejected = make_report(rider, category="sanitation", description="路边垃圾很多", now=now - timedelta(days=10))
        services.reject_report(report=rejected, actor=coordinator, reason="已在清运计划中", now=now - timedelta(days=9))
        fresh = make_report(rider, category="food_safety", description="后厨老鼠", address="人民中路88号")
        old = make_report(rider, category="other", description="很久以前的问题", now=now - timedelta(days=200))
        key, raw = issue_key(name="张家港12345平台", actor=session.get(User, world.admin))
        session.commit()
        return {"resolved": resolved.id, "rejected": rejected.id, "fresh": fresh.id, "old": old.id, "key": key.id,
                "raw": raw, "rider_name": rider.name, "rider_phone": rider.phone, "transport": deps.transport.name}


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response, response.get_json()


def ids_of(body) -> list[int]:
    return [int(item["service_request_id"]) for item in body]


def test_services_have_every_field_of_the_specification(client, cast):
    response, body = get(client.http, f"{API}/services.json")  # no Accept-Language: Chinese
    assert response.status_code == 200
    assert [service["service_code"] for service in body][:3] == ["road_facilities", "traffic_signals",
                                                                 "blocked_passage"]
    assert len(body) == 8
    for service in body:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is False and service["type"] == "realtime"
    road = body[0]
    assert road["service_name"] == "道路设施" and road["group"] == "交通运输"  # Chinese by default
    _response, english = get(client, f"{API}/services.json?lang=en")
    assert english[0]["service_name"] == "Road facilities" and english[0]["group"] == "Transport"


def test_requests_have_exactly_the_fields_of_the_specification_and_nothing_of_the_reporter(client, cast):
    response, body = get(client, f"{API}/requests.json")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ids_of(body) == [cast["fresh"], cast["rejected"], cast["resolved"]]  # newest first; 200 days: out
    for item in body:
        assert set(item) == REQUEST_FIELDS
        assert item["media_url"] == "" and item["expected_datetime"] is None and item["zipcode"] is None
    for private in (cast["rider_name"], cast["rider_phone"], "reporter", "photo", "/reports/"):
        assert private not in text
    fresh, rejected, resolved = body
    assert (fresh["status"], fresh["service_code"], fresh["address"], fresh["agency_responsible"]) == (
        "open", "food_safety", "人民中路88号", "")
    assert (rejected["status"], rejected["status_notes"]) == ("closed", "已在清运计划中")
    assert (resolved["status"], resolved["status_notes"], resolved["agency_responsible"]) == (
        "closed", "井盖已更换", cast["transport"])
    assert resolved["lat"] == pytest.approx(31.8701) and resolved["long"] == pytest.approx(120.5502)
    assert fresh["requested_datetime"].endswith("+08:00")


def test_the_filters_of_the_specification_work(client, cast):
    assert ids_of(get(client, f"{API}/requests.json?status=open")[1]) == [cast["fresh"]]
    assert ids_of(get(client, f"{API}/requests.json?status=closed")[1]) == [cast["rejected"], cast["resolved"]]
    assert ids_of(get(client, f"{API}/requests.json?service_code=sanitation,food_safety")[1]) == [
        cast["fresh"], cast["rejected"]]
    since = (utcnow() - timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids_of(get(client, f"{API}/requests.json?start_date={since}")[1]) == [cast["fresh"], cast["rejected"]]
    until = (utcnow() - timedelta(days=20)).astimezone().isoformat(timespec="seconds")
    assert ids_of(get(client, f"{API}/requests.json", query_string={"end_date": until})[1]) == [cast["resolved"]]
    old_and_resolved = f"{cast['old']},{cast['resolved']}"
    assert ids_of(get(client, f"{API}/requests.json?service_request_id={old_and_resolved}&status=open")[1]) == [
        cast["resolved"], cast["old"]]  # ids override the other filters, the 90 days included


def test_one_request_is_a_list_of_one_and_an_unknown_one_a_json_404(client, cast):
    response, body = get(client, f"{API}/requests/{cast['resolved']}.json")
    assert response.status_code == 200 and ids_of(body) == [cast["resolved"]]
    response, body = get(client, f"{API}/requests/999999.json")
    assert response.status_code == 404 and body[0]["code"] == 404 and set(body[0]) == {"code", "description"}


@pytest.mark.parametrize("query", ["start_date=yesterday", "end_date=2026-13-45", "status=pending",
                                   "service_request_id=1;drop", "start_date=2026-12-02T00:00:00Z&end_date=2026-12-01"])
def test_bad_filters_are_a_400_in_the_error_format(client, cast, query):
    response, body = get(client, f"{API}/requests.json?{query}")
    assert response.status_code == 400
    assert body[0]["code"] == 400 and body[0]["description"]


def test_only_json_is_offered(client, cast):
    for url in (f"{API}/services.xml", f"{API}/requests.xml", f"{API}/requests/{cast['fresh']}.xml"):
        response, body = get(client, url)
        assert response.status_code == 404 and "JSON" in body[0]["description"]
    response, body = get(client, f"{API}/nothing-here")
    assert response.status_code == 404
    response = client.http.delete(f"{API}/requests.json")
    assert response.status_code == 405 and response.get_json()[0]["code"] == 405


def post(client, data=None, **kwargs):
    response = client.http.post(f"{API}/requests.json", data=data or {}, **kwargs)
    assert response.mimetype == "application/json"
    return response, response.get_json()


REPORT = {"service_code": "blocked_passage", "lat": "31.8701", "long": "120.5502",
          "description": "货车堵住了非机动车道", "address_string": "人民中路与长安路口",
          "media_url": "https://example.org/p.jpg", "first_name": "李", "phone": "13900000000"}


def test_a_post_without_a_good_key_is_refused(client, cast, ctx):
    assert post(client, REPORT)[0].status_code == 403
    assert post(client, {**REPORT, "api_key": "not-a-key"})[0].status_code == 403
    with ctx() as session:
        revoke_key(key=session.get(Open311Key, cast["key"]),
                   actor=session.scalar(sa.select(User).where(User.role == "admin")))
        session.commit()
    response, body = post(client, {**REPORT, "api_key": cast["raw"]})
    assert response.status_code == 403 and body[0]["code"] == 403
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report).where(Report.source == "open311")) == 0


def test_a_platform_files_a_report_with_its_key(client, cast, ctx):
    response, body = post(client, {**REPORT, "api_key": cast["raw"]})
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"} and body[0]["account_id"] is None
    with ctx() as session:
        report = session.get(Report, int(body[0]["service_request_id"]))
        assert (report.source, report.open311_key_id, report.reporter_id, report.status) == (
            "open311", cast["key"], None, "submitted")
        assert (report.category.code, report.description, report.address) == (
            "blocked_passage", "货车堵住了非机动车道", "人民中路与长安路口")
        assert session.scalar(sa.select(ReportUpdate.kind).where(ReportUpdate.report_id == report.id)) == "submitted"
    by_header, _body = post(client, REPORT, headers={"X-Api-Key": cast["raw"]})
    assert by_header.status_code == 201
    _response, listed = get(client, f"{API}/requests/{body[0]['service_request_id']}.json")
    assert listed[0]["status"] == "open" and listed[0]["service_code"] == "blocked_passage"


@pytest.mark.parametrize(("change", "words"), [({"lat": "39.9042", "long": "116.4074"}, "outside"),
                                               ({"lat": "", "long": ""}, "lat and long are required"),
                                               ({"lat": "north", "long": "120.55"}, "lat and long"),
                                               ({"service_code": "potholes"}, "service_code"),
                                               ({"description": "   "}, "description")])
def test_a_bad_report_is_a_400_and_files_nothing(client, cast, ctx, change, words):
    response, body = post(client, {**REPORT, "api_key": cast["raw"], **change}, headers={"Accept-Language": "en"})
    assert response.status_code == 400 and words in body[0]["description"]
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Report).where(Report.source == "open311")) == 0


def test_the_limits_answer_429_in_the_error_format(make_app, cast):
    app = make_app(OPEN311_REQUESTS_PER_ADDRESS="3 per minute", OPEN311_POSTS_PER_KEY="1 per minute")
    client = app.test_client()
    assert [client.get(f"{API}/services.json").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(f"{API}/services.json")
    assert response.status_code == 429 and response.get_json()[0]["code"] == 429
    assert int(response.headers["Retry-After"]) > 0
    other = app.test_client()
    first = other.post(f"{API}/requests.json", data={**REPORT, "api_key": cast["raw"]},
                       environ_base={"REMOTE_ADDR": "10.0.0.2"})
    second = other.post(f"{API}/requests.json", data={**REPORT, "api_key": cast["raw"]},
                        environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert (first.status_code, second.status_code) == (201, 429)
    assert second.get_json()[0]["code"] == 429


def test_reads_need_no_session_and_set_no_cookie(client, cast):
    response = client.http.get(f"{API}/requests.json")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_the_key_records_when_it_was_last_used(client, cast, ctx):
    post(client, {**REPORT, "api_key": cast["raw"]})
    with ctx() as session:
        key = session.get(Open311Key, cast["key"])
        assert key.last_used_at is not None


def test_a_huge_body_is_a_json_413(make_app, cast):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post(f"{API}/requests.json", data={**REPORT, "api_key": cast["raw"], "description": "长" * 2000})
    assert response.status_code == 413 and response.get_json()[0]["code"] == 413
