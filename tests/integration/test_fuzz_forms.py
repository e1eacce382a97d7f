"""Hypothesis fuzzes every form: whatever arrives, no response is a 500 (nor an unhandled exception).

The forms are found, not listed: every POST rule of ``app.url_map`` is fuzzed, and its field names are
read from the ``<form>`` elements that post to it on the pages each persona can open (so a new form or a
new field is covered without touching this file). The GET forms found the same way (the task filter,
the merchant's code look-up, the account search) are fuzzed too, and so is every URL argument that is
not an integer (the voucher code in the QR code's URL).

Each example sends a random set of fields: valid values (to get past validation into the services and
the database), random unicode, 10,000-character strings, NUL and other control characters, huge and
negative numbers, NaN and infinity, impossible dates, wrong types (JSON bodies, files in text fields,
``[]`` and ``{}``), missing fields, repeated fields and unknown fields; as a form post, an htmx request,
multipart or JSON. It is sent as the persona who sees the form (all personas for a route with no form
on any page). ``TESTING`` propagates exceptions, so a crash fails the example even before it becomes a 500.
A crash the fuzzer found is pinned down by a plain test below as well (the long new passwords).
"""

import io
import itertools
import re
import string
from datetime import datetime, timedelta
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from app import create_app
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD

PERSONAS = ("anon", "rider", "coordinator", "staff")
# Routes whose blueprint says who uses them, for routes whose form no persona's page shows.
PERSONA_BY_BLUEPRINT = {"volunteer": "rider", "rewards": "rider", "volunteer_coordinate": "coordinator",
                        "rewards_coordinate": "coordinator", "accounts_coordinate": "coordinator",
                        "merchant": "staff"}
# Forms posted without a page showing them in the crawl (none today); listed here, they are still fuzzed.
FORMLESS_POSTS: set[str] = set()
FUZZ_SETTINGS = settings(max_examples=30, deadline=None, derandomize=False,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
NO_LIMITS = {"RATELIMIT_ENABLED": False}
TIGHT_LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_FAILURES_PER_PHONE": "2 per hour",
                "LOGIN_FAILURES_PER_ADDRESS": "3 per hour", "REGISTRATIONS_PER_ADDRESS": "2 per hour",
                "UNKNOWN_CODES_PER_STAFF": "2 per hour"}
RATE_LIMITED = {"accounts.login", "accounts.register", "rewards_merchant.lookup", "rewards_merchant.confirm"}


def _url_map():
    """The routes, read from an app that is never served (no database is opened)."""
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).url_map


URL_MAP = _url_map()
POST_RULES = sorted({(r.endpoint, r.rule) for r in URL_MAP.iter_rules() if "POST" in r.methods})
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def text_arguments(rule: str) -> list[str]:
    """The names of a rule's URL arguments that take text (``<code>``, ``<string:x>``, ``<path:x>``)."""
    return [name for converter, name in ARGUMENT.findall(rule) if converter not in ("int", "float", "uuid")]


TEXT_ARGUMENT_RULES = sorted({(r.endpoint, r.rule, method) for r in URL_MAP.iter_rules() if r.endpoint != "static"
                              for method in (r.methods or set()) & {"GET", "POST"} if text_arguments(r.rule)})
# The GET forms the issue names; any other GET form found on a page is fuzzed as well.
GET_FORMS = ["volunteer.task_list", "rewards_merchant.lookup", "accounts_coordinate.account_list"]


# --- the app, the cast and their ids -------------------------------------------------------------


@pytest.fixture
def limits():
    return NO_LIMITS


