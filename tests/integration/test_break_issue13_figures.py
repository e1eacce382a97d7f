"""Issue 13 cross-checked: on data the test creates, the dashboard's voucher and points figures (page and XLSX)
add up with the statement drawn for the same month and with the points ledger."""

import io
import re
from datetime import date, timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from accounts.models import User
from core.timeutil import at_local
from extensions import db
from points import ledger
from points.models import LedgerEntry
from rewards import settlement, vouchers
from rewards.models import Merchant
from tests.factories import link_rider, make_offer

MARCH = "from=2025-03-01&to=2025-03-31"


def card(html: str, label: str) -> str:
    shown = rf'<span class="dash-label">{re.escape(label)}</span> <strong class="dash-value">([^<]*)</strong>'
    return re.search(shown, html).group(1)


def test_the_dashboard_the_statement_and_the_ledger_agree(world, ctx, make_client):
    with ctx():
        rider, staff = db.session.get(User, world.rider), db.session.get(User, world.staff)
        other_staff = db.session.get(User, world.other_staff)
        link_rider(rider.id, world.org, world.coordinator)
        start = at_local(date(2025, 3, 3), 9)
        ledger.post_entry(rider_id=rider.id, amount=200, kind="adjustment", reason="期初", now=start)
        for day, merchant_id, fen, cost, who in ((5, world.merchant, 1500, 30, staff),
                                                 (12, world.merchant, 1250, 25, staff),
                                                 (20, world.other_merchant, 800, 16, other_staff)):
            offer = make_offer(merchant_id, title=f"套餐{fen}", face_value_fen=fen, points_cost=cost)
            moment = at_local(date(2025, 3, day), 12)
            voucher = vouchers.redeem_offer(offer=offer, rider=rider, now=moment - timedelta(hours=1))
            vouchers.confirm_voucher(code=voucher.code, staff=who, now=moment)
        statement = settlement.draw_statement(merchant=db.session.get(Merchant, world.merchant), period_kind="month",
                                              period_start=date(2025, 3, 1),
                                              actor=db.session.get(User, world.coordinator))
        db.session.commit()
        statement_fen = statement.total_fen
        march = (LedgerEntry.rider_id == rider.id, LedgerEntry.created_at >= at_local(date(2025, 3, 1), 0),
                 LedgerEntry.created_at < at_local(date(2025, 4, 1), 0))
        spent = -db.session.scalar(sa.select(sa.func.sum(LedgerEntry.amount)).where(*march,
                                                                                   LedgerEntry.kind == "spend"))
        balance = db.session.scalar(sa.select(sa.func.sum(LedgerEntry.amount)).where(*march))
    assert statement_fen == 2750 and spent == 71 and balance == 129
    coordinator = make_client(world.coordinator)
    html = coordinator.get(f"/dashboard/?{MARCH}").get_data(as_text=True)
    assert card(html, "Vouchers redeemed (yuan)") == "27.50"  # the statement's total: this merchant only
    assert card(html, "Points spent") == "71" and card(html, "Points outstanding") == "129"
    book = load_workbook(io.BytesIO(coordinator.get(f"/dashboard/figures.xlsx?{MARCH}").data))
    values = {(row[0], row[1]): row[2] for row in book.active.iter_rows(min_row=2, values_only=True)}
    assert 27.5 in {value for (section, _item), value in values.items() if "merchant" in str(section).lower()}
    everything = make_client(world.admin).get(f"/dashboard/?{MARCH}").get_data(as_text=True)
    assert card(everything, "Vouchers redeemed (yuan)") == "35.50"
