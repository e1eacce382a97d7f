"""The dashboard's pages through the test client: a coordinator sees their organisation's figures only, an admin
everything or one organisation, bad input comes back as the form with the message and the input kept (422),
the XLSX opens with numbers as numbers, and each chart is an SVG image with no script and its own CSP."""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from core.timeutil import at_local
from extensions import db
from tests import factories
from volunteer.models import Signup

MARCH = "from=2025-03-01&to=2025-03-31"  # long before the cast's own tasks (around today)


@pytest.fixture
def served(world, ctx):
    """Verified service in March 2025: 90 minutes for a task of the world's organisation, 120 for one of the
    other organisation; a voucher of 15 yuan redeemed at the organisation's merchant."""
    from rewards.models import Voucher

    with ctx():
        for org, coordinator, minutes, rider in ((world.org, world.coordinator, 90, world.rider),
                                                 (world.other_org, world.other_coordinator, 120, world.rider2)):
            starts = at_local(date(2025, 3, 10), 9)
            task = factories.make_task(org, coordinator, starts_at=starts, ends_at=starts + timedelta(hours=3))
            db.session.add(Signup(task_id=task.id, rider_id=rider, status="attended", queued_at=starts,
                                  attendance_method="verified", verified_minutes=minutes))
        redeemed = at_local(date(2025, 3, 12), 12)
        db.session.add(Voucher(code="1234567812345678", offer_id=world.offer, merchant_id=world.merchant,
                               rider_id=world.rider, status="redeemed", points_cost=30, face_value_fen=1500,
                               issued_at=redeemed, expires_at=redeemed + timedelta(days=7), redeemed_at=redeemed,
                               redeemed_by_id=world.staff))
        db.session.commit()
    return world


def card(html: str, label: str) -> str:
    """The value shown on the card labelled ``label``."""
    shown = rf'<span class="dash-label">{re.escape(label)}</span> <strong class="dash-value">([^<]*)</strong>'
    match = re.search(shown, html)
    assert match, f"no card {label!r}"
    return match.group(1)


def test_a_coordinator_sees_their_organisations_figures_only(served, make_client):
    html = make_client(served.coordinator).get(f"/dashboard/?{MARCH}").get_data(as_text=True)
    assert card(html, "Verified hours") == "1.5"
    assert card(html, "Tasks held") == "1"
    assert card(html, "Vouchers redeemed (yuan)") == "15.00"
    assert "暖新小厨" in html and "港城面馆" not in html
    other = make_client(served.other_coordinator).get(f"/dashboard/?{MARCH}").get_data(as_text=True)
    assert card(other, "Verified hours") == "2" and card(other, "Vouchers redeemed (yuan)") == "0.00"


def test_an_admin_sees_everything_or_the_organisation_chosen(served, make_client):
    admin = make_client(served.admin)
    html = admin.get(f"/dashboard/?{MARCH}").get_data(as_text=True)
    assert card(html, "Verified hours") == "3.5" and card(html, "Tasks held") == "2"
    chosen = admin.get(f"/dashboard/?{MARCH}&organisation={served.other_org}").get_data(as_text=True)
    assert card(chosen, "Verified hours") == "2"
    assert f'<option value="{served.other_org}" selected>' in chosen
    assert f"organisation={served.other_org}" in chosen  # the XLSX and chart links keep the choice


def test_the_page_links_to_the_audit_trail_ranking_statements_and_the_xlsx(served, make_client):
    html = make_client(served.coordinator).get("/dashboard/?preset=last_month").get_data(as_text=True)
    for href in ("/coordinate/audit/", "/coordinate/recognition/", "/coordinate/statements",
                 "/dashboard/figures.xlsx?preset=last_month", "/dashboard/charts/signups.svg?preset=last_month"):
        assert f'href="{href}"' in html or f'src="{href}"' in html, href
    assert 'aria-current="page">Last month<' in html


def test_chinese_shows_the_same_figures_in_chinese(served, make_client):
    html = make_client(served.coordinator).get(f"/dashboard/?{MARCH}", lang="zh").get_data(as_text=True)
    assert "数据看板" in html and card(html, "核验志愿时长") == "1.5"


@pytest.mark.parametrize(("query", "kept", "field"), [
    ("from=2026-13-45&to=2026-11-30", 'value="2026-13-45"', "dash-from-error"),
    ("from=2026-11-30&to=2026-11-01", 'value="2026-11-01"', "dash-to-error"),
    ("from=2020-01-01&to=2026-11-30", 'value="2020-01-01"', "dash-to-error"),  # longer than the maximum
    ("from=2026-11-01&to=", 'value="2026-11-01"', "dash-to-error"),
    ("preset=forever", "", ""),
])
def test_bad_dates_give_the_form_back_with_the_message_and_the_input(served, make_client, query, kept, field):
    response = make_client(served.coordinator).get(f"/dashboard/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert kept in html and (not field or f'id="{field}"' in html)
    assert 'class="dash-value"' not in html  # no figures for a period that was not understood
    assert make_client(served.coordinator).get(f"/dashboard/figures.xlsx?{query}").status_code == 422
    assert make_client(served.coordinator).get(f"/dashboard/charts/hours.svg?{query}").status_code == 422


def test_an_unknown_organisation_is_refused_for_an_admin_and_ignored_for_a_coordinator(served, make_client):
    response = make_client(served.admin).get(f"/dashboard/?{MARCH}&organisation=999999")
    assert response.status_code == 422 and 'id="dash-organisation-error"' in response.get_data(as_text=True)
    mine = make_client(served.coordinator).get(f"/dashboard/?{MARCH}&organisation={served.other_org}")
    assert mine.status_code == 200 and card(mine.get_data(as_text=True), "Verified hours") == "1.5"


def test_the_xlsx_holds_every_figure_with_numbers_as_numbers(served, make_client):
    response = make_client(served.coordinator).get(f"/dashboard/figures.xlsx?{MARCH}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = {(row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("Figures", "Verified hours")] == 1.5
    assert rows[("Figures", "Tasks held")] == 1 and isinstance(rows[("Figures", "Tasks held")], int)
    assert rows[("Figures", "Vouchers redeemed, face value")] == 15.0
    assert rows[("Figures", "Attendance rate")] == 100.0  # a percentage: 1 attended of 1 marked
    assert rows[("Vouchers redeemed by merchant", "暖新小厨")] in (1, 15.0)
    assert rows[("Period", "First day")] == "2025-03-01"
    assert rows[("Sign-ups per day", "2025-03-10")] == 1
    assert sum(1 for key in rows if key[0] == "Sign-ups per day") == 31


@pytest.mark.parametrize("chart", ["signups", "hours", "vouchers"])
def test_each_chart_is_an_svg_without_script_under_its_own_policy(served, make_client, chart):
    response = make_client(served.coordinator).get(f"/dashboard/charts/{chart}.svg?{MARCH}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy


def test_an_unknown_chart_is_not_found(served, make_client):
    assert make_client(served.admin).get("/dashboard/charts/everything.svg").status_code == 404


def test_the_page_keeps_the_sites_policy(served, make_client):
    response = make_client(served.coordinator).get("/dashboard/")
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
