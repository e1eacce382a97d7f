"""Hostile input: XSS payloads typed into every free-text field come back escaped on every page.

Each payload kind (``<script>``, ``"><img onerror>``, ``javascript:``) is typed, through the real forms and
as the people who fill them, into every free-text field: the rider's name and platform at registration,
the task's title, description and place, the merchant's name and address, the offer's title and
description, the reason of a points adjustment, the names of merchant staff and of a coordinator. Each
field's payload carries a tag (``alert('tt')``) so a failure names the field. Then every page that shows
these values is fetched as each persona who sees it, in both languages, and must

* contain the escaped payload (``&lt;script&gt;alert(&#39;tt&#39;)…``) of each field it shows,
* never contain any payload raw,
* parse to HTML with no script but the vendored htmx, no ``on…=`` handler and no ``javascript:`` URL in
  any URL-bearing attribute (``href``, ``src``, ``action``, ``hx-get``, …).

Inputs that are only reflected (a refused form, a search box, the voucher look-up, ``next``) are
checked the same way.
"""

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from markupsafe import escape

from accounts.models import User
from core.timeutil import to_local, utcnow
from rewards.models import Merchant, Offer, Voucher
from tests.factories import PASSWORD
from tests.pages import registration_code
from volunteer.models import Signup, Task

PAYLOADS = {
    "script": "<script>alert('{tag}')</script>",
    "img": "\"><img src=x onerror=alert('{tag}')>",
    "js": "javascript:alert('{tag}')",
}

# Every stored free-text field, by tag. A "*" after a tag in ``shows`` means "masked" (first character + **).
STORED = {
    "rn": "rider name (registration)",
    "pf": "platform (registration)",
    "tt": "task title",
    "td": "task description",
    "tp": "task place",
    "mn": "merchant name",
    "ma": "merchant address",
    "ot": "offer title",
    "od": "offer description",
    "ar": "adjustment reason",
    "sn": "merchant staff name",
    "cn": "coordinator name",
}

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite",
                  "srcset", "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "hx-push-url"}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
LANGUAGES = ("en", "zh-CN")


def payload(kind: str, tag: str) -> str:
    return PAYLOADS[kind].format(tag=tag)


