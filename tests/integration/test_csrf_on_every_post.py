"""Every action (POST) of the permission table refuses a request without a CSRF token and writes nothing."""

import pytest
import sqlalchemy as sa

from extensions import db
from tests.integration.test_permissions import ROWS, permission_cast  # noqa: F401 - the table's cast, fixture "ids"

pytestmark = pytest.mark.route_crawl

PUBLIC_POSTS = {"/login", "/register", "/register/code", "/password/forgot", "/password/forgot/code", "/language"}
# Public pages whose form checks its own token: a missing or expired one re-shows the form as typed (422).
FORM_CHECKED = {"/login", "/register", "/password/forgot"}


def row_counts(ctx) -> dict[str, int]:
    with ctx() as session:
        return {t.name: session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


# Open311's POST is authenticated by its API key, not a session, so it takes no CSRF token (test_open311.py); so
# are API v1's by a bearer token (a session cookie is refused there with 401: test_api_tokens.py).
@pytest.mark.parametrize(("rule", "data"), [(r[1], r[3]) for r in ROWS if r[0] == "POST"
                                            and not r[1].startswith(("/open311/", "/api/"))])
def test_every_post_without_a_csrf_token_is_refused(ids, make_client, ctx, rule, data):
    """Logged in: 400. Anonymous (an expired session): sent to log in, except on the public forms, where the
    form comes back (422) or the public action is refused (400). Nothing is written either way."""
    world, values = ids
    before = row_counts(ctx)
    for user_id in (world.rider, world.coordinator, world.staff, world.admin):
        response = make_client(user_id).post(rule.format(**values), data, csrf=False)
        assert response.status_code == (302 if rule in FORM_CHECKED else 400), (user_id, response.status_code)
    anonymous = make_client().post(rule.format(**values), data, csrf=False)
    assert anonymous.status_code == (422 if rule in FORM_CHECKED else 400 if rule in PUBLIC_POSTS else 302)
    assert row_counts(ctx) == before

