"""Every visible string is translated; the language follows the browser, and the switch sticks."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "_n:1,2", "--ignore-dirs=.venv tests migrations", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def _complete(string) -> bool:
    """A translation is there: a plural entry (a tuple) needs every form, an empty form counts as missing."""
    return all(string) if isinstance(string, tuple) else bool(string)


def _forms(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_the_catalog_translates_every_string_in_the_code(extracted, locale):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale=locale)
    translated = {m.id for m in catalog if m.id and _complete(m.string) and "fuzzy" not in m.flags}
    missing = sorted(str(m) for m in extracted - translated)
    assert not missing, f"{locale} catalog misses {len(missing)} string(s); run `make messages`: {missing[:10]}"


def test_the_chinese_catalog_keeps_every_placeholder():
    import re

    with (ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f, locale="zh")
    pattern = re.compile(r"%\([a-z_]+\)[+]?[sd]")
    wrong = [m.id for m in catalog if m.id
             for form in _forms(m.string)
             if sorted(set(pattern.findall(_forms(m.id)[-1]))) != sorted(set(pattern.findall(form)))]
    assert not wrong


def test_chinese_is_the_default_and_english_follows_accept_language(client):
    assert "登录" in client.get("/login", lang="zh-CN,zh;q=0.9").get_data(as_text=True)
    assert "Log in" in client.get("/login", lang="en-US,en;q=0.8").get_data(as_text=True)
    assert "登录" in client.get("/login", lang="fr").get_data(as_text=True)


def test_the_language_switch_sticks_across_pages(client):
    response = client.post("/language", data={"lang": "en", "next": "/register"}, lang="zh-CN")
    assert response.status_code == 303 and response.headers["Location"] == "/register"
    page = client.get("/tasks", lang="zh-CN").get_data(as_text=True)
    assert "Volunteer tasks" in page and "<html lang=\"en\">" in page


def test_the_language_switch_is_a_full_navigation_so_html_lang_follows(client):
    page = client.get("/tasks", lang="zh-CN").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page
    # hx-boost would swap only the body and keep <html lang="zh-Hans">: the form opts out of it.
    assert re.search(r'<form class="lang" [^>]*hx-boost="false"', page)
    boosted = client.post("/language", data={"lang": "en", "next": "/tasks"}, htmx=True)
    assert boosted.status_code == 200 and boosted.headers["HX-Redirect"] == "/tasks"
    assert "lang=en" in boosted.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/tasks", lang="zh-CN").get_data(as_text=True)


def test_the_switch_refuses_an_outside_next_url(client):
    response = client.post("/language", data={"lang": "zh", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
