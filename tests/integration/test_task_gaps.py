"""Tasks that fit a gap in a shift: "starts within 2 hours", "1 hour or less" and "near me" on the task list."""

import re
from datetime import timedelta
from html import unescape

import pytest

from core.timeutil import utcnow
from tests.factories import make_task

HERE = "lat=31.870&lng=120.550"  # the rider, in Zhangjiagang


@pytest.fixture
def rider(world, make_client):
    return make_client(world.rider)


def titles(html: str) -> list[str]:
    """The task titles of the list, top to bottom."""
    return re.findall(r'<strong class="card-title">([^<]+)</strong>', html)


def chips(html: str) -> dict[str, tuple[str, bool]]:
    """The quick filters: label → (link, pressed)."""
    nav = html[html.index('<nav class="chips"'):]
    nav = nav[:nav.index("</nav>")]
    return {label.strip(): (unescape(href), 'aria-current="true"' in attrs)
            for href, attrs, label in re.findall(r'<a class="chip" href="([^"]+)"([^>]*)>([^<]+)</a>', nav)}


def later(hours=0, minutes=0):
    return utcnow() + timedelta(hours=hours, minutes=minutes)


@pytest.fixture
def gaps(world, ctx):
    """Besides the world's task (starts in 30 minutes, 2 hours long, no coordinates): tasks around the rider."""
    with ctx() as session:
        for title, starts, minutes, lat, lng, org, category in [
            ("800米外的长任务", later(5), 120, 31.8775, 120.550, world.org, "traffic_safety"),
            ("两公里外的短任务", later(1), 45, 31.870, 120.575, world.org, "elderly_care"),
            ("九公里外的一小时", later(1, 30), 60, 31.950, 120.550, world.other_org, "elderly_care"),
            ("三小时后的短任务", later(3), 30, None, None, world.org, "errands"),
            ("六十一分钟的任务", later(1), 61, None, None, world.org, "errands"),
        ]:
            coordinator = world.coordinator if org == world.org else world.other_coordinator
            make_task(org, coordinator, title=title, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                      latitude=lat, longitude=lng, category=category)
        session.commit()


def test_starts_within_2_hours_lists_only_tasks_starting_soon_and_shows_the_filter_pressed(rider, gaps):
    html = rider.get("/tasks?soon=2h").get_data(as_text=True)
    assert titles(html) == ["路口交通安全劝导", "两公里外的短任务", "六十一分钟的任务", "九公里外的一小时"]
    pressed = {label for label, (_href, on) in chips(html).items() if on}
    assert pressed == {"Starts within 2 hours"}
    assert chips(html)["Starts within 2 hours"][0] == "/tasks"  # tapping it again turns it off


def test_one_hour_or_less_keeps_tasks_of_exactly_60_minutes_and_drops_61(rider, gaps):
    html = rider.get("/tasks?short=1").get_data(as_text=True)
    assert titles(html) == ["两公里外的短任务", "九公里外的一小时", "三小时后的短任务"]
    assert [label for label, (_href, on) in chips(html).items() if on] == ["1 hour or less"]


def test_the_filters_combine_with_each_other_and_with_category_and_organisation(rider, world, gaps):
    html = rider.get("/tasks?soon=2h&short=1").get_data(as_text=True)
    assert titles(html) == ["两公里外的短任务", "九公里外的一小时"]
    assert titles(rider.get(f"/tasks?soon=2h&short=1&organisation={world.org}").get_data(as_text=True)) == [
        "两公里外的短任务"]
    html = rider.get("/tasks?short=1&category=errands").get_data(as_text=True)
    assert titles(html) == ["三小时后的短任务"]
    # Each chip keeps the others and the category; the select form keeps the chips in hidden fields.
    links = chips(html)
    assert links["Starts within 2 hours"][0] == "/tasks?category=errands&soon=2h&short=1"
    assert links["1 hour or less"][0] == "/tasks?category=errands"
    assert '<input type="hidden" name="short" value="1">' in html and 'name="category" value="errands"' not in html


def test_near_me_sorts_nearest_first_with_distances_and_tasks_without_coordinates_last(rider, gaps):
    html = rider.get(f"/tasks?near=1&{HERE}").get_data(as_text=True)
    assert titles(html) == ["800米外的长任务", "两公里外的短任务", "九公里外的一小时",
                            "路口交通安全劝导", "六十一分钟的任务", "三小时后的短任务"]  # unknown: soonest first
    distances = re.findall(r'<span class="distance">([^<]+)</span>', html)
    assert distances == ["830 m away", "2.4 km away", "8.9 km away"] + ["Distance unknown"] * 3
    assert "Nearest first, from where you are" in html
    assert [label for label, (_href, on) in chips(html).items() if on] == ["Near me"]
    assert chips(html)["Near me"][0] == "/tasks"  # off again, and the position is dropped


def test_near_me_combines_with_the_other_filters(rider, gaps):
    html = rider.get(f"/tasks?near=1&{HERE}&soon=2h&short=1").get_data(as_text=True)
    assert titles(html) == ["两公里外的短任务", "九公里外的一小时"]
    assert chips(html)["1 hour or less"][0] == f"/tasks?soon=2h&near=1&{HERE}"


def test_near_me_reads_in_chinese(client, gaps):
    html = client.get(f"/tasks?near=1&{HERE}", lang="zh").get_data(as_text=True)
    assert re.findall(r'<span class="distance">([^<]+)</span>', html)[:3] == ["距你830米", "距你2.4公里", "距你8.9公里"]
    assert "距离未知" in html and "附近" in html


