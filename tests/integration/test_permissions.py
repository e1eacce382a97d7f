"""One table: every route × every persona → the status they get. A new route fails the coverage test
until it is added here. The cross-organisation refusals are here too (``other_coordinator``); what
each of them leaves unchanged is proven in ``test_organisation_scope.py``."""

from datetime import timedelta

import pytest

from api.tokens import issue_token
from core.timeutil import utcnow
from notifications.services import notify
from rewards import vouchers
from tests.certificate_factories import certificate_cast
from tests.factories import give_points, make_station_and_exceptions
from tests.pass_factories import pass_cast
from tests.report_admin_cast import report_admin_cast
from tests.report_factories import report_cast
from tests.settlement_factories import make_statements
from volunteer import services

pytestmark = pytest.mark.route_crawl  # who may open what: the same on both databases (Makefile)
PERSONAS = ("anon", "rider", "coordinator", "other_coordinator", "staff", "other_staff", "admin",
            "department", "other_department", "building", "other_building")
# "coordinator" belongs to the organisation of the task, the merchant and the rider's sign-ups;
# "other_coordinator" to another one; "staff" works for the merchant, "other_staff" for another merchant.
# "department" (issue 12) works for the department the table's report is routed to, "other_department" for
# another one; a row that does not name them gives them what merchant staff get (see department_default).
# "building" (issue 14) checks passes at the world's organisation's partner building, "other_building" at the
# other organisation's; rows that do not name them give them what department staff get.
R = {"anon": 302, "rider": 200, "coordinator": 403, "other_coordinator": 403, "staff": 403, "other_staff": 403,
     "admin": 403}  # rider pages
C = {"anon": 302, "rider": 403, "coordinator": 200, "other_coordinator": 200, "staff": 403, "other_staff": 403,
     "admin": 403}  # any coordinator: tasks are an organisation's work
OWN = {**C, "other_coordinator": 403}  # the task's organisation (tasks are public: 403, not 404)
CODES = {**C, "other_coordinator": 404}  # a task's check-in codes: not even their screen exists for others
MANAGE = {**C, "admin": 200}  # coordinators (in their scope) and admins
SCOPED = {**MANAGE, "other_coordinator": 404}  # the organisation's merchant or rider: 404 elsewhere
ADMIN = {**R, "rider": 403, "admin": 200}  # the admin only
M = {"anon": 302, "rider": 403, "coordinator": 403, "other_coordinator": 403, "staff": 200, "other_staff": 200,
     "admin": 403}  # merchant staff


def only(status: int, base: dict) -> dict:
    """``base`` with the allowed personas' 200 replaced by ``status``."""
    return {p: (status if s == 200 else s) for p, s in base.items()}


PUBLIC = dict.fromkeys(PERSONAS, 200)
# a report: its reporter, the coordinators in whose scope it is, admins; anyone else learns nothing (404)
SEES_REPORT = {"anon": 302, "rider": 200, "coordinator": 200, "other_coordinator": 404, "staff": 404,
               "other_staff": 404, "admin": 200, "department": 200, "other_department": 404}
ANON_ONLY = {p: (200 if p == "anon" else 302) for p in PERSONAS}
USER = {p: (302 if p == "anon" else 200) for p in PERSONAS}  # every logged-in user: their own account
DEPARTMENT = {**dict.fromkeys(PERSONAS, 403), "anon": 302, "department": 200, "other_department": 200}
HANDLED = {**DEPARTMENT, "other_department": 404}  # only the department the report is routed to now
BUILDING = {**dict.fromkeys(PERSONAS, 403), "anon": 302, "building": 200, "other_building": 200}  # building staff


def department_default(rule: str, expected: dict) -> int:
    """What department staff get on a row that does not name them: what merchant staff get, except on the
    merchant's own pages (403)."""
    return 403 if rule.startswith("/merchant/") else expected["staff"]