class PageScanner(HTMLParser):
    """Collects what an injected payload would have added to the DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script> that is not the vendored htmx: {attrs}")
        if tag in ("img", "iframe", "object", "embed", "base"):
            self.problems.append(f"unexpected <{tag}>: {attrs}")
        for name, value in attrs:
            if name.startswith(("on", "hx-on")):
                self.problems.append(f"event handler attribute {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                squeezed = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
                if squeezed.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_safe(response, kind: str, shows: str = "", where: str = "", reflected: tuple[str, ...] = ()) -> str:
    """The page shows the escaped payloads of the fields in ``shows`` (space-separated tags), no payload raw
    and nothing executable. ``reflected`` are extra tags (of reflected-only inputs) checked the same way."""
    body = response.get_data(as_text=True)
    label = where or response.request.path
    assert response.status_code < 500, (label, response.status_code)
    for tag in (*STORED, *reflected):
        raw = payload(kind, tag)
        assert raw not in body, f"{label}: the {STORED.get(tag, tag)} payload comes back unescaped"
    for tag in shows.split():
        masked = tag.endswith("*")
        tag = tag.rstrip("*")
        raw = payload(kind, tag)
        expected = str(escape(raw[:1])) + "**" if masked else str(escape(raw))
        assert expected in body, f"{label}: the {STORED.get(tag, tag)} is not shown escaped ({expected!r})"
    scanner = PageScanner()
    scanner.feed(body)
    scanner.close()
    assert scanner.problems == [], f"{label}: {scanner.problems}"
    return body


def created_id(response, pattern: str) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    match = re.fullmatch(pattern, urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return int(match.group(1))


def local_input(app, delta: timedelta) -> str:
    """A ``datetime-local`` value ``delta`` from now in the app's time zone."""
    with app.app_context():
        return to_local(utcnow() + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(params=sorted(PAYLOADS))
def hostile(request, app, world, make_client, ctx):
    """Everything typed with one payload kind, through the real forms; returns the ids and clients."""
    kind = request.param
    p = lambda tag: payload(kind, tag)  # noqa: E731

    # A rider registers with a hostile name and platform; the welcome message names them.
    rider = make_client()
    code = registration_code(rider, "136 0000 1111")
    response = rider.post("/register", {"phone": "136 0000 1111", "code": code, "name": p("rn"),
                                        "password": "hostile-pass-1", "trade": "courier", "platform": p("pf"),
                                        "privacy": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    welcome = rider.get("/tasks")
    assert_safe(welcome, kind, "rn", "welcome message")
    with ctx() as session:
        rider_id = session.scalar(sa.select(User.id).where(User.phone == "13600001111"))
        assert session.get(User, rider_id).name == p("rn")  # stored as typed, escaped only when shown

    coordinator = make_client(world.coordinator)
    task_id = created_id(coordinator.post("/coordinate/tasks/new", {
        "title": p("tt"), "description": p("td"), "category": "patrol", "place": p("tp"),
        "latitude": "31.87", "longitude": "120.55", "starts_at": local_input(app, timedelta(minutes=30)),
        "ends_at": local_input(app, timedelta(hours=2)), "places": "5", "points": "40"}), r"/coordinate/tasks/(\d+)")
    merchant_id = created_id(coordinator.post("/coordinate/merchants/new", {
        "name": p("mn"), "address": p("ma"), "active": "y"}), r"/coordinate/merchants/(\d+)")
    response = coordinator.post(f"/coordinate/merchants/{merchant_id}/offers/new", {
        "title": p("ot"), "description": p("od"), "points_cost": "10", "face_value": "12.5", "stock": "10",
        "per_rider_limit": "3", "validity_days": "7", "active": "y"})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    for phone, name in (("13600002222", p("sn")), ("13600003333", "店员二")):
        response = coordinator.post(f"/coordinate/merchants/{merchant_id}/staff", {
            "staff-phone": phone, "staff-name": name, "staff-password": "hostile-pass-2"})
        assert response.status_code == 303, response.get_data(as_text=True)[:800]
    response = coordinator.post("/coordinate/accounts/new", {"phone": "13600004444", "name": p("cn"),
                                                             "password": "hostile-pass-3"})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    assert rider.post(f"/tasks/{task_id}/signup").status_code == 303  # now in the organisation's scope
    adjusted = coordinator.post(f"/coordinate/riders/{rider_id}/adjustments", {"amount": "200", "reason": p("ar")},
                                htmx=True)
    assert adjusted.status_code == 200
    assert_safe(adjusted, kind, "rn ar", "adjustment fragment")

    with ctx() as session:
        signup_id = session.scalar(sa.select(Signup.id).where(Signup.task_id == task_id))
        offer_id = session.scalar(sa.select(Offer.id).where(Offer.merchant_id == merchant_id))
        staff_id, staff2_id = (session.scalar(sa.select(User.id).where(User.phone == phone))
                               for phone in ("13600002222", "13600003333"))
    attended = coordinator.post(f"/coordinate/signups/{signup_id}/attendance", {"attended": "1"}, htmx=True)
    assert attended.status_code == 200
    assert_safe(attended, kind, "rn", "attendance fragment")

    voucher_ids = [created_id(rider.post(f"/offers/{offer_id}/redeem"), r"/vouchers/(\d+)") for _ in range(2)]
    with ctx() as session:
        codes = [session.get(Voucher, v).code for v in voucher_ids]

    staff = make_client(staff_id)
    lookup = staff.get("/merchant/lookup", query_string={"code": codes[0]})
    assert lookup.status_code == 303
    assert_safe(staff.get(lookup.headers["Location"]), kind, "ot rn*", "merchant voucher page")
    confirmed = staff.post(f"/merchant/vouchers/{codes[0]}/confirm", htmx=True)
    assert confirmed.status_code == 200
    assert_safe(confirmed, kind, "ot rn*", "confirmation fragment")

    return {"kind": kind, "world": world, "rider": rider, "coordinator": coordinator, "staff": staff,
            "staff2": make_client(staff2_id), "admin": make_client(world.admin),
            "anon": make_client(), "rider_id": rider_id, "task": task_id, "merchant": merchant_id,
            "offer": offer_id, "redeemed": voucher_ids[0], "issued": voucher_ids[1], "code": codes[0]}


def pages(h) -> list[tuple[str, str, str, dict]]:
    """(persona, url, tags shown, get options) for every page that shows the hostile values."""
    t, m, o, r = h["task"], h["merchant"], h["offer"], h["rider_id"]
    return [
        ("anon", "/tasks", "tt tp", {}),
        ("anon", f"/tasks/{t}", "tt td tp", {}),
        ("rider", "/tasks", "tt tp", {}),
        ("rider", "/tasks", "tt tp", {"htmx": "task-rows"}),
        ("rider", f"/tasks/{t}", "tt td tp", {}),
        ("rider", "/my/tasks", "tt tp", {}),
        ("rider", "/wallet", "ar tt", {}),
        ("rider", "/offers", "mn ma ot", {}),
        ("rider", f"/offers/{o}", "ot od mn ma", {}),
        ("rider", "/vouchers", "ot mn", {}),
        ("rider", f"/vouchers/{h['issued']}", "ot mn ma", {}),
        ("rider", f"/vouchers/{h['redeemed']}", "ot mn ma", {}),
        ("rider", f"/vouchers/{h['redeemed']}/status", "ot mn ma", {"htmx": True}),
        ("coordinator", "/coordinate/tasks", "tt tp", {}),
        ("coordinator", f"/coordinate/tasks/{t}", "tt tp rn", {}),
        ("coordinator", f"/coordinate/tasks/{t}/edit", "tt td tp", {}),
        ("coordinator", "/coordinate/merchants", "mn ma", {}),
        ("coordinator", f"/coordinate/merchants/{m}", "mn ma ot sn", {}),
        ("coordinator", f"/coordinate/offers/{o}/edit", "mn ot od", {}),
        ("coordinator", "/coordinate/accounts/", "rn pf sn cn", {}),
        ("coordinator", "/coordinate/accounts/?role=rider", "rn pf", {}),
        ("coordinator", f"/coordinate/riders/{r}/points", "rn pf ar tt", {}),
        ("coordinator", "/coordinate/audit/", "rn mn ot tt ar sn cn", {}),
        ("admin", "/coordinate/accounts/", "rn pf sn cn", {}),
        ("admin", "/coordinate/merchants", "mn ma", {}),
        ("staff", "/merchant/", "mn ot rn*", {}),
        ("staff", f"/merchant/vouchers/{h['code']}", "ot rn*", {}),
        ("staff", "/merchant/confirmations", "ot rn*", {}),
        ("staff2", "/merchant/", "mn", {}),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stored_payloads_come_back_escaped_on_every_page_that_shows_them(hostile, lang):
    checked = 0
    for persona, url, shows, options in pages(hostile):
        response = hostile[persona].get(url, lang=lang, **options)
        assert response.status_code in (200, 286, 409), (persona, url, response.status_code)
        assert_safe(response, hostile["kind"], shows, f"{persona} {url} {options or ''}")
        checked += 1
    assert checked == len(pages(hostile))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_the_already_redeemed_refusal_escapes_the_merchant_name(hostile, htmx):
    """Another staff member of the same restaurant opens (or confirms) a voucher that is already redeemed:
    the refusal names the restaurant, and the name must come back escaped.

    Regression: the message was a Flask-Babel lazy string, whose ``__html__`` made Jinja print it raw
    (stored XSS from a merchant's name); ``DomainError`` now keeps a plain ``str``."""
    staff2, code = hostile["staff2"], hostile["code"]
    response = (staff2.post(f"/merchant/vouchers/{code}/confirm", htmx=True) if htmx
                else staff2.get(f"/merchant/vouchers/{code}"))
    assert response.status_code == 409
    assert_safe(response, hostile["kind"], "ot mn rn*", f"already redeemed ({'fragment' if htmx else 'page'})")


def test_refused_forms_show_the_typed_payloads_escaped(hostile, app):
    """A form refused for another field re-shows the hostile text in its inputs, escaped."""
    kind, coordinator = hostile["kind"], hostile["coordinator"]
    p = lambda tag: payload(kind, tag)  # noqa: E731
    reflected = ("lp", "xn", "xp", "xf", "xt", "xd", "xl", "xm", "xa", "xo", "xe", "xr", "xs")

    def check(response, shows):
        assert response.status_code == 422, response.get_data(as_text=True)[:800]
        assert_safe(response, kind, shows, response.request.path, reflected)

    check(hostile["anon"].post("/login", {"phone": p("lp"), "password": "x"}), "lp")
    check(hostile["anon"].post("/register", {"phone": p("xp"), "name": p("xn"), "password": "short",
                                             "trade": "courier", "platform": p("xf")}), "xp xn xf")
    check(coordinator.post("/coordinate/tasks/new", {
        "title": p("xt"), "description": p("xd"), "category": "patrol", "place": p("xl"),
        "starts_at": "2001-01-01T10:00", "ends_at": "2001-01-01T12:00", "places": "5", "points": "40"}),
        "xt xd xl")
    check(coordinator.post(f"/coordinate/tasks/{hostile['task']}/edit", {
        "title": p("xt"), "description": p("xd"), "category": "patrol", "place": p("xl"),
        "starts_at": local_input(app, timedelta(hours=3)), "ends_at": local_input(app, timedelta(hours=2)),
        "places": "5", "points": "40"}), "xt xd xl")
    check(coordinator.post("/coordinate/merchants/new", {"name": p("xm"), "address": "", "active": "y"}), "xm")
    check(coordinator.post(f"/coordinate/merchants/{hostile['merchant']}", {"name": "", "address": p("xa")}), "xa")
    check(coordinator.post(f"/coordinate/merchants/{hostile['merchant']}/offers/new", {
        "title": p("xo"), "description": p("xe"), "points_cost": "many", "face_value": "1", "stock": "1",
        "per_rider_limit": "1", "validity_days": "1"}), "xo xe")
    check(coordinator.post(f"/coordinate/offers/{hostile['offer']}/edit", {
        "title": p("xo"), "description": p("xe"), "points_cost": "-5", "face_value": "1", "stock": "1",
        "per_rider_limit": "1", "validity_days": "1"}), "xo xe")
    check(coordinator.post(f"/coordinate/riders/{hostile['rider_id']}/adjustments",
                           {"amount": "0", "reason": p("xr")}), "xr")
    check(coordinator.post(f"/coordinate/riders/{hostile['rider_id']}/adjustments",
                           {"amount": "zero", "reason": p("xr")}, htmx=True), "xr")
    check(coordinator.post(f"/coordinate/merchants/{hostile['merchant']}/staff", {
        "staff-phone": "1", "staff-name": p("xs"), "staff-password": "x"}), "xs")
    check(coordinator.post("/coordinate/accounts/new", {"phone": "1", "name": p("xs"), "password": "x"}), "xs")


def test_reflected_query_values_come_back_escaped(hostile):
    """Search boxes, filters, the voucher look-up, the voucher URL and ``next`` echo nothing raw."""
    kind = hostile["kind"]
    p = lambda tag: payload(kind, tag)  # noqa: E731
    reflected = ("q", "c", "k", "n", "u")
    cases = [
        ("coordinator", "/coordinate/accounts/", {"q": p("q"), "role": p("k")}, "q"),
        ("anon", "/tasks", {"category": p("c"), "organisation": p("k")}, ""),
        ("rider", "/tasks", {"category": p("c"), "organisation": p("k"), "next": p("n")}, ""),
        ("staff", "/merchant/lookup", {"code": p("c")}, "c"),
        ("anon", "/login", {"next": p("n")}, ""),
        ("rider", f"/tasks/{hostile['task']}", {"next": p("n"), "x": p("u")}, ""),
        ("coordinator", f"/coordinate/tasks/{hostile['task']}", {"next": p("n")}, ""),
    ]
    for persona, url, query, shows in cases:
        response = hostile[persona].get(url, query_string=query)
        assert_safe(response, kind, shows, f"{persona} {url} {query}", reflected)
    # The voucher URL of the QR code, with a hostile "code" in the path (up to 40 characters re-shown).
    response = hostile["staff"].get("/merchant/vouchers/" + quote(p("c"), safe=""))
    assert response.status_code in (404, 422)
    assert_safe(response, kind, "", "merchant voucher URL", reflected)


NEXT_TARGETS = ["javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "//evil.example/",
                "https://evil.example/", "/\\evil.example", "/\t/evil.example", "\\\\evil.example",
                "/%2F%2Fevil.example", "data:text/html,<script>alert(1)</script>"]


@pytest.mark.parametrize("target", NEXT_TARGETS)
def test_next_never_sends_anyone_off_site_or_to_a_script(world, make_client, target):
    """After log-in and after the language switch, ``next`` is followed only to a path on this site."""
    login = make_client().post("/login", {"phone": world.rider_phone, "password": PASSWORD},
                               query_string={"next": target})
    switch = make_client(world.rider).post("/language", {"lang": "en", "next": target})
    for response in (login, switch):
        assert response.status_code == 303
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert not parts.scheme and not parts.netloc, location
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "\t" not in location and "javascript" not in location.lower(), location


def test_the_hostile_values_are_stored_as_typed(hostile, ctx):
    """Escaping happens on output only: the database keeps exactly what was typed (no double escaping)."""
    kind = hostile["kind"]
    with ctx() as session:
        task = session.get(Task, hostile["task"])
        merchant = session.get(Merchant, hostile["merchant"])
        offer = session.get(Offer, hostile["offer"])
        assert (task.title, task.description, task.place) == (payload(kind, "tt"), payload(kind, "td"),
                                                              payload(kind, "tp"))
        assert (merchant.name, merchant.address) == (payload(kind, "mn"), payload(kind, "ma"))
        assert (offer.title, offer.description) == (payload(kind, "ot"), payload(kind, "od"))
