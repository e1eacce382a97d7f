"""``make lighthouse``: Lighthouse's mobile scores of the main pages, logged in as the demo's rider and staff.

    .venv/bin/python tools/lighthouse.py            # prints a Markdown table (and what each page lost points on)
    .venv/bin/python tools/lighthouse.py --keep     # also keep the JSON reports (their folder is printed)

Loads the demo into a throwaway SQLite database, serves it with gunicorn exactly as in production
(``gunicorn.conf.py``, ``NUANXIN_ENV=production``; only ``SESSION_COOKIE_SECURE=0``, as this speaks plain
HTTP on 127.0.0.1), logs in over HTTP as the demo's rider (13800000001) and merchant staff (13700000001),
in Chinese, and runs Lighthouse 12 (``tools/lighthouse/``, pinned ``lighthouse@12.2.3``; ``make
lighthouse`` installs it with ``npm ci``) with Debian's Chromium (``/usr/bin/chromium``) in its default
mobile emulation (a mid-range phone, simulated slow 4G) on each page, the session cookie sent with
``--extra-headers``. The four categories: performance, accessibility, best practices, SEO; goal 95 each.
The voucher status poll (a 204) and the merchant's confirm (a POST) are not pages: their page is scored.
Only 127.0.0.1 is contacted; about 15 s a page.
"""

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser import Browser  # noqa: E402
from bench.servers import GunicornProcess  # noqa: E402

LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOAL = 95
RIDER, STAFF, PASSWORD = "13800000001", "13700000001", "demo1234"


def demo_database(folder: Path, env: dict) -> None:
    """Migrate a fresh SQLite database in ``folder`` and load the demo into it."""
    for args in (["db", "upgrade"], ["demo", "load"]):
        flask = str(ROOT / ".venv" / "bin" / "flask")
        result = subprocess.run([flask, "--app", "app", *args], cwd=ROOT, env=env,  # noqa: S603 - fixed arguments
                                capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def first(browser: Browser, path: str, pattern: str) -> str:
    """The first link on ``path`` matching ``pattern`` (as a person would follow it)."""
    status, page = browser.open(path)
    found = re.search(pattern, page)
    if status != 200 or not found:
        raise SystemExit(f"no link matching {pattern} on {path} ({status})")
    return found.group(0)


def pages(base: str) -> list[tuple[str, str, str]]:
    """(name, path, cookie) of each scored page; ids found by following links on the demo's pages."""
    rider, staff = Browser(base), Browser(base)
    rider.cookies["lang"] = staff.cookies["lang"] = "zh"
    rider.login(RIDER, PASSWORD, "/tasks")
    staff.login(STAFF, PASSWORD, "/merchant/")
    voucher, counter_page = first(rider, "/vouchers", r"/vouchers/\d+"), None
    _status, listing = rider.open("/vouchers")
    for path in dict.fromkeys(re.findall(r"/vouchers/\d+", listing)):  # an open voucher shows its code
        status, voucher_page = rider.open(path)
        code = re.search(r'class="code"[^>]*>([\d \u00a0-]{16,})<', voucher_page)
        if status == 200 and code:
            voucher = path
            counter = "/merchant/vouchers/" + re.sub(r"\D", "", code.group(1))
            if staff.open(counter)[0] == 200:  # a voucher of this staff's restaurant
                counter_page = counter
                break
    listed = [
        ("task list", "/tasks", rider.cookie),
        ("task page", first(rider, "/tasks", r"/tasks/\d+"), rider.cookie),
        ("wallet", "/wallet", rider.cookie),
        ("offers", "/offers", rider.cookie),
        ("voucher (its status poll)", voucher, rider.cookie),
        ("stations near me", "/stations/?lat=31.8746&lng=120.5536", rider.cookie),
        ("inbox", "/inbox", rider.cookie),
        ("merchant counter", "/merchant/", staff.cookie),
    ]
    if counter_page:
        listed.append(("merchant confirm page", counter_page, staff.cookie))
    else:
        print("no open voucher of the demo staff's restaurant: its confirm page is not scored", file=sys.stderr)
    return listed


def score(url: str, cookie: str, out: Path) -> dict:
    """Run Lighthouse on ``url``; return its JSON report (the ``lhr``)."""
    argv = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
            "--only-categories=" + ",".join(CATEGORIES), "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            "--extra-headers", json.dumps({"Cookie": cookie})]
    result = subprocess.run(argv, env={**os.environ, "CHROME_PATH": CHROMIUM},  # noqa: S603 - our own URLs
                            capture_output=True, text=True, timeout=240)
    if result.returncode or not out.exists():
        raise SystemExit(f"lighthouse failed on {url} ({result.returncode}):\n{result.stderr[-3000:]}")
    return json.loads(out.read_text())


def shortfalls(report: dict) -> list[str]:
    """The audits that cost points (in any category under 100): "category: audit title (score)"."""
    found = []
    for key in CATEGORIES:
        category = report["categories"][key]
        if category["score"] >= 1:
            continue
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit.get("score") is not None and audit["score"] < 1:
                found.append(f"{key}: {audit['title']} ({audit['score']:.2f})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the JSON reports")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: make lighthouse (npm ci in tools/lighthouse)")
    folder = Path(tempfile.mkdtemp(prefix="nuanxin-lighthouse."))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": secrets.token_hex(32),
           "NUANXIN_ENV": "production", "SESSION_COOKIE_SECURE": "0", "GUNICORN_WORKERS": "2",
           "STATIC_BUILD_DIR": str(folder / "static")}
    demo_database(folder, env)
    server = GunicornProcess(env=env, log_path=folder / "gunicorn.log", stop_signal=signal.SIGTERM)
    rows, notes = [], []
    try:
        server.start()
        if not server.wait_ready(60):
            raise SystemExit(f"gunicorn did not start: see {folder / 'gunicorn.log'}")
        for name, path, cookie in pages(server.url):
            report = score(server.url + path, cookie, folder / f"{len(rows):02d}.json")
            scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
            rows.append((name, re.sub(r"/\d+", "/<id>", path), scores))
            notes += [f"- {name}: {text}" for text in shortfalls(report)]
            print(f"{name}: {scores}", file=sys.stderr, flush=True)
    finally:
        server.stop()
    print("| page | URL | performance | accessibility | best practices | SEO | all ≥ 95 |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for name, path, scores in rows:
        ok = all(v >= GOAL for v in scores.values())
        cells = " | ".join(str(scores[k]) for k in CATEGORIES)
        print(f"| {name} | `{path}` | {cells} | {'yes' if ok else 'no'} |")
    if notes:
        print("\nWhere points were lost:\n")
        print("\n".join(notes))
    if args.keep:
        print(f"\nReports: {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