TABLE = [
    ("GET", "/", dict.fromkeys(PERSONAS, 302)),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/favicon.ico", PUBLIC),
    ("GET", "/manifest.webmanifest", PUBLIC),
    ("GET", "/sw.js", PUBLIC),
    ("GET", "/login", ANON_ONLY),
    ("POST", "/login", only(422, ANON_ONLY)),
    ("GET", "/register", ANON_ONLY),
    ("POST", "/register", only(422, ANON_ONLY)),
    ("POST", "/register/code", only(422, ANON_ONLY)),
    ("GET", "/password/forgot", ANON_ONLY),
    ("POST", "/password/forgot", only(422, ANON_ONLY)),
    ("POST", "/password/forgot/code", only(422, ANON_ONLY)),
    ("GET", "/account/phone", {"anon": 302, **dict.fromkeys(PERSONAS[1:], 200)}),
    ("POST", "/account/phone", {"anon": 302, **dict.fromkeys(PERSONAS[1:], 422)}),
    ("POST", "/account/phone/code", {"anon": 302, **dict.fromkeys(PERSONAS[1:], 422)}),
    ("POST", "/logout", {p: (302 if p == "anon" else 303) for p in PERSONAS}),
    ("POST", "/language", dict.fromkeys(PERSONAS, 303)),
    ("GET", "/privacy", PUBLIC),
    ("GET", "/consent", USER),
    ("POST", "/consent", only(422, USER)),
    ("GET", "/account", USER),
    ("POST", "/account", only(422, USER)),
    ("POST", "/account/password", only(422, USER)),
    ("GET", "/account/data.json", USER),
    ("GET", "/account/delete", USER),
    ("POST", "/account/delete", only(422, USER)),
    ("POST", "/account/logout-everywhere", only(303, USER)),
    ("GET", "/tasks", PUBLIC),
    ("GET", "/tasks/{task}", PUBLIC),
    ("POST", "/tasks/{task}/signup", only(303, R)),
    ("POST", "/tasks/{signed_task}/cancel", only(303, R)),
    ("POST", "/tasks/{signed_task}/accept", only(303, R)),  # already confirmed: accepting again changes nothing
    ("POST", "/tasks/{task}/decline", only(404, R)),  # no sign-up of the rider's there
    # Check-in: a scanned link without a session checks its code at once (none here: 422; check-out is not open
    # yet: 409); a rider gets the confirmation page; other roles cannot check in.
    ("GET", "/tasks/{task}/check-in", {**only(200, R), "anon": 422}),
    ("GET", "/tasks/{task}/check-out", {**only(200, R), "anon": 409}),
    ("POST", "/tasks/{task}/check-in", only(422, R)),  # no code
    ("POST", "/tasks/{task}/check-out", only(409, R)),  # not open yet
    ("GET", "/my/tasks", R),
    ("GET", "/wallet", R),
    ("GET", "/wallet/balance", R),
    ("GET", "/offers", R),
    ("GET", "/offers/{offer}", R),
    ("GET", "/offers/restaurants/{merchant}", R),
    ("POST", "/offers/{offer}/redeem", only(303, R)),
    ("GET", "/vouchers", R),
    ("GET", "/vouchers/{voucher}", R),
    ("GET", "/vouchers/{voucher}/status", only(302, R)),
    ("GET", "/vouchers/{voucher}/card", R),  # the offline card: whole page, the owner's only
    ("POST", "/vouchers/{voucher}/cancel", only(303, R)),
    ("GET", "/coordinate/", C),
    ("GET", "/coordinate/tasks", C),
    ("GET", "/coordinate/tasks/new", C),
    ("POST", "/coordinate/tasks/new", only(422, C)),
    ("GET", "/coordinate/tasks/{task}", OWN),
    ("GET", "/coordinate/tasks/{task}/edit", OWN),
    ("POST", "/coordinate/tasks/{task}/edit", only(422, OWN)),
    ("POST", "/coordinate/tasks/{task}/cancel", only(303, OWN)),
    ("POST", "/coordinate/signups/{signup}/attendance", only(303, OWN), {"attended": "1"}),
    ("GET", "/coordinate/tasks/{signed_task}/attendance", OWN),
    ("POST", "/coordinate/tasks/{signed_task}/attendance", only(303, OWN)),  # not open yet: back to the task
    ("GET", "/coordinate/tasks/{task}/check-in", CODES),
    ("GET", "/coordinate/tasks/{task}/check-out", CODES),
    ("GET", "/coordinate/tasks/{task}/check-in/code", only(302, CODES)),  # a plain GET: to the screen
    ("GET", "/coordinate/tasks/{task}/check-out/code", only(302, CODES)),
    # issue 13: importing a list of tasks (tasks are an organisation's: coordinators only)
    ("GET", "/coordinate/tasks/import", C),
    ("POST", "/coordinate/tasks/import", only(422, C)),  # no file
    ("POST", "/coordinate/tasks/import/confirm", only(422, C)),  # no preview token
    ("GET", "/coordinate/tasks/import/template.csv", C),
    ("POST", "/coordinate/signups/{signup}/remove", only(303, OWN), {"reason": "多次爽约"}),
    ("POST", "/coordinate/signups/{signup}/rating", only(303, OWN), {"rating": "good"}),  # not attended: back
    ("GET", "/coordinate/merchants", MANAGE),
    ("GET", "/coordinate/merchants/new", MANAGE),
    ("POST", "/coordinate/merchants/new", only(422, MANAGE)),
    ("GET", "/coordinate/merchants/{merchant}", SCOPED),
    ("POST", "/coordinate/merchants/{merchant}", only(422, SCOPED)),
    ("POST", "/coordinate/merchants/{merchant}/staff", only(422, SCOPED)),
    ("GET", "/coordinate/merchants/{merchant}/offers/new", SCOPED),
    ("POST", "/coordinate/merchants/{merchant}/offers/new", only(422, SCOPED)),
    ("GET", "/coordinate/offers/{offer}/edit", SCOPED),
    ("POST", "/coordinate/offers/{offer}/edit", only(422, SCOPED)),
    ("GET", "/coordinate/riders/{rider}/points", SCOPED),
    ("POST", "/coordinate/riders/{rider}/adjustments", only(422, SCOPED)),
    ("GET", "/coordinate/accounts/", MANAGE),
    ("GET", "/coordinate/accounts/new", MANAGE),
    ("POST", "/coordinate/accounts/new", only(422, MANAGE)),
    ("POST", "/coordinate/accounts/{rider}/active", only(303, SCOPED), {"active": "0"}),
    ("POST", "/coordinate/accounts/{staff}/active", only(303, SCOPED), {"active": "0"}),
    # issue 13: importing a street office's rider list (an admin first picks the organisation: a POST without one
    # is the upload form again, 422); the preview token is missing here
    ("GET", "/coordinate/accounts/import", MANAGE),
    ("POST", "/coordinate/accounts/import", only(422, MANAGE)),  # no file
    ("POST", "/coordinate/accounts/import/confirm", only(422, MANAGE)),  # no preview token
    ("GET", "/coordinate/accounts/import/template.csv", MANAGE),
    ("GET", "/coordinate/audit/", MANAGE),
    # the dashboard (issue 13): coordinators see their organisation's figures, admins everything
    ("GET", "/dashboard/", MANAGE),
    ("GET", "/dashboard/figures.xlsx", MANAGE),
    ("GET", "/dashboard/charts/{chart}.svg", MANAGE),
    ("GET", "/admin/", ADMIN),
    ("GET", "/admin/organisations", ADMIN),
    ("GET", "/admin/organisations/new", ADMIN),
    ("POST", "/admin/organisations/new", only(422, ADMIN)),
    ("GET", "/admin/organisations/{organisation}", ADMIN),
    ("POST", "/admin/organisations/{organisation}", only(422, ADMIN), {"name": ""}),
    ("GET", "/merchant/", M),
    ("GET", "/merchant/confirmations", M),
    ("GET", "/merchant/lookup", only(422, M)),
    ("GET", "/merchant/vouchers/{code}", {**M, "other_staff": 403}),  # WrongMerchant: says nothing of whose
    ("POST", "/merchant/vouchers/{code}/confirm", {**M, "other_staff": 403}),
    # The voucher is issued, nothing to undo: the refusal is flashed on the voucher page (303).
    ("POST", "/merchant/vouchers/{code}/undo", {**only(303, M), "other_staff": 303}),
    ("GET", "/coordinate/merchants/{merchant}/vouchers", SCOPED),
    ("GET", "/coordinate/vouchers/{voucher}/cancel", SCOPED),
    ("POST", "/coordinate/vouchers/{voucher}/cancel", only(422, SCOPED)),  # no reason given
    ("POST", "/merchant/pause", only(303, M)),  # each staff pauses their own merchant's offers
    ("POST", "/merchant/resume", only(303, M)),
    ("GET", "/inbox", USER),
    ("GET", "/inbox/unread", USER),
    ("POST", "/inbox/read", only(303, USER)),
    ("GET", "/inbox/{notification}", {"anon": 302, **dict.fromkeys(PERSONAS[1:], 404), "rider": 303}),  # the rider's
    ("GET", "/inbox/settings", USER),
    ("POST", "/inbox/settings", only(303, USER)),  # no box ticked: nothing by SMS
    ("GET", "/admin/sms-outbox", ADMIN),
    ("GET", "/stations/", PUBLIC),  # public information: riders find a rest station logged in or not
    ("GET", "/stations/{station}", PUBLIC),
    ("GET", "/stations/map", dict.fromkeys(PERSONAS, 404)),  # no licensed tiles in the tests' settings
    # stations: import and export (an admin first picks the organisation: export without one is a 404)
    ("GET", "/coordinate/stations/export.{ext}", {**MANAGE, "admin": 404}),
    ("GET", "/coordinate/stations/import", MANAGE),
    ("POST", "/coordinate/stations/import", only(422, MANAGE)),  # no file
    ("POST", "/coordinate/stations/import/confirm", only(422, MANAGE)),  # no preview token
    # Stations (issue 11): managed like merchants; the station and its exceptions belong to "coordinator"'s org.
    ("GET", "/coordinate/stations/", MANAGE),
    ("GET", "/coordinate/stations/new", MANAGE),
    ("POST", "/coordinate/stations/new", only(422, MANAGE)),
    ("GET", "/coordinate/stations/{station}", SCOPED),
    ("POST", "/coordinate/stations/{station}", only(422, SCOPED)),
    ("POST", "/coordinate/stations/{station}/deactivate", only(303, SCOPED)),
    ("POST", "/coordinate/stations/{station}/reactivate", only(303, SCOPED)),
    ("GET", "/coordinate/stations/{station}/hours", SCOPED),
    ("POST", "/coordinate/stations/{station}/hours", only(303, SCOPED), {"holiday_rule": "weekly"}),
    ("POST", "/coordinate/stations/{station}/hours/exceptions", only(422, SCOPED)),
    ("POST", "/coordinate/stations/{station}/hours/exceptions/{station_exception}/delete", only(303, SCOPED)),
    ("GET", "/coordinate/merchants/{merchant}/hours", SCOPED),
    ("POST", "/coordinate/merchants/{merchant}/hours", only(303, SCOPED), {"holiday_rule": "weekly"}),
    ("POST", "/coordinate/merchants/{merchant}/hours/exceptions", only(422, SCOPED)),
    ("POST", "/coordinate/merchants/{merchant}/hours/exceptions/{merchant_exception}/delete", only(303, SCOPED)),
    # Reports (issue 12): the admins' set-up of the programme
    ("GET", "/admin/reports/", ADMIN),
    ("GET", "/admin/reports/departments/new", ADMIN),
    ("POST", "/admin/reports/departments/new", only(422, ADMIN)),
    ("GET", "/admin/reports/departments/{department}", ADMIN),
    ("POST", "/admin/reports/departments/{department}", only(422, ADMIN), {"name": ""}),
    ("GET", "/admin/reports/departments/{department}/staff/new", ADMIN),
    ("POST", "/admin/reports/departments/{department}/staff/new", only(422, ADMIN)),
    ("GET", "/admin/reports/categories", ADMIN),
    ("GET", "/admin/reports/categories/{category}", ADMIN),
    ("POST", "/admin/reports/categories/{category}", only(422, ADMIN), {"points": "-1"}),
    ("GET", "/admin/reports/keys", ADMIN),
    ("GET", "/admin/reports/keys/new", ADMIN),
    ("POST", "/admin/reports/keys/new", only(422, ADMIN)),
    ("POST", "/admin/reports/keys/{open311_key}/revoke", only(303, ADMIN)),
    # Open311 (JSON for city platforms): reading is public; filing needs an API key, not a session (no key: 403)
    # API v1 (issue 15): admins issue and revoke tokens; the API itself takes a bearer token, never a session cookie,
    # so every persona's browser gets 401 (the API's own tests: test_api_tokens.py, test_api_till.py, …)
    ("GET", "/admin/api/tokens/", ADMIN),
    ("POST", "/admin/api/tokens/", only(422, ADMIN)),  # no name
    ("POST", "/admin/api/tokens/{api_token}/revoke", only(303, ADMIN)),
    ("GET", "/api/v1/openapi.json", PUBLIC),
    ("GET", "/api/v1/till/vouchers/{code}", dict.fromkeys(PERSONAS, 401)),
    ("POST", "/api/v1/till/confirmations", dict.fromkeys(PERSONAS, 401)),
    ("GET", "/api/v1/platform/tasks", dict.fromkeys(PERSONAS, 401)),
    ("GET", "/api/v1/platform/stations", dict.fromkeys(PERSONAS, 401)),
    ("GET", "/api/v1/platform/reports/figures", dict.fromkeys(PERSONAS, 401)),
    ("GET", "/open311/v2/services.json", PUBLIC),
    ("GET", "/open311/v2/requests.json", PUBLIC),
    ("GET", "/open311/v2/requests/{report_none}.json", dict.fromkeys(PERSONAS, 404)),  # no report in this cast
    ("POST", "/open311/v2/requests.json", dict.fromkeys(PERSONAS, 403)),
    # Reports, the rider's side (issue 12): "report" is the rider's own open report, in "coordinator"'s organisation.
    ("GET", "/reports/", R),
    ("GET", "/reports/new", R),
    ("POST", "/reports/new", only(422, R)),  # no category, no photo
    ("GET", "/reports/similar", only(302, R)),  # a fragment for htmx: a plain GET goes to the form
    ("GET", "/reports/similar/{report}/photo.jpg", R),  # open, under 14 days, not food safety: any rider
    ("POST", "/reports/{report}/support", only(303, R)),  # their own report: refused with a message
    ("GET", "/reports/{report}", SEES_REPORT),
    ("GET", "/reports/photos/{report_photo}.jpg", SEES_REPORT),
    ("POST", "/reports/{report}/confirm", only(303, R)),  # not resolved yet: refused with a message
    ("POST", "/reports/{report}/reopen", only(303, R)),
    # Reports (issue 12), staff pages: {report} lies in "coordinator"'s organisation and is routed to "department".
    ("GET", "/coordinate/reports/", MANAGE),
    ("GET", "/coordinate/reports/figures", MANAGE),
    ("GET", "/coordinate/reports/{report}", SCOPED),
    ("POST", "/coordinate/reports/{report}/accept", only(303, SCOPED)),  # routed already: the refusal is flashed
    ("POST", "/coordinate/reports/{report}/route", only(422, SCOPED)),  # no department chosen
    ("POST", "/coordinate/reports/{report}/category", only(422, SCOPED)),  # no category chosen
    ("POST", "/coordinate/reports/{report}/reject", only(422, SCOPED)),  # no reason
    ("POST", "/coordinate/reports/{report}/verify", only(303, SCOPED)),  # not resolved: the refusal is flashed
    ("GET", "/department/reports/", DEPARTMENT),
    ("GET", "/department/reports/{report}", HANDLED),
    ("POST", "/department/reports/{report}/resolve", only(422, HANDLED)),  # no note, no photo
    ("POST", "/department/reports/{report}/reject", only(422, HANDLED)),  # no reason
    ("POST", "/department/reports/{report}/category", only(422, HANDLED)),  # no category chosen
    # Settlement (issue 13): {statement} is the merchant's issued statement, {draft_statement} its draft.
    ("GET", "/coordinate/statements", MANAGE),
    ("POST", "/coordinate/statements", only(422, MANAGE)),  # no merchant chosen
    ("GET", "/coordinate/statements/{statement}", SCOPED),
    ("GET", "/coordinate/statements/{statement}.{ext}", SCOPED),
    ("POST", "/coordinate/statements/{draft_statement}/issue", only(303, SCOPED)),
    ("POST", "/coordinate/statements/{statement}/pay", only(422, SCOPED)),  # no reference
    ("GET", "/merchant/statements", M),
    ("GET", "/merchant/statements/{statement}", {**M, "other_staff": 404}),
    ("GET", "/merchant/statements/{statement}.{ext}", {**M, "other_staff": 404}),
    # Certificates of service (issue 13): {certificate} is the rider's, listing a task of "coordinator"'s
    # organisation; the rider's service is unchanged since, so issuing again reopens it (303).
    ("GET", "/certificates/", R),
    ("POST", "/certificates/", only(303, R)),
    ("GET", "/certificates/{certificate}", {**dict.fromkeys(PERSONAS, 404), "anon": 302, "rider": 200}),
    ("GET", "/certificates/verify/{certificate_token}", PUBLIC),  # anyone who scans the QR code, logged in or not
    ("GET", "/certificates/issued", MANAGE),
    ("GET", "/certificates/{certificate}/revoke", SCOPED),
    ("POST", "/certificates/{certificate}/revoke", only(422, SCOPED)),  # no reason
    # issue 13: recognition (the score, pioneers, the weights); a mark belongs to a coordinator's organisation
    ("GET", "/recognition/", R),
    ("GET", "/coordinate/recognition/", MANAGE),
    ("GET", "/coordinate/recognition/{rider}", SCOPED),
    ("POST", "/coordinate/recognition/{rider}/pioneer", {**only(303, SCOPED), "admin": 403}, {"reason": "带头劝导"}),
    ("POST", "/coordinate/recognition/{rider}/pioneer/withdraw", {**only(303, SCOPED), "admin": 403},
     {"reason": "已调离"}),  # no mark in force: refused with a message, back to the rider's page
    ("GET", "/admin/recognition/", ADMIN),
    ("POST", "/admin/recognition/", only(422, ADMIN)),
    # The Haitang pass (issue 14): {building} is "coordinator"'s organisation's partner building, where "building"
    # checks passes ("other_building" at the other organisation's); {pass_token}/{pass_code}: the rider's of today.
    ("GET", "/pass/", R),
    ("GET", "/building/check", BUILDING),
    ("POST", "/building/check", only(422, BUILDING)),  # no code typed
    ("GET", "/building/check/{pass_token}", BUILDING),
    ("GET", "/building/entries", BUILDING),
    ("GET", "/building/entries.{ext}", BUILDING),
    ("GET", "/coordinate/buildings/", MANAGE),
    ("GET", "/coordinate/buildings/figures", MANAGE),
    ("GET", "/coordinate/buildings/figures.{ext}", MANAGE),
    ("GET", "/coordinate/buildings/{building}/staff", SCOPED),
    ("POST", "/coordinate/buildings/{building}/staff", only(422, SCOPED)),  # no name, phone or password
    ("POST", "/coordinate/buildings/{building}/staff/{building_staff}/remove", only(303, SCOPED)),
]


