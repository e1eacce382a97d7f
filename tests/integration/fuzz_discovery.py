"""Where the form fuzzer aims (see :mod:`tests.integration.test_fuzz_forms`): the app's routes, the URL of
each with the cast's ids in its arguments, and the forms found on every page each persona can open, with
their field names and the values the pages put in them.
"""

import itertools
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException

from app import create_app
from tests.conftest import BASE_CONFIG


def _url_map():
    """The routes, read from an app that is never served (no database is opened)."""
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).url_map


URL_MAP = _url_map()
# API v1 (issue 15) takes JSON and a bearer token, not forms: schemathesis fuzzes it against its OpenAPI document
# (tests/integration/test_api_schemathesis.py), so the form fuzzer leaves /api/ out.
API_PREFIX = "/api/"
POST_RULES = sorted({(r.endpoint, r.rule) for r in URL_MAP.iter_rules()
                     if "POST" in r.methods and not r.rule.startswith(API_PREFIX)})
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def text_arguments(rule: str) -> list[str]:
    """The names of a rule's URL arguments that take text (``<code>``, ``<string:x>``, ``<path:x>``); an
    ``<any(a, b):x>`` takes only its listed words (a URL cannot even be built with others)."""
    return [name for converter, name in ARGUMENT.findall(rule) if converter not in ("int", "float", "uuid", "any")]


TEXT_ARGUMENT_RULES = sorted({(r.endpoint, r.rule, method) for r in URL_MAP.iter_rules()
                              if r.endpoint != "static" and not r.rule.startswith(API_PREFIX)
                              for method in (r.methods or set()) & {"GET", "POST"} if text_arguments(r.rule)})


def argument_values(ids) -> dict[str, list]:
    """Candidate values of each URL argument name (the first is the default)."""
    return {"task_id": [ids.task, ids.signed_task], "signup_id": [ids.signup], "offer_id": [ids.offer],
            "voucher_id": [ids.voucher], "merchant_id": [ids.merchant], "rider_id": [ids.rider],
            "code": [ids.code], "user_id": [ids.rider], "organisation_id": [ids.org],
            "direction": ["in"],  # the check-in page's route default (check-out is the same view)
            "station_id": [ids.station, ids.inactive_station],
            "exception_id": [ids.station_exception, ids.merchant_exception],
            "ext": ["csv", "xlsx"],  # the stations export: a file, either format
            "department_id": [ids.department], "category_id": [ids.category], "key_id": [ids.open311_key],
            "report_id": [getattr(ids, "report", 1)],  # issue 12: a report routed to a department
            # issue 13: the merchant's draft statement (its page has the issue form), then its issued one (pay)
            "statement_id": [getattr(ids, "draft_statement", 1), getattr(ids, "statement", 1)],
            "certificate_id": [getattr(ids, "certificate", 1)],  # issue 13: the rider's certificate of service
            # issue 13: a certificate's public token; issue 14: the rider's day pass (the scanned check page)
            "token": [getattr(ids, "certificate_token", "x"), getattr(ids, "pass_token", "x")],
            "token_id": [getattr(ids, "api_token", 1)]}  # issue 15: an API token (the admin revokes it)


# Endpoints whose deeper code needs another value than the default (the rider's own sign-up).
PREFERRED_ARGUMENTS = {"volunteer.cancel_signup": {"task_id": "signed_task"},
                       "volunteer.accept_offer": {"task_id": "held_task"},
                       "volunteer.decline_offer": {"task_id": "held_task"},
                       "volunteer_coordinate.mark_all_attended": {"task_id": "signed_task"},
                       "rewards_coordinate.remove_merchant_hours_exception": {"exception_id": "merchant_exception"},
                       "rewards_coordinate.pay_statement": {"statement_id": "statement"},
                       "passes_staff.check_token": {"token": "pass_token"}}


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
    return {"anon": None, "rider": world.rider, "coordinator": world.coordinator, "staff": world.staff,
            "admin": world.admin, "building": getattr(world, "building", None)}  # issue 14: a building's guard

# --- finding the forms ------------------------------------------------------------------------


class FormFinder(HTMLParser):
    """Every ``<form>`` of a page: its action, method and fields (with the values the page put there); a submit
    button with its own ``formaction`` (or ``hx-post``) counts as one more form with the same fields."""

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
        other_action = a.get("formaction") or a.get("hx-post")
        if tag in ("input", "button") and other_action and tag != "form":
            # A button that posts the whole form elsewhere ("send code"): one more form, the same fields.
            self.forms.append({"action": other_action, "method": "POST", "fields": self.current["fields"]})
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
            if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint.endswith("_status") \
                    or rule.rule.startswith(API_PREFIX):
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
