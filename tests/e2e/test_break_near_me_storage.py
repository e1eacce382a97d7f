"""Junk in the remembered "near me" position (another version of the page, a hand edit) is ignored: the page
neither throws nor goes to a position that is not one."""

import pytest

from tests.e2e.conftest import TIMEOUT_MS

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("junk", ['{"lat": null, "lng": null, "at": NOW}',
                                  '{"lat": "31.87", "lng": "120.55", "at": NOW}',
                                  '{"lat": true, "lng": [], "at": NOW}', '{"at": NOW}', 'not json'])
def test_junk_in_the_remembered_position_is_ignored(live_server, browser, junk):
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/stations/")
    page.evaluate("junk => localStorage.setItem('nuanxin.places.origin', junk.replace('NOW', String(Date.now())))",
                  junk)
    page.goto(live_server + "/stations/")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    assert errors == []
    assert "lat=" not in page.url
    context.close()