@pytest.fixture(name="ids")
def permission_cast(world, ctx, app):
    """The cast plus a sign-up, points and a voucher for the rider."""
    from accounts.models import User
    from rewards.models import Offer
    from tests.factories import make_task
    from volunteer.models import Task

    with ctx() as session:
        rider = session.get(User, world.rider)
        give_points(rider.id, 100)
        starts = session.get(Task, world.task).ends_at + timedelta(hours=1)  # after the world's task
        signed = make_task(world.org, world.coordinator, title="已报名的任务", starts_at=starts,
                           ends_at=starts + timedelta(hours=2))
        signup = services.sign_up(task=signed, rider=rider)
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=rider)
        note = notify(user_id=rider.id, kind="checked_in", params={"title": "已报名的任务"}, link="/my/tasks")
        station, station_exception, merchant_exception = make_station_and_exceptions(world)
        report_admin = report_admin_cast(world.admin)
        report_values = report_cast(world)
        statements = make_statements(world)
        certificate = certificate_cast(world, utcnow())
        passes = pass_cast(world)
        api_token, _secret = issue_token(name="张家港12345平台", scope="platform", actor=session.get(User, world.admin))
        session.commit()
        assert session.get(Task, world.task).taken == 0
        values = {"task": world.task, "signed_task": signed.id, "signup": signup.id, "offer": world.offer,
                  "voucher": voucher.id, "code": voucher.code, "merchant": world.merchant, "rider": world.rider,
                  "staff": world.staff, "organisation": world.org, "notification": note.id,
                  "station": station.id, "station_exception": station_exception.id,
                  "merchant_exception": merchant_exception.id, "ext": "xlsx", "report_none": 999999, "chart": "signups",
                  "statement": statements.issued, "draft_statement": statements.draft,
                  **report_values, **report_admin, "certificate": certificate.certificate,
                  "certificate_token": certificate.token, **passes,
                  "api_token": api_token.id}
    return world, values


