"""Errors a person sees, and what every page carries for accessibility: htmx refusals land in the sticky
message region, fragments are never cached, 400/409/429 answer a fragment to htmx and a page otherwise in
the user's language; every page has a description, icons and a manifest; ``<time>`` carries ``datetime``."""

import re
from pathlib import Path

import pytest
from flask import abort

from tests.factories import give_points

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def app_with_failing_routes(app):
    """The app plus two routes that fail the way a rule conflict and an abuse limit do (409, 429)."""
    app.add_url_rule("/_test/conflict", "test_conflict", lambda: abort(409))
    app.add_url_rule("/_test/too-many", "test_too_many", lambda: abort(429))
    return app


def is_fragment(html: str) -> bool:
    return "<html" not in html and "<body" not in html


def test_pages_say_they_vary_by_hx_request_and_htmx_answers_are_never_stored(client, world):
    page = client.get("/tasks")
    assert "HX-Request" in page.headers["Vary"]
    assert "no-store" not in page.headers.get("Cache-Control", "")
    fragment = client.get("/tasks", htmx="task-rows")
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.headers["Cache-Control"] == "no-store"


def test_a_refused_htmx_action_is_a_no_store_message_for_the_sticky_region(make_client, world, ctx):
    from accounts.models import User
    from volunteer import services
    from volunteer.models import Task

    with ctx() as session:  # the other rider takes the only place: the sign-up is refused in the widget
        task = session.get(Task, world.task)
        task.places = 1
        services.sign_up(task=task, rider=session.get(User, world.rider2))
        session.commit()
    response = make_client(world.rider).post(f"/tasks/{world.task}/signup", htmx=True, lang="zh-CN")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and is_fragment(html)
    assert 'class="flash flash-error" role="status"' in html  # next to the button that was tapped
    assert response.headers["Cache-Control"] == "no-store" and "HX-Request" in response.headers["Vary"]


def test_an_htmx_not_found_lands_in_the_message_region_in_chinese_and_is_not_stored(make_client, world):
    response = make_client(world.rider).get("/offers/999999", htmx=True, lang="zh-CN")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and is_fragment(html)
    assert response.headers["HX-Retarget"] == "#flash" and response.headers["HX-Reswap"] == "innerHTML"
    assert "页面不存在" in html and 'role="alert"' in html
    assert response.headers["Cache-Control"] == "no-store" and "HX-Request" in response.headers["Vary"]


def test_a_bad_request_is_a_fragment_for_htmx_and_a_whole_page_otherwise(make_client, world, signed_up):
    coordinator = make_client(world.coordinator)
    url = f"/coordinate/signups/{signed_up}/attendance"
    fragment = coordinator.post(url, {"attended": "maybe"}, htmx=True, lang="zh-CN")
    assert fragment.status_code == 400 and is_fragment(fragment.get_data(as_text=True))
    assert "无法处理这次请求" in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Retarget"] == "#flash" and fragment.headers["Cache-Control"] == "no-store"
    page = coordinator.post(url, {"attended": "maybe"}, lang="en")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "<html" in html and "<h1>Please try again</h1>" in html
    assert "This request was not understood" in html and "Bad Request" not in html


@pytest.mark.parametrize(("url", "status", "zh", "en"), [
    ("/_test/conflict", 409, "这里刚刚有了变化", "This changed in the meantime"),
    ("/_test/too-many", 429, "尝试次数过多", "Too many tries"),
])
def test_conflicts_and_rate_limits_answer_in_the_users_language(app_with_failing_routes, url, status, zh, en):
    client = app_with_failing_routes.test_client()
    fragment = client.get(url, headers={"HX-Request": "true", "Accept-Language": "zh-CN"})
    assert fragment.status_code == status and is_fragment(fragment.get_data(as_text=True))
    assert zh in fragment.get_data(as_text=True) and fragment.headers["HX-Retarget"] == "#flash"
    assert fragment.headers["Cache-Control"] == "no-store"
    page = client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == status and "<html" in page.get_data(as_text=True)
    assert en in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]


def test_the_message_region_is_a_polite_live_region_inside_the_sticky_header(client):
    html = client.get("/tasks").get_data(as_text=True)
    header = html[html.index('<header class="top">'):html.index("</header>")]
    assert '<div id="flash" class="flash-area" aria-live="polite">' in header


def test_htmx_keeps_no_page_snapshots_so_back_reloads_a_whole_page(client):
    config = re.search(r'name="htmx-config" content=\'([^\']+)\'', client.get("/tasks").get_data(as_text=True))
    assert '"historyCacheSize":0' in config.group(1) and '"refreshOnHistoryMiss":true' in config.group(1)


@pytest.mark.parametrize(("lang", "words"), [("zh-CN", "暖新：骑手参加志愿服务"), ("en", "Nuanxin: volunteer tasks")])
def test_every_page_has_a_description_in_the_users_language(make_client, world, lang, words):
    for user_id, url in ((None, "/tasks"), (None, "/login"), (world.rider, "/wallet"), (world.staff, "/merchant/"),
                         (world.coordinator, "/coordinate/tasks"), (world.admin, "/admin/organisations")):
        html = make_client(user_id).get(url, lang=lang).get_data(as_text=True)
        assert re.search(rf'<meta name="description" content="{words}[^"]+">', html), url


def test_pages_link_the_favicon_app_icons_and_manifest_which_all_answer(client):
    html = client.get("/tasks").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', html).group(1)
    with client.http.get(touch) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/png" and icon.get_data()[:4] == b"\x89PNG"
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.mimetype == "image/vnd.microsoft.icon"
    manifest = client.get("/manifest.webmanifest", lang="zh-CN")
    assert manifest.mimetype == "application/manifest+json" and manifest.get_json()["name"] == "暖新"
    sizes = set()
    for entry in manifest.get_json()["icons"]:
        with client.http.get(entry["src"]) as icon:
            assert icon.status_code == 200 and icon.get_data()[:4] == b"\x89PNG"
        sizes.add(entry["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_the_header_balance_is_read_out_with_its_number(make_client, world, ctx):
    with ctx() as session:
        give_points(world.rider, 42)
        session.commit()
    html = make_client(world.rider).get("/tasks", lang="zh-CN").get_data(as_text=True)
    balance = re.search(r'<a id="balance"[^>]*>(.*?)</a>', html, re.S)
    assert "aria-label" not in balance.group(0)  # a label would hide the number from a screen reader
    assert re.sub(r"<[^>]+>", "", balance.group(1)).strip() == "我的积分： 42积分"
    assert '<span class="visually-hidden">我的积分：</span>' in balance.group(1).replace(" </span>", "</span>")


def test_times_on_the_wallet_carry_a_machine_readable_utc_datetime(make_client, world, ctx):
    with ctx() as session:
        give_points(world.rider, 5)
        session.commit()
    html = make_client(world.rider).get("/wallet").get_data(as_text=True)
    times = re.findall(r"<time[^>]*>", html)
    assert times and all(re.search(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', tag) for tag in times)


def test_every_time_element_in_the_templates_has_a_datetime():
    missing = [f"{path.relative_to(TEMPLATES)}: {tag}" for path in TEMPLATES.rglob("*.html")
               for tag in re.findall(r"<time\b[^>]*>", path.read_text(encoding="utf-8")) if "datetime=" not in tag]
    assert missing == []