def test_the_position_is_rounded_to_about_100_metres_in_every_link(rider, gaps):
    html = rider.get("/tasks?near=1&lat=31.87049&lng=120.55012&short=1").get_data(as_text=True)
    assert chips(html)["Starts within 2 hours"][0] == f"/tasks?soon=2h&short=1&near=1&{HERE}"
    assert 'name="lat" value="31.870"' in html and 'name="lng" value="120.550"' in html
    assert "31.87049" not in html[html.index("<main"):]


@pytest.mark.parametrize("query", [
    "lat=abc&lng=120.55", "lat=91&lng=120.55", "lat=31.87&lng=181", "lat=31.87", "lng=120.55", "lat=nan&lng=1",
    "lat=1e999&lng=120", "lat=&lng=120.55", "lat=%E4%B8%AD&lng=%00", "lat=31,87&lng=120,55",
])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_junk_position_is_ignored_with_a_message_never_an_error(rider, gaps, query, lang):
    response = rider.get(f"/tasks?near=1&{query}", lang=lang)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert titles(html)[:2] == ["路口交通安全劝导", "两公里外的短任务"]  # in time order
    assert "class=\"distance\"" not in html
    message = ("That location could not be read, so the tasks are in time order." if lang == "en"
               else "无法读取这个位置，任务按时间排序。")
    assert message in html


def test_near_me_without_a_location_lists_the_tasks_and_says_why_there_are_no_distances(client, gaps):
    html = client.get("/tasks?near=1").get_data(as_text=True)
    assert titles(html)[0] == "路口交通安全劝导" and len(titles(html)) == 6
    assert "Allow location to sort by distance." in html
    assert "<noscript><p class=\"hint\">Sorting by distance needs JavaScript" in html  # the page without JS
    assert 'data-near-waiting="/tasks?near=1"' in html  # the script asks for the location here
    assert "class=\"distance\"" not in html
    zh = client.get("/tasks?near=1", lang="zh").get_data(as_text=True)
    assert "允许获取位置后，即可按距离排序。" in zh


def test_a_refused_location_says_the_browser_did_not_share_it(client, gaps):
    html = client.get("/tasks?near=1&geo=denied&soon=2h").get_data(as_text=True)
    assert "Your browser did not share its location" in html and "data-near-waiting" not in html
    assert titles(html)[0] == "路口交通安全劝导"
    assert chips(html)["1 hour or less"][0] == "/tasks?soon=2h&short=1&near=1&geo=denied"
    assert "你的浏览器没有提供位置" in client.get("/tasks?near=1&geo=denied", lang="zh").get_data(as_text=True)


@pytest.mark.parametrize("query", ["soon=5h", "soon=1", "short=yes", "near=yes&lat=31.87&lng=120.55", "geo=denied"])
def test_unknown_filter_values_are_ignored(rider, gaps, query):
    html = rider.get(f"/tasks?{query}").get_data(as_text=True)
    assert len(titles(html)) == 6 and not any(on for _href, on in chips(html).values())
    assert "class=\"distance\"" not in html and "did not share" not in html


def test_the_near_me_link_asks_on_a_full_page_load_and_only_the_task_list_loads_the_script(rider, gaps):
    html = rider.get("/tasks?soon=2h").get_data(as_text=True)
    near = re.search(r'<a class="chip" href="/tasks\?soon=2h&amp;near=1"\s+hx-boost="false" data-near', html)
    assert near, "near me is a plain, not boosted, link the script recognises"
    script = re.search(r'<script src="(/static/js/near\.[0-9a-f]+\.js)" defer></script>', html)
    assert script
    served = rider.get(script.group(1))
    served.close()
    assert served.status_code == 200
    assert "/js/near." not in rider.get("/my/tasks").get_data(as_text=True)


def test_paging_keeps_near_me_and_the_position(rider, world, ctx):
    with ctx() as session:
        for i in range(21):  # task i is i × 100 m north of the rider, the farthest starting first
            starts = later(10 + 21 - i)
            make_task(world.org, world.coordinator, title=f"北边{i:02d}", starts_at=starts,
                      ends_at=starts + timedelta(hours=1), latitude=31.870 + i * 0.0009, longitude=120.550)
        session.commit()
    first = rider.get(f"/tasks?near=1&{HERE}").get_data(as_text=True)
    assert titles(first) == [f"北边{i:02d}" for i in range(20)]
    next_link = unescape(re.search(r'href="([^"]+)">Farther away', first).group(1))
    assert next_link == f"/tasks?page=2&near=1&{HERE}"
    second = rider.get(next_link).get_data(as_text=True)
    assert titles(second) == ["北边20", "路口交通安全劝导"]
    assert unescape(re.search(r'href="([^"]+)">← Nearer', second).group(1)) == f"/tasks?page=1&near=1&{HERE}"


def test_an_htmx_filter_change_returns_rows_with_distances(rider, gaps):
    response = rider.get(f"/tasks?near=1&{HERE}&category=elderly_care", htmx="task-rows")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<ul id="task-rows"')
    assert titles(html) == ["两公里外的短任务", "九公里外的一小时"]
    assert re.findall(r'<span class="distance">([^<]+)</span>', html) == ["2.4 km away", "8.9 km away"]
