"""No N+1: every main page runs the same number of SQL statements with 1 row of data as with 50."""

from contextlib import contextmanager
from datetime import timedelta

import sqlalchemy as sa

from accounts.models import User
from extensions import db
from rewards import vouchers
from rewards.models import Offer
from tests.factories import give_points, make_merchant, make_offer, make_staff, make_task, make_user
from volunteer import services
from volunteer.models import Task

PAGES = {
    "rider": ["/tasks", "/tasks?near=1&lat=31.870&lng=120.550", "/tasks/{task}", "/my/tasks", "/wallet", "/offers",
              "/vouchers", "/inbox"],
    "coordinator": ["/coordinate/tasks", "/coordinate/tasks/{task}", "/coordinate/merchants",
                    "/coordinate/accounts/", "/coordinate/riders/{rider}/points"],
    "staff": ["/merchant/"],
}


def build(ctx, world, n: int) -> dict:
    """``n`` of everything the pages list: tasks, sign-ups, ledger entries, merchants, vouchers, redemptions."""
    with ctx() as session:
        rider = session.get(User, world.rider)
        staff = session.get(User, world.staff)
        task = session.get(Task, world.task)
        task.places = n + 1
        give_points(rider.id, 1000 * n)
        offer = session.get(Offer, world.offer)
        offer.per_rider_limit, offer.stock = 100, 200
        for i in range(n):
            later = task.ends_at + timedelta(hours=3 * (n + i))  # one after another: one place at a time
            other = make_task(world.org, world.coordinator, title=f"任务{i}", starts_at=later,
                              ends_at=later + timedelta(hours=2))
            services.sign_up(task=other, rider=rider)
            services.sign_up(task=task, rider=make_user(name=f"骑手{i}"))
            make_offer(make_merchant(f"商家{i}").id, title=f"优惠{i}")
            give_points(rider.id, 1, reason=f"第{i}次")
            voucher = vouchers.redeem_offer(offer=offer, rider=rider)
            vouchers.confirm_voucher(code=voucher.code, staff=staff)
            vouchers.redeem_offer(offer=offer, rider=rider)
        make_staff(world.merchant, "第二位店员")
        session.commit()
    return {"task": world.task, "rider": world.rider}


@contextmanager
def counting(app):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def statements_per_page(app, ctx, world, make_client, n: int) -> dict[str, int]:
    ids = build(ctx, world, n)
    users = {"rider": world.rider, "coordinator": world.coordinator, "staff": world.staff}
    counts = {}
    for persona, pages in PAGES.items():
        client = make_client(users[persona])
        for page in pages:
            url = page.format(**ids)
            client.get(url)  # warm caches (e.g. the user loader) the same way for both sizes
            with counting(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[page] = len(statements)
    return counts


def test_main_pages_do_not_query_per_row(app, ctx, world, make_client):
    one = statements_per_page(app, ctx, world, make_client, 1)
    # Grow the same database to 50 rows of everything and count again.
    fifty = statements_per_page(app, ctx, world, make_client, 49)
    grew = {page: (one[page], fifty[page]) for page in one if fifty[page] != one[page]}
    assert grew == {}, "statements per page grew with the data (1 row → 50 rows)"
    assert all(count <= 12 for count in one.values()), one


def test_a_page_reads_the_balance_and_the_unread_count_once(app, ctx, world, make_client):
    """The header's badges reuse what the page itself read (wallet and offers: the balance; the inbox: the
    unread count) instead of asking the database a second time."""
    build(ctx, world, 3)
    client = make_client(world.rider)
    for url, wanted in (("/wallet", "points_account.balance"), ("/offers", "points_account.balance"),
                        ("/inbox", "notification.read_at IS NULL")):
        client.get(url)
        with counting(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        same = [s for s in statements if wanted in s and "FROM (SELECT" not in s]
        assert len(same) == 1, (url, same)
