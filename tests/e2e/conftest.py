"""End-to-end fixtures: the app served on a free loopback port, Debian's Chromium driven by Playwright.

Outside CI a missing Chromium skips these tests with a loud message; under ``CI`` it fails them.
"""

import os
import shutil
import threading
import warnings

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app import create_app
from extensions import db
from tests.conftest import BASE_CONFIG

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session", autouse=True)
def chromium_present():
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    message = (f"\n\n{'!' * 70}\n!! END-TO-END TESTS NOT RUN: no Chromium at {CHROMIUM}.\n"
               f"!! Install it with: apt-get install -y chromium\n{'!' * 70}\n")
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    warnings.warn(message, stacklevel=1)
    pytest.skip(message)


TIMEOUT_MS = 10_000  # how long an action or an assertion waits for the page before it fails


@pytest.fixture(scope="session", autouse=True)
def assertions_wait_as_long_as_actions():
    """``expect`` waits 5 s by default, actions wait ``TIMEOUT_MS``: on a loaded machine a swap can take longer
    than 5 s to land, so assertions get the same patience as actions (each still returns as soon as it holds)."""
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def live_app(database_url):
    application = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "SERVER_NAME": None})
    yield application
    with application.app_context():  # close the server's connections before the next test resets the database
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Serve ``live_app`` on 127.0.0.1 at a free port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone_context(browser):
    """Open browser contexts the size of a phone (360 × 780) in a language."""
    contexts = []

    def open_context(lang: str):
        context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True, has_touch=True,
                                      locale="zh-CN" if lang == "zh" else "en-US")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()