@pytest.fixture
def app(database_url, limits):
    """One app per test function (overrides conftest's to choose the abuse limits)."""
    from extensions import db

    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **limits})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def cast(world, ctx):
    """The world plus a sign-up, points and an issued voucher, so every form is on some page."""
    from accounts.models import User
    from rewards import vouchers
    from rewards.models import Offer
    from tests.factories import give_points, make_task
    from volunteer import services

    with ctx() as session:
        rider = session.get(User, world.rider)
        give_points(rider.id, 100)
        signed = make_task(world.org, world.coordinator, title="已报名的任务")
        signup = services.sign_up(task=signed, rider=rider)
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=rider)
        session.commit()
        ids = SimpleNamespace(task=world.task, signed_task=signed.id, signup=signup.id, offer=world.offer,
                              voucher=voucher.id, code=voucher.code, merchant=world.merchant, rider=world.rider,
                              org=world.org, rider_phone=world.rider_phone)
    return world, ids


def argument_values(ids) -> dict[str, list]:
    """Candidate values of each URL argument name (the first is the default)."""
    return {"task_id": [ids.task, ids.signed_task], "signup_id": [ids.signup], "offer_id": [ids.offer],
            "voucher_id": [ids.voucher], "merchant_id": [ids.merchant], "rider_id": [ids.rider],
            "code": [ids.code], "user_id": [ids.rider], "organisation_id": [ids.org]}


# Endpoints whose deeper code needs another value than the default (the rider's own sign-up).
PREFERRED_ARGUMENTS = {"volunteer.cancel_signup": {"task_id": "signed_task"},
                       "volunteer_coordinate.mark_all_attended": {"task_id": "signed_task"}}


def rule_of(endpoint: str, rule: str | None = None):
    return next(r for r in URL_MAP.iter_rules(endpoint) if rule is None or r.rule == rule)


def build_url(rule, endpoint: str, ids, overrides: dict | None = None) -> str:
    values = {}
    candidates = argument_values(ids)
    for name in sorted(rule.arguments):
        preferred = PREFERRED_ARGUMENTS.get(endpoint, {}).get(name)
        if overrides and name in overrides:
            values[name] = overrides[name]
        elif preferred:
            values[name] = getattr(ids, preferred)
        elif name in candidates:
            values[name] = candidates[name][0]
        else:
            values[name] = 1  # an argument this file does not know yet: still reachable, maybe a 404
    return URL_MAP.bind("localhost").build(endpoint, values, force_external=False)


def clients_for(world):
    return {"anon": None, "rider": world.rider, "coordinator": world.coordinator, "staff": world.staff}


# --- finding the forms ------------------------------------------------------------------------


