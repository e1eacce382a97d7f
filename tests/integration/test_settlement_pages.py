"""Settlement pages: coordinators draw, issue and mark paid their organisation's merchants' statements; merchant
staff read and download their own issued ones; exports keep codes and formula-looking text as text."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from core.timeutil import utcnow
from rewards import settlement, vouchers
from rewards.settlement_models import Statement
from tests.factories import give_points, make_offer


def local_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the tests' TIMEZONE


LAST_MONTH = settlement.period_start_of("month", local_today() - timedelta(days=local_today().day + 1))


@pytest.fixture
def shop(world, ctx):
    """Two vouchers of the world's merchant (an offer titled "=1+1", ¥15.00) confirmed in the middle of last
    month; returns ``(world, codes)``."""
    from accounts.models import User

    with ctx() as session:
        offer = make_offer(world.merchant, title="=1+1", face_value_fen=1500, per_rider_limit=5)
        rider, staff = session.get(User, world.rider), session.get(User, world.staff)
        give_points(rider.id, 100)
        moment = utcnow().replace(microsecond=0) - timedelta(days=local_today().day + 10)
        codes = []
        for minutes in (0, 30):
            voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=moment + timedelta(minutes=minutes))
            vouchers.confirm_voucher(code=voucher.code, staff=staff, now=moment + timedelta(minutes=minutes + 5))
            codes.append(voucher.code)
        session.commit()
    return world, codes


def draw(client, world, period=None):
    return client.post("/coordinate/statements", {"merchant": str(world.merchant),
                                                  "period": period or f"month:{LAST_MONTH.isoformat()}"})


def the_statement(ctx):
    with ctx() as session:
        statement = session.scalar(sa.select(Statement))
        return statement.id, statement.status, statement.total_fen, statement.line_count


def test_a_coordinator_draws_last_months_statement_and_sees_its_lines(shop, make_client, ctx):
    world, codes = shop
    coordinator = make_client(world.coordinator)
    page = coordinator.get("/coordinate/statements").get_data(as_text=True)
    assert f'value="month:{LAST_MONTH.isoformat()}"' in page and "Draw the statement" in page
    response = draw(coordinator, world)
    assert response.status_code == 303
    statement_id, status, total, count = the_statement(ctx)
    assert (status, total, count) == ("draft", 3000, 2)
    assert response.location.endswith(f"/coordinate/statements/{statement_id}")
    page = coordinator.get(f"/coordinate/statements/{statement_id}").get_data(as_text=True)
    assert f"**** {codes[0][-4:]}" in page and codes[0] not in page
    assert "¥30.00" in page and "=1+1" in page and "Issue the statement" in page


def test_a_second_drawing_of_the_period_links_to_the_first(shop, make_client, ctx):
    world, _codes = shop
    assert draw(make_client(world.coordinator), world).status_code == 303
    statement_id = the_statement(ctx)[0]
    response = draw(make_client(world.admin), world)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "already been drawn" in page and f"/coordinate/statements/{statement_id}" in page


@pytest.mark.parametrize(("form", "words"), [
    ({"period": "month:2026-11-02"}, "Choose one of the periods offered."),
    ({"period": "week:not-a-day"}, "Choose one of the periods offered."),
    ({"period": ""}, "Choose one of the periods offered."),
    ({"merchant": ""}, "Choose a merchant."),
    ({"merchant": "99999"}, "Choose a merchant."),
])
def test_a_tampered_draw_form_is_refused_next_to_its_field(shop, make_client, ctx, form, words):
    world, _codes = shop
    data = {"merchant": str(world.merchant), "period": f"month:{LAST_MONTH.isoformat()}", **form}
    response = make_client(world.coordinator).post("/coordinate/statements", data)
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 0


def test_the_current_period_is_refused_with_the_day_it_can_be_drawn(shop, make_client):
    world, _codes = shop
    this_month = settlement.period_start_of("month", local_today())
    response = draw(make_client(world.coordinator), world, f"month:{this_month.isoformat()}")
    assert response.status_code == 422
    assert "has not ended yet: its statement can be drawn from" in response.get_data(as_text=True)


def test_another_organisations_coordinator_can_neither_draw_nor_see_it(shop, make_client, ctx):
    world, _codes = shop
    assert draw(make_client(world.other_coordinator), world).status_code == 422
    draw(make_client(world.coordinator), world)
    statement_id = the_statement(ctx)[0]
    other = make_client(world.other_coordinator)
    for url in (f"/coordinate/statements/{statement_id}", f"/coordinate/statements/{statement_id}.csv"):
        assert other.get(url).status_code == 404
    assert other.post(f"/coordinate/statements/{statement_id}/issue").status_code == 404
    assert "暖新小厨" not in other.get("/coordinate/statements").get_data(as_text=True)


def test_issue_then_pay_and_the_merchant_sees_only_issued_statements(shop, make_client, ctx):
    world, _codes = shop
    coordinator, staff = make_client(world.coordinator), make_client(world.staff)
    draw(coordinator, world)
    statement_id = the_statement(ctx)[0]
    assert staff.get(f"/merchant/statements/{statement_id}").status_code == 404  # a draft
    assert "No statements issued yet." in staff.get("/merchant/statements").get_data(as_text=True)
    assert coordinator.post(f"/coordinate/statements/{statement_id}/issue").status_code == 303
    again = coordinator.post(f"/coordinate/statements/{statement_id}/issue")
    assert again.status_code == 409 and "no longer a draft" in again.get_data(as_text=True)
    page = staff.get("/merchant/statements").get_data(as_text=True)
    assert f"/merchant/statements/{statement_id}" in page and "¥30.00" in page
    assert staff.get(f"/merchant/statements/{statement_id}").status_code == 200
    assert make_client(world.other_staff).get(f"/merchant/statements/{statement_id}").status_code == 404
    assert make_client(world.other_staff).get(f"/merchant/statements/{statement_id}.xlsx").status_code == 404

    pay = f"/coordinate/statements/{statement_id}/pay"
    today = local_today().isoformat()
    boosted = coordinator.post(pay, {"reference": "", "paid_on": today}, htmx=True,
                               headers={"HX-Boosted": "true"})
    assert boosted.status_code == 422 and 'id="reference-error"' in boosted.get_data(as_text=True)
    missing = coordinator.post(pay, {"reference": " ", "paid_on": today})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert 'id="reference-error"' in text and f'value="{today}"' in text
    future = coordinator.post(pay, {"reference": "BANK-1", "paid_on": (local_today() + timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "cannot be in the future" in future.get_data(as_text=True)
    assert 'value="BANK-1"' in future.get_data(as_text=True)
    assert coordinator.post(pay, {"reference": "BANK-1", "paid_on": today}).status_code == 303
    assert the_statement(ctx)[1] == "paid"
    page = staff.get(f"/merchant/statements/{statement_id}").get_data(as_text=True)
    assert "BANK-1" in page and "Paid" in page
    listed = coordinator.get("/coordinate/statements?status=paid").get_data(as_text=True)
    assert f"/coordinate/statements/{statement_id}" in listed
    assert f"/coordinate/statements/{statement_id}" not in coordinator.get(
        "/coordinate/statements?status=draft").get_data(as_text=True)


def test_the_csv_has_a_bom_defused_formulas_masked_codes_and_a_totals_row(shop, make_client, ctx):
    world, codes = shop
    coordinator = make_client(world.coordinator)
    draw(coordinator, world)
    statement_id = the_statement(ctx)[0]
    response = coordinator.get(f"/coordinate/statements/{statement_id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert f'filename="statement-{world.merchant}-month-{LAST_MONTH.isoformat()}.csv"' in disposition
    assert "filename*=UTF-8''%E6%9A%96%E6%96%B0%E5%B0%8F%E5%8E%A8" in disposition  # 暖新小厨
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = body.decode("utf-8-sig").splitlines()
    assert rows[0] == "Date and time,Line,Offer,Voucher code (masked),Amount (yuan)"
    assert rows[1].split(",")[1:] == ["Redemption", "'=1+1", f"**** {codes[0][-4:]}", "15.00"]
    assert rows[-1] == "Total,,,,30.00"
    assert all(code not in body.decode() for code in codes)
    chinese = coordinator.get(f"/coordinate/statements/{statement_id}.csv", lang="zh").data.decode("utf-8-sig")
    assert chinese.splitlines()[0] == "日期时间,类别,优惠,券码（隐去）,金额（元）"


def test_the_xlsx_keeps_codes_and_titles_as_text_and_amounts_as_numbers(shop, make_client, ctx):
    from openpyxl import load_workbook

    world, codes = shop
    coordinator = make_client(world.coordinator)
    draw(coordinator, world)
    statement_id = the_statement(ctx)[0]
    coordinator.post(f"/coordinate/statements/{statement_id}/issue")
    response = make_client(world.staff).get(f"/merchant/statements/{statement_id}.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["Date and time", "Line", "Offer", "Voucher code (masked)", "Amount (yuan)"]
    offer, code, amount = rows[1][2], rows[1][3], rows[1][4]
    assert (offer.value, offer.data_type) == ("=1+1", "s")
    assert (code.value, code.data_type) == (f"**** {codes[0][-4:]}", "s")
    assert (amount.value, amount.data_type, amount.number_format) == (15.0, "n", "0.00")
    assert [c.value for c in rows[-1]] == ["Total", None, None, None, 30.0]


def test_the_unclaimed_confirmations_are_shown_as_not_yet_on_a_statement(shop, make_client):
    world, _codes = shop
    page = make_client(world.staff).get("/merchant/statements").get_data(as_text=True)
    assert "Not yet on a statement: 2 confirmations · ¥30.00" in page
    page = make_client(world.coordinator).get(f"/coordinate/statements?merchant={world.merchant}")
    assert "Not yet on a statement: 2 confirmations · ¥30.00" in page.get_data(as_text=True)


def test_the_pages_link_each_other_and_read_in_chinese(shop, make_client, ctx):
    world, _codes = shop
    coordinator = make_client(world.coordinator)
    assert "/coordinate/statements" in coordinator.get("/coordinate/merchants").get_data(as_text=True)
    assert "/merchant/statements" in make_client(world.staff).get("/merchant/").get_data(as_text=True)
    draw(coordinator, world)
    statement_id = the_statement(ctx)[0]
    page = coordinator.get(f"/coordinate/statements/{statement_id}", lang="zh").get_data(as_text=True)
    assert "结算单" in page and "¥30.00" in page