ROWS = [(*row, {})[:4] for row in TABLE]
# A page (GET) changes nothing, so one database and cast serve every persona of its row; an action (POST) gets
# a fresh one per persona, since one persona's success would change what the next one finds.
GET_ROWS = [row for row in ROWS if row[0] == "GET"]
POST_ROWS = [row for row in ROWS if row[0] != "GET"]


def persona_ids(world, values) -> dict:
    return {"anon": None, "rider": world.rider, "coordinator": world.coordinator,
            "other_coordinator": world.other_coordinator, "staff": world.staff, "other_staff": world.other_staff,
            "admin": world.admin, "department": values["department_staff"],
            "other_department": values["other_department_staff"], "building": values["building_staff"],
            "other_building": values["other_building_staff"]}


def wanted_status(persona: str, rule: str, expected: dict) -> int:
    return expected[persona] if persona in expected else department_default(rule, expected)


@pytest.mark.parametrize(("method", "rule", "expected", "data"), GET_ROWS, ids=[f"{r[0]} {r[1]}" for r in GET_ROWS])
def test_each_persona_gets_the_expected_page(ids, make_client, method, rule, expected, data):
    world, values = ids
    url = rule.format(**values)
    people = persona_ids(world, values)
    got = {persona: make_client(user_id).get(url).status_code for persona, user_id in people.items()}
    assert got == {persona: wanted_status(persona, rule, expected) for persona in PERSONAS}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "rule", "expected", "data"), POST_ROWS, ids=[f"{r[0]} {r[1]}" for r in POST_ROWS])
def test_each_persona_gets_the_expected_status(ids, make_client, persona, method, rule, expected, data):
    world, values = ids
    client = make_client(persona_ids(world, values)[persona])
    response = client.post(rule.format(**values), data)
    assert response.status_code == wanted_status(persona, rule, expected), response.get_data(as_text=True)[:500]


def test_the_table_covers_every_route(app):
    import re

    def generic(rule: str) -> str:
        return re.sub(r"<[^>]+>|\{[^}]+\}", "{x}", rule)

    routes = {(method, generic(rule.rule)) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(row[0], generic(row[1])) for row in TABLE}
    assert routes - covered == set(), "add these routes to TABLE"