class FormFinder(HTMLParser):
    """Every ``<form>`` of a page: its action, method and fields (with the values the page put there)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[dict] = []
        self.current: dict | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or a.get("hx-post") or a.get("hx-get") or self.page_url
            method = (a.get("method") or ("post" if "hx-post" in a else "get")).upper()
            self.current = {"action": action, "method": method, "fields": {}}
            self.forms.append(self.current)
        if self.current is None:
            return
        name = a.get("name")
        if tag in ("input", "button") and name:
            if a.get("type") in ("checkbox", "radio", "submit") or tag == "button":
                self.current["fields"].setdefault(name, []).append(a.get("value", "y"))
            else:
                self.current["fields"].setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select = name
            self.current["fields"].setdefault(name, [])
        elif tag == "option" and self.select:
            self.current["fields"][self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.current["fields"].setdefault(name, [""])

    def handle_data(self, data):
        if self.current is not None and self.textarea:
            self.current["fields"][self.textarea] = [data.strip()]

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def discover_forms(app, world, ids, make_client) -> dict[tuple[str, str], dict]:
    """``{(method, endpoint): {"fields": {name: [values seen]}, "personas": {who saw it}}}`` from every GET
    page, opened as every persona with every known value of its URL arguments."""
    found: dict[tuple[str, str], dict] = {}
    adapter = URL_MAP.bind("localhost")
    candidates = argument_values(ids)
    for persona, user_id in clients_for(world).items():
        client = make_client(user_id)
        for rule in URL_MAP.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith("_status"):
                continue
            choices = [[(name, v) for v in candidates.get(name, [1])] for name in rule.arguments]
            for combination in itertools.product(*choices):
                url = adapter.build(rule.endpoint, dict(combination))
                response = client.get(url)
                if response.status_code != 200 or "html" not in (response.content_type or ""):
                    continue
                finder = FormFinder(url)
                finder.feed(response.get_data(as_text=True))
                for form in finder.forms:
                    path = urlsplit(form["action"]).path
                    try:
                        endpoint, _args = adapter.match(path, method=form["method"])
                    except HTTPException:
                        continue
                    entry = found.setdefault((form["method"], endpoint), {"fields": {}, "personas": set()})
                    entry["personas"].add(persona)
                    for name, values in form["fields"].items():
                        entry["fields"].setdefault(name, [])
                        entry["fields"][name] += [v for v in values if v not in entry["fields"][name]]
    return found


_FORMS_CACHE: dict = {}


def forms_of(app, world, ids, make_client) -> dict:
    """The discovered forms (found once per run: field names do not depend on the data)."""
    if not _FORMS_CACHE:
        _FORMS_CACHE.update(discover_forms(app, world, ids, make_client))
    return _FORMS_CACHE


# --- what to send -----------------------------------------------------------------------------

class _Omitted:
    def __repr__(self):
        return "<not sent>"


OMIT = _Omitted()
SPECIAL = [
    "", " ", "\t\n", "\x00", "a\x00b", "\x00" * 50, "\x1b[31m", "\x7f\x08", "\u202e\u2066", "\ufeff", "\u200b",
    "A" * 10_000, "中" * 10_000, "9" * 10_000, "-" + "9" * 10_000, " " * 10_000, "<" * 10_000,
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "' OR '1'='1", "1; DROP TABLE user; --", "1 UNION SELECT NULL--", "%s%s%n", "{{7*7}}", "${7*7}", "../../etc/passwd",
    "0", "-0", "+0", "1", "-1", "00001", "2147483647", "2147483648", "-2147483648", "-2147483649",
    "9223372036854775807", "9223372036854775808", "-9223372036854775809", "9" * 31, "9" * 400, "10" * 20,
    "1e308", "1e309", "-1e309", "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "0x1F", "1_000",
    "1,5", "1.5", "-0.0", "¥12.5", "12.505", "10000.01", "-12.5", "１２３", "٣٤", "①②", "𝟘𝟙", "Ⅻ",
    "true", "false", "null", "None", "[]", "{}", "[1, 2]", '{"a": 1}',
    "2026-02-30T10:00", "0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59", "2100-12-31T23:59",
    "2101-01-01T00:00", "2030-05-01 09:30", "2030-05-01T09:30:61", "2030-05-01T24:00", "２０３０-０５-０１T０９:３０",
    "13800000001", "+86 138 0000 0001", "0086-13800000001", "1380000000１", "13" + "8" * 40,
    "0000 0000 0000 0000", "1234-5678-9012-3456", "１２３４５６７８９０１２３４５６", "0" * 16, "9" * 17,
    "y", "on", "off", "rider", "coordinator", "merchant", "admin", "zh", "en", "//evil.example", "/\\evil.example",
]
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
numbers = st.one_of(st.integers(), st.integers(-2**70, 2**70), st.floats(allow_nan=True, allow_infinity=True))
# Lengths around every limit of the forms (50, 72, 100, 128, 200, 1000, 2000 characters) and beyond.
long_strings = st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "中", "9", " ", "<", "Qz7-"]),
                         st.sampled_from([49, 50, 51, 71, 72, 73, 99, 100, 101, 127, 128, 129, 199, 200, 201,
                                          999, 1000, 1001, 1999, 2000, 2001]) | st.integers(0, 2100))
values = st.one_of(st.sampled_from(SPECIAL), text, numbers.map(str), long_strings,
                   st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.text(string.digits, min_size=1, max_size=40))
json_values = st.recursive(st.one_of(st.none(), st.booleans(), numbers, text, st.sampled_from(SPECIAL[:20])),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
                           max_leaves=6)


def valid_values(app, ids, endpoint: str = "") -> dict[str, str]:
    """Values that pass validation, by field name (a form prefix such as ``staff-`` is ignored)."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    later = datetime.now(zone) + timedelta(days=2)
    if endpoint == "accounts.login":  # the right password of a real account reaches past authenticate()
        return {"phone": ids.rider_phone, "password": PASSWORD, "next": "/wallet"}
    return {"phone": "13912345678", "password": "Lantern-Quartz-7421", "name": "赵佳楠", "trade": "courier",
            "platform": "美团", "title": "夜间巡逻", "description": "请提前到场", "category": "patrol",
            "place": "步行街北口", "latitude": "31.87", "longitude": "120.55",
            "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "places": "3", "points": "30",
            "address": "人民中路88号", "active": "1", "points_cost": "10", "face_value": "12.5", "stock": "10",
            "per_rider_limit": "2", "validity_days": "7", "stock_shown": "10", "amount": "5", "reason": "补录",
            "attended": "1", "waitlist": "1", "lang": "en", "next": "/tasks", "code": ids.code, "q": "赵",
            "role": "rider", "organisation": str(ids.org)}


