"""Measure the bytes of each main page: HTML + CSS as the server sends them to a browser asking for gzip.

    .venv/bin/python tools/page_bytes.py                   # this checkout
    .venv/bin/python tools/page_bytes.py --root /tmp/old   # another checkout (e.g. `git archive` of an older commit)

Loads the demo into a throwaway SQLite database, logs in as its personas with Flask's test client and
GETs each page with ``Accept-Encoding: gzip``. "sent" is the body as answered (compressed only if the
server compressed it); "gzip" is the HTML gzipped here at level 6, for comparison. CSS counts on every
page (a first visit); htmx is left out: it is cached after the first visit. Prints a Markdown table.
"""

import argparse
import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

GOAL = 14 * 1024
PERSONAS = {"rider": "13800000001", "merchant": "13700000001", "coordinator": "13900000001"}


def sent(client, url: str) -> tuple[int, bytes, dict]:
    """(status, body as sent, headers) of a GET asking for gzip."""
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    body = response.get_data()
    response.close()
    return response.status_code, body, response.headers


def plain(body: bytes, headers) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def first_link(client, url: str, pattern: str) -> str:
    _status, body, headers = sent(client, url)
    found = re.search(pattern, plain(body, headers).decode())
    if not found:
        raise SystemExit(f"no link matching {pattern} on {url}")
    return found.group(0)


def counter_page(rider, merchant) -> str:
    """``/merchant/vouchers/<code>`` of an open voucher of the rider's that the merchant's staff may confirm."""
    _status, body, headers = sent(rider, "/vouchers")
    for path in dict.fromkeys(re.findall(r"/vouchers/\d+", plain(body, headers).decode())):
        _status, body, headers = sent(rider, path)
        code = re.search(r'class="code"[^>]*>([\d \u00a0-]{16,})<', plain(body, headers).decode())
        if code:
            url = "/merchant/vouchers/" + re.sub(r"\D", "", code.group(1))
            if sent(merchant, url)[0] == 200:
                return url
    raise SystemExit("no open voucher of the demo merchant among the demo rider's vouchers")


def build(root: Path):
    sys.path.insert(0, str(root))
    os.chdir(root)
    from flask_migrate import upgrade

    from app import create_app

    folder = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bytes.db'}", "SECRET_KEY": "page-bytes",
                      "RATELIMIT_ENABLED": False, "STATIC_BUILD_DIR": str(folder / "static")})
    with app.app_context():
        upgrade(directory=str(root / "migrations"))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    if result.exit_code:
        raise SystemExit(result.output)
    return app


def pages(app) -> list[tuple[str, object, str]]:
    """(name, client, URL) of each main page, the ids found by following links as a person would."""
    clients = {}
    for role, phone in PERSONAS.items():
        client = clients[role] = app.test_client()
        client.set_cookie("lang", "zh")
        _status, body, headers = sent(client, "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', plain(body, headers).decode()).group(1)
        response = client.post("/login", data={"phone": phone, "password": "demo1234", "csrf_token": token})
        if response.status_code not in (302, 303):
            raise SystemExit(f"log-in as {role} failed: {response.status_code}")
    anonymous = app.test_client()
    anonymous.set_cookie("lang", "zh")
    rider, merchant, coordinator = clients["rider"], clients["merchant"], clients["coordinator"]
    return [
        ("task list", rider, "/tasks"),
        ("task page", rider, first_link(rider, "/tasks", r"/tasks/\d+")),
        ("my tasks", rider, "/my/tasks"),
        ("wallet", rider, "/wallet"),
        ("offers", rider, "/offers"),
        ("confirm screen", rider, first_link(rider, "/offers", r"/offers/\d+")),
        ("voucher", rider, first_link(rider, "/vouchers", r"/vouchers/\d+")),
        ("merchant counter", merchant, "/merchant/"),
        ("merchant confirm page", merchant, counter_page(rider, merchant)),
        ("stations near me", rider, "/stations/?lat=31.8746&lng=120.5536"),
        ("inbox", rider, "/inbox"),
        ("coordinator task list", coordinator, "/coordinate/tasks"),
        ("coordinator task page", coordinator, first_link(coordinator, "/coordinate/tasks", r"/coordinate/tasks/\d+")),
        ("log-in", anonymous, "/login"),
        ("register", anonymous, "/register"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    app = build(args.root.resolve())
    print("| page | URL | HTML | HTML gzip | HTML sent | CSS sent | HTML + CSS sent | ≤ 14 KB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, client, url in pages(app):
        status, body, headers = sent(client, url)
        html = plain(body, headers)
        if status != 200:
            raise SystemExit(f"{name} {url}: {status}")
        css_url = re.search(r'<link rel="stylesheet" href="([^"]+)"', html.decode()).group(1)
        _css_status, css, _css_headers = sent(client, css_url)
        total = len(body) + len(css)
        url_shown = re.sub(r"/\d+", "/<id>", url)
        print(f"| {name} | `{url_shown}` | {len(html):,} | {len(gzip.compress(html, 6)):,} | {len(body):,} "
              f"| {len(css):,} | {total:,} | {'yes' if total <= GOAL else 'no'} |")


if __name__ == "__main__":
    main()
