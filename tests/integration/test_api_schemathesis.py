"""schemathesis fuzzes API v1 in process (WSGI) against its own OpenAPI document, with seeded data and valid
tokens of both scopes: no answer is a server error, every answer's status, content type, headers and body
conform to the document, invalid input is refused (every default check of schemathesis but one:
``positive_data_acceptance`` is left out, since rules across fields that OpenAPI 3.0 cannot state, such as
"lat and lng together" or "start not after end", rightly refuse some schema-valid requests with 422).
Deterministic (derandomize) and kept short (30 examples an operation, no deadline). Confirming mutates: the
first valid confirm of the seeded code redeems it, later ones answer 409, as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from app import create_app
from extensions import db
from tests.api_factories import api_cast, bearer, platform_data
from tests.conftest import BASE_CONFIG


@pytest.fixture
def api_app(database_url):
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def api_tokens(api_app):
    from tests.factories import make_world

    with api_app.app_context():
        world = make_world()
        tokens = api_cast(world)
        platform_data(world)
    return tokens


OPERATIONS = [("GET", "/api/v1/till/vouchers/{code}"), ("POST", "/api/v1/till/confirmations"),
              ("GET", "/api/v1/platform/tasks"), ("GET", "/api/v1/platform/stations"),
              ("GET", "/api/v1/platform/reports/figures")]


def fuzz(operation, token: str) -> None:
    """Run ``operation``'s generated cases with ``token``, checking every answer against the document."""

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def keeps_to_the_document(case):
        # identity: the test client does not undo Flask-Compress as an HTTP client would
        case.call_and_validate(headers=bearer(token, **{"Accept-Encoding": "identity"}),
                               excluded_checks=[positive_data_acceptance])

    keeps_to_the_document()


def test_the_document_lists_exactly_these_operations(api_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    found = {(result.ok().method.upper(), result.ok().path) for result in schema.get_all_operations()}
    assert found == set(OPERATIONS)


# schemathesis' own pytest integration (``schemathesis.pytest.from_fixture``) fails under pytest 9 (it reads
# ``request.node._nodeid``), so each operation's strategy runs under Hypothesis here instead.
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_the_api_keeps_to_its_document(api_app, api_tokens, method, path):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    operation = schema[path][method]
    fuzz(operation, api_tokens.till if path.startswith("/api/v1/till/") else api_tokens.platform)