def good_values(name: str, seen: list[str], valid: dict[str, str]) -> list[str]:
    """Values of a field that pass validation: this file's valid value, else what the page had in it."""
    known = valid.get(name.rsplit("-", 1)[-1])
    if known is not None:
        return [known]
    return [v for v in seen if v] or list(seen)


def hostile_value(name: str, good: list[str]):
    """One field's hostile value: omitted, random, repeated (a list), or a repeat of a good value."""
    options = [st.just(OMIT), values, values, st.lists(values, min_size=2, max_size=4)]
    if good:
        options.append(st.lists(st.sampled_from(good), min_size=2, max_size=3))
    return st.one_of(*options)


@st.composite
def field_sets(draw, fields: dict[str, list[str]], valid: dict[str, str]):
    """Either chaos (every field hostile or not, at random), or a valid form with one or two fields
    spoiled, so that the spoiled value travels past validation's neighbours into the services."""
    names = sorted(name for name in fields if not name.endswith("csrf_token"))
    good = {name: good_values(name, fields[name], valid) for name in names}
    mode = draw(st.sampled_from(["chaos", "spoiled", "spoiled", "spoiled", "valid"]))
    if mode == "chaos":
        spoiled = set(names)
    elif mode == "valid" or not names:
        spoiled = set()
    else:
        spoiled = draw(st.sets(st.sampled_from(names), min_size=1, max_size=min(2, len(names))))
    chosen = {}
    for name in names:
        if name in spoiled or not good[name]:
            chaos_or_good = [hostile_value(name, good[name])] + ([st.sampled_from(good[name])] if good[name] else [])
            chosen[name] = draw(st.one_of(*chaos_or_good) if mode == "chaos" else hostile_value(name, good[name]))
        else:
            chosen[name] = draw(st.sampled_from(good[name]))
    return chosen


def request_strategy(fields: dict[str, list[str]], valid: dict[str, str], personas: list[str]):
    return st.fixed_dictionaries({
        "persona": st.sampled_from(personas),
        "fields": field_sets(fields, valid),
        "extra": st.dictionaries(st.text(string.ascii_letters + "_-[]", min_size=1, max_size=12), values,
                                 max_size=2),
        "encoding": st.sampled_from(["form", "form", "htmx", "multipart", "json"]),
        "json": json_values,
        "lang": st.sampled_from(["en", "zh-CN", "xx", "*", "zh;q=abc"]),
    })


def personas_of(endpoint: str, form: dict | None) -> list[str]:
    """Who sends the form: those whose pages show it, mostly the one the route is for."""
    blueprint = endpoint.split(".", 1)[0]
    meant = "anon" if endpoint in ("accounts.login", "accounts.register") else PERSONA_BY_BLUEPRINT.get(blueprint)
    seen = sorted(form["personas"]) if form and form["personas"] else []
    if meant and (not seen or meant in seen):
        return [meant] * 3 + [p for p in seen if p != meant]
    return seen or list(PERSONAS)


