"""The language switch in a real browser: the whole page, <html lang> included, follows the new language."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_switching_language_changes_the_html_lang_attribute(live_server, phone_context):
    page = phone_context("zh")
    page.goto(live_server + "/tasks")
    page.get_by_role("link", name="登录").click()  # a boosted navigation first: the switch is on a swapped body
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="中文")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
