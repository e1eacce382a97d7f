"""A coordinator and a rider's points: the points page, adjustments with and without htmx, and refusals that
leave the ledger alone."""

import pytest
import sqlalchemy as sa

from points.models import LedgerEntry
from points.queries import balance_of
from tests.factories import give_points
from tests.pages import input_value, text_of


def entries_of(ctx, rider_id: int) -> list[tuple]:
    with ctx() as session:
        rows = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.rider_id == rider_id)
                               .order_by(LedgerEntry.id)).all()
        return [(e.kind, e.amount, e.reason) for e in rows]


# A rider's points and adjustments


def test_the_rider_points_page_shows_the_balance_and_history(world, coordinator, ctx):
    with ctx() as session:
        give_points(world.rider, 25, reason="春节慰问")
        session.commit()
    response = coordinator.get(f"/coordinate/riders/{world.rider}/points")
    assert response.status_code == 200
    page = text_of(response)
    assert "25 points" in page and "春节慰问" in page and "+25" in page


def test_the_points_page_is_only_for_riders(world, coordinator):
    assert coordinator.get(f"/coordinate/riders/{world.staff}/points").status_code == 404
    assert coordinator.get("/coordinate/riders/999999/points").status_code == 404


def test_an_htmx_adjustment_returns_the_widget_with_the_new_balance_and_a_trigger(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/riders/{world.rider}/adjustments",
                                {"amount": "50", "reason": "补发积分"}, htmx=True)
    assert response.status_code == 200
    assert "balance-changed" in response.headers.get("HX-Trigger", "")
    body = text_of(response)
    assert body.strip().startswith(f'<section id="user-{world.rider}-points"')
    assert "<html" not in body
    assert "50 points" in body
    assert "+50 points for 赵佳楠." in body
    assert "补发积分" in body
    assert input_value(response, "amount") in (None, "")
    with ctx() as session:
        assert balance_of(world.rider) == 50
        entry = session.scalar(sa.select(LedgerEntry).where(LedgerEntry.rider_id == world.rider))
        assert (entry.kind, entry.amount, entry.reason, entry.created_by_id) == (
            "adjustment", 50, "补发积分", world.coordinator)


def test_a_plain_adjustment_redirects_to_the_points_page(world, coordinator, ctx):
    with ctx() as session:
        give_points(world.rider, 30)
        session.commit()
    response = coordinator.post(f"/coordinate/riders/{world.rider}/adjustments",
                                {"amount": "-10", "reason": "重复发放更正"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/coordinate/riders/{world.rider}/points"
    with ctx():
        assert balance_of(world.rider) == 20
    page = text_of(coordinator.get(response.headers["Location"]))
    assert "-10 points for 赵佳楠." in page
    assert "20 points" in page


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize(("data", "message", "kept"), [
    ({"amount": "0", "reason": "测试"}, "Enter a number other than zero.", ("reason", "测试")),
    ({"amount": "5", "reason": ""}, "Say why, for the rider's history.", ("amount", "5")),
    ({"amount": "-50", "reason": "扣回"}, "This would leave the balance below zero (it is 20 points).",
     ("amount", "-50")),
    ({"amount": "abc", "reason": "扣回"}, "Enter a whole number.", ("amount", "abc")),
], ids=["zero", "no-reason", "below-zero", "junk"])
def test_it_refuses_an_adjustment_and_leaves_the_ledger_alone(world, coordinator, ctx, htmx, data, message, kept):
    with ctx() as session:
        give_points(world.rider, 20)
        session.commit()
    before = entries_of(ctx, world.rider)
    response = coordinator.post(f"/coordinate/riders/{world.rider}/adjustments", data, htmx=htmx)
    assert response.status_code == 422
    assert "balance-changed" not in response.headers.get("HX-Trigger", "")
    body = text_of(response)
    assert message in body
    assert "20 points" in body
    assert input_value(response, kept[0]) == kept[1]
    if htmx:
        assert body.strip().startswith(f'<section id="user-{world.rider}-points"')
    else:
        assert "<html" in body
    assert entries_of(ctx, world.rider) == before
    with ctx():
        assert balance_of(world.rider) == 20


def test_it_refuses_an_adjustment_whose_reason_is_only_spaces(world, coordinator, ctx):
    response = coordinator.post(f"/coordinate/riders/{world.rider}/adjustments", {"amount": "5", "reason": "   "},
                                htmx=True)
    assert response.status_code == 422
    assert "Say why, for the rider's history." in text_of(response)
    assert entries_of(ctx, world.rider) == []


def test_an_adjustment_refusal_is_shown_in_chinese(world, coordinator):
    response = coordinator.post(f"/coordinate/riders/{world.rider}/adjustments",
                                {"amount": "0", "reason": "测试"}, htmx=True, lang="zh")
    assert response.status_code == 422
    assert "请输入非零数字。" in text_of(response)


def test_riders_and_merchant_staff_cannot_adjust_points(world, make_client, ctx):
    for user_id in (world.rider, world.staff):
        response = make_client(user_id).post(f"/coordinate/riders/{world.rider}/adjustments",
                                             {"amount": "1000", "reason": "自己加分"})
        assert response.status_code == 403
    assert entries_of(ctx, world.rider) == []
