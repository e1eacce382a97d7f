"""The platforms' API: upcoming open tasks a page at a time (nearest first when asked), active stations with
WGS-84 positions and hours (within a radius when asked), and the dashboard's report figures."""

from datetime import timedelta

import pytest

from core.timeutil import local_today
from tests.api_factories import api_cast, bearer, platform_data


@pytest.fixture
def cast(world, ctx):
    with ctx():
        tokens = api_cast(world)
        data = platform_data(world)
    return tokens, data


def get(client, token, url):
    response = client.http.get(url, headers=bearer(token, **{"Accept-Language": "en"}))
    return response.status_code, response.get_json()


def test_tasks_come_soonest_first_a_page_at_a_time(client, cast, world):
    tokens, data = cast
    status, first = get(client, tokens.platform, "/api/v1/platform/tasks?per_page=2")
    _, second = get(client, tokens.platform, "/api/v1/platform/tasks?per_page=2&page=2")
    assert status == 200
    assert [t["id"] for t in first["items"]] == [world.task, data.tasks[0]] and first["has_more"] is True
    assert [t["id"] for t in second["items"]] == data.tasks[1:] and second["has_more"] is False
    task = first["items"][0]
    assert task["free_places"] == 3 and task["organisation"]["name"] == "塘市办事处"
    assert task["starts_at"].endswith("Z") and task["url"].endswith(f"/tasks/{world.task}")


def test_tasks_near_a_point_come_nearest_first_without_a_position_last(client, cast):
    tokens, data = cast
    here = data.here
    _, body = get(client, tokens.platform, f"/api/v1/platform/tasks?near_lat={here[0]}&near_lng={here[1]}")
    ids = [t["id"] for t in body["items"]]
    assert ids[0] == data.tasks[0] and ids.index(data.tasks[1]) < ids.index(data.tasks[2]) == len(ids) - 1


def test_stations_within_a_radius_come_nearest_first_with_hours(client, cast):
    tokens, data = cast
    here = data.here
    _, body = get(client, tokens.platform, f"/api/v1/platform/stations?lat={here[0]}&lng={here[1]}&radius_m=1000")
    assert [s["id"] for s in body["items"]] == [data.near, data.near_no_hours]
    near, no_hours = body["items"]
    assert near["distance_m"] == 120 and near["open_now"] is True and near["hours_summary"] == "Open 24 hours"
    assert no_hours["open_now"] is None and no_hours["hours_summary"] == ""
    assert abs(near["latitude"] - here[0]) < 0.001 and near["amenities"] == ["water", "charging"]


def test_all_active_stations_without_a_position(client, cast):
    tokens, data = cast
    _, body = get(client, tokens.platform, "/api/v1/platform/stations?per_page=100")
    assert [s["id"] for s in body["items"]] == sorted([data.near, data.near_no_hours, data.far])
    assert all(s["distance_m"] is None for s in body["items"])


def test_report_figures_are_the_dashboards(client, cast, app):
    tokens, _ = cast
    with app.app_context():
        today = local_today()
    status, body = get(client, tokens.platform, "/api/v1/platform/reports/figures")
    assert status == 200
    assert body["created"] == 2
    assert {k: v for k, v in body["statuses"].items() if v} == {"submitted": 1, "routed": 1}
    assert body["end"] == today.isoformat()
    assert body["start"] == (today - timedelta(days=29)).isoformat()
    assert {c["code"]: c["count"] for c in body["categories"]} == {"sanitation": 1, "road_facilities": 1}
    _, old = get(client, tokens.platform, "/api/v1/platform/reports/figures?start=2020-01-01&end=2020-01-31")
    assert old["created"] == 0


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "near_lat=31.8", "near_lat=91&near_lng=120",
                                   "kind=party", "near_lat=nan&near_lng=1"])
def test_bad_task_queries_are_422_with_the_field(client, cast, query):
    tokens, _ = cast
    status, body = get(client, tokens.platform, f"/api/v1/platform/tasks?{query}")
    assert status == 422 and body["code"] == "invalid_request" and body["errors"]


@pytest.mark.parametrize("query", ["start=2026-12-31&end=2026-01-01", "start=1900-01-01", "end=x"])
def test_bad_figure_periods_are_422(client, cast, query):
    tokens, _ = cast
    status, body = get(client, tokens.platform, f"/api/v1/platform/reports/figures?{query}")
    assert status == 422 and body["code"] == "invalid_request"