def send(make_client, world, method: str, url: str, example: dict, csrf_fields=()):
    """Send one example; returns the response. Prefixed CSRF fields (``staff-csrf_token``) get the real token."""
    client = make_client(clients_for(world)[example["persona"]])
    data = {name: value for name, value in example["fields"].items() if value is not OMIT}
    for name, value in example["extra"].items():
        data.setdefault(name, value)
    if method == "POST":
        data.update(dict.fromkeys(csrf_fields, client.token()))
    lang = example["lang"]
    if method == "GET":
        return client.get(url, query_string=data, htmx=example["encoding"] == "htmx", lang=lang)
    encoding = example["encoding"]
    if encoding == "json":
        body = {**data, "_": example["json"]}
        return client.http.post(url, json=body, headers={"X-CSRFToken": client.token(), "Accept-Language": lang})
    texts = sorted(name for name in data if not name.endswith("csrf_token"))
    if encoding == "multipart" and texts:
        data[texts[0]] = (io.BytesIO(str(data[texts[0]]).encode("utf-8", "replace")[:5000]), "x.txt")
        data["csrf_token"] = client.token()
        return client.http.post(url, data=data, content_type="multipart/form-data",
                                headers={"Accept-Language": lang})
    return client.post(url, data, htmx=encoding == "htmx", lang=lang)


def describe(response, method, url, example) -> str:
    shown = {k: (v if not isinstance(v, str) or len(v) < 60 else f"{v[:20]!r}…({len(v)} chars)")
             for k, v in example["fields"].items() if v is not OMIT}
    return (f"{method} {url} as {example['persona']} ({example['encoding']}) with {shown} extra={example['extra']}"
            f" → {response.status_code}: {response.get_data(as_text=True)[:300]}")


def fuzz(app, world, ids, make_client, method: str, endpoint: str, rule: str | None = None):
    forms = forms_of(app, world, ids, make_client)
    form = forms.get((method, endpoint))
    valid = valid_values(app, ids, endpoint)
    # No page shows a form for it (yet): every field name this file knows, each sent or not.
    fields = form["fields"] if form else {name: [] for name in valid}
    url = build_url(rule_of(endpoint, rule), endpoint, ids)
    strategy = request_strategy(fields, valid, personas_of(endpoint, form))
    csrf_fields = [name for name in fields if name.endswith("csrf_token") and name != "csrf_token"]

    @FUZZ_SETTINGS
    @given(example=strategy)
    def run(example):
        response = send(make_client, world, method, url, example, csrf_fields)
        event(f"{method} {endpoint} → {response.status_code}")  # --hypothesis-show-statistics shows the spread
        assert response.status_code < 500, describe(response, method, url, example)

    run()


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "rule"), POST_RULES, ids=[f"POST {r}" for _e, r in POST_RULES])
def test_every_post_form_survives_hostile_input(cast, app, make_client, endpoint, rule):
    world, ids = cast
    fuzz(app, world, ids, make_client, "POST", endpoint, rule)


@pytest.mark.parametrize("endpoint", GET_FORMS)
def test_every_get_form_survives_hostile_input(cast, app, make_client, endpoint):
    world, ids = cast
    forms = forms_of(app, world, ids, make_client)
    assert ("GET", endpoint) in forms, f"no GET form of {endpoint} found on any page"
    fuzz(app, world, ids, make_client, "GET", endpoint)


def test_other_get_forms_found_on_pages_survive_hostile_input(cast, app, make_client):
    """A GET form added later (a new filter) is fuzzed here until it is listed in GET_FORMS."""
    world, ids = cast
    forms = forms_of(app, world, ids, make_client)
    for method, endpoint in sorted(forms):
        if method == "GET" and endpoint not in GET_FORMS:
            fuzz(app, world, ids, make_client, "GET", endpoint)


