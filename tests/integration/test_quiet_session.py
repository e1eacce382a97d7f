"""The addresses a browser fetches by itself, beside the page (``/sw.js``, the favicon, the manifest), never
answer with the session cookie: such an answer, started before a log-in and arriving after it, would put
the signed-out session back (the CI failure of stop 22: a rider signed in, then saw "log in to sign up")."""

import pytest

BY_ITSELF = ("/sw.js", "/favicon.ico", "/manifest.webmanifest")


@pytest.mark.parametrize("url", BY_ITSELF)
def test_a_fetch_the_browser_makes_by_itself_never_sets_the_session_cookie(make_client, url):
    client = make_client()
    client.get("/login")  # the log-in page starts a session: its CSRF token
    response = client.get(url)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    # the control: the same session on a page does get a cookie (Flask-Login marks it "not fresh"),
    # which is what made /sw.js dangerous before
    assert "Set-Cookie" in client.get("/tasks").headers

