"""Take the README's screenshots: the demo on a throwaway database, at phone width, in both languages.

    .venv/bin/python tools/screenshots.py            # writes docs/screenshots/{zh,en}-*.png

Needs Debian's Chromium at /usr/bin/chromium and CJK fonts (fonts-noto-cjk) for readable Chinese.
"""

import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
OUT = ROOT / "docs" / "screenshots"


def serve() -> str:
    path = Path(tempfile.mkdtemp()) / "screens.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "screenshots"})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    app.test_cli_runner().invoke(args=["demo", "load"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def walk(browser, lang: str) -> None:
    """Walk the loop once in ``lang`` on a fresh demo, saving a screenshot of each main screen."""
    base = serve()

    def phone():
        context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2,
                                      locale="zh-CN" if lang == "zh" else "en-US")
        return context.new_page()

    def shot(page, name):
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / f"{lang}-{name}.png"))

    def log_in(page, phone_number):
        page.goto(base + "/login")
        page.fill("#phone", phone_number)
        page.fill("#password", "demo1234")
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    rider, staff, coordinator = phone(), phone(), phone()
    log_in(rider, "13800000001")
    rider.goto(base + "/tasks")
    shot(rider, "rider-tasks")
    rider.locator(".task-card .card-link").nth(1).click()
    shot(rider, "rider-task")
    rider.goto(base + "/wallet")
    shot(rider, "rider-wallet")
    rider.goto(base + "/offers")
    shot(rider, "rider-offers")
    rider.locator("section.merchant", has_text="暖新小厨").locator(".card-link").first.click()
    shot(rider, "rider-redeem-confirm")
    rider.locator(".confirm-box button").click()
    rider.wait_for_selector(".voucher .code")
    shot(rider, "rider-voucher")
    code = rider.locator(".voucher .code").inner_text()

    log_in(staff, "13700000001")
    staff.fill("#code", code)
    staff.click(".code-form button[type=submit]")
    staff.wait_for_selector("#merchant-voucher")
    shot(staff, "merchant-voucher")
    staff.click("#merchant-voucher form button")
    staff.wait_for_selector(".merchant-voucher.ok")
    shot(staff, "merchant-confirmed")
    rider.wait_for_selector(".big-status.ok", timeout=10_000)
    shot(rider, "rider-voucher-redeemed")
    staff.goto(base + "/merchant/")
    shot(staff, "merchant-today")

    log_in(coordinator, "13900000001")
    shot(coordinator, "coordinator-tasks")
    coordinator.get_by_role("link", name="暖新窝门口文明停车引导").first.click()  # the demo's task within the hour
    coordinator.wait_for_selector(".signups, #signups, h2")
    shot(coordinator, "coordinator-attendance")
    coordinator.goto(base + "/coordinate/tasks")
    coordinator.get_by_role("link", name="社区消防隐患排查").first.click()  # ended days ago: corrections still open
    coordinator.wait_for_selector("h2")
    shot(coordinator, "coordinator-attendance-correction")
    coordinator.goto(base + "/coordinate/tasks/new")
    coordinator.fill("#title", "小区夜间安全巡逻")
    coordinator.fill("#places", "0")
    coordinator.click("form.stack button[type=submit]")
    coordinator.wait_for_selector(".error")
    shot(coordinator, "coordinator-form-errors")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        for lang in ("zh", "en"):
            walk(browser, lang)
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