@pytest.mark.parametrize("limits", [TIGHT_LIMITS], ids=["tight-limits"])
@pytest.mark.parametrize(("endpoint", "rule"), [r for r in POST_RULES if r[0] in RATE_LIMITED] +
                         [("rewards_merchant.lookup", "/merchant/lookup")], ids=lambda v: str(v))
def test_rate_limited_forms_survive_hostile_input_when_locked(cast, app, make_client, endpoint, rule):
    """The same, with tiny abuse limits, so most examples hit the "try again after …" answers."""
    world, ids = cast
    method = "GET" if endpoint == "rewards_merchant.lookup" else "POST"
    fuzz(app, world, ids, make_client, method, endpoint, rule)


@pytest.mark.parametrize(("endpoint", "rule", "method"), TEXT_ARGUMENT_RULES,
                         ids=[f"{m} {r}" for _e, r, m in TEXT_ARGUMENT_RULES])
def test_text_url_arguments_survive_hostile_input(cast, app, make_client, endpoint, rule, method):
    """Non-integer URL arguments (the voucher code in the QR code's URL) get random text too."""
    world, ids = cast
    target = rule_of(endpoint, rule)
    text_args = text_arguments(rule)
    personas = personas_of(endpoint, None)

    @FUZZ_SETTINGS
    @given(argument=values.filter(lambda v: v != ""), persona=st.sampled_from(personas), htmx=st.booleans())
    def run(argument, persona, htmx):
        template = build_url(target, endpoint, ids, dict.fromkeys(text_args, "ARGUMENT"))
        url = template.replace("ARGUMENT", quote(argument, safe=""))
        client = make_client(clients_for(world)[persona])
        response = client.get(url, htmx=htmx) if method == "GET" else client.post(url, htmx=htmx)
        assert response.status_code < 500, f"{method} {url} as {persona} → {response.status_code}"

    run()


def test_every_post_route_has_a_form_to_take_its_fields_from(cast, app, make_client):
    """Discovery works: each POST route's fields come from a real form (or the route is listed as form-less)."""
    world, ids = cast
    forms = forms_of(app, world, ids, make_client)
    missing = {endpoint for endpoint, _rule in POST_RULES if ("POST", endpoint) not in forms} - FORMLESS_POSTS
    assert missing == set(), "no page shows a form posting to these; add a page to the crawl or FORMLESS_POSTS"
    assert {"title", "description", "place", "starts_at", "places"} <= set(forms[
        ("POST", "volunteer_coordinate.new_task")]["fields"])


NEW_PASSWORD_FORMS = [
    ("anon", "/register", {"phone": "13912345678", "name": "赵佳楠", "trade": "courier", "platform": "美团"},
     "password"),
    ("coordinator", "/coordinate/accounts/new", {"phone": "13912345679", "name": "王建国"}, "password"),
    ("coordinator", "/coordinate/merchants/{merchant}/staff", {"staff-phone": "13912345670", "staff-name": "店员"},
     "staff-password"),
]


@pytest.mark.parametrize("length", [72, 73, 128, 129, 10_000])
@pytest.mark.parametrize(("persona", "url", "data", "field"), NEW_PASSWORD_FORMS,
                         ids=["register", "new-coordinator", "new-staff"])
def test_a_long_new_password_is_answered_not_a_500(cast, make_client, persona, url, data, field, length):
    """Found by the fuzzer: accounts/passwords.py calls zxcvbn(password[:100]), which raises ValueError
    for more than 72 characters, and the check also runs after Length(max=128) has refused the field,
    so a passphrase of 73-128 characters (allowed by the form) or any longer text is a 500."""
    world, ids = cast
    client = make_client(clients_for(world)[persona])
    password = ("Lantern-Quartz-" * 700)[:length]
    form = {**data, field: password}
    if field.startswith("staff-"):
        form["staff-csrf_token"] = client.token()
    response = client.post(url.format(merchant=ids.merchant), form)
    assert response.status_code in (303, 422), response.status_code
