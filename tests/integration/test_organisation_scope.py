"""A coordinator acts only inside their organisation (DESIGN invariant 10): every cross-organisation
refusal, and that it changes nothing. ``other`` coordinates another organisation than the one of the
task, the merchant (its offer and staff) and the riders' sign-ups."""

import pytest
import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from points.models import LedgerEntry
from points.queries import balance_of
from rewards.models import Merchant, MerchantStaff, Offer
from tests.factories import give_points, link_rider, make_task, make_user
from tests.pages import text_of
from volunteer import services
from volunteer.models import Signup, Task


@pytest.fixture
def signed_up(world, ctx):
    """The rider's confirmed sign-up for the world's task (of ``world.org``)."""
    with ctx() as session:
        signup = services.sign_up(task=session.get(Task, world.task), rider=session.get(User, world.rider))
        give_points(world.rider, 50)
        session.commit()
        return signup.id


@pytest.fixture
def other(world, make_client):
    return make_client(world.other_coordinator)


def snapshot(ctx, world) -> dict:
    """What a refused request must leave as it was."""
    with ctx() as session:
        task, merchant, offer = (session.get(Task, world.task), session.get(Merchant, world.merchant),
                                 session.get(Offer, world.offer))
        return {
            "task": (task.title, task.places, task.status, task.taken),
            "signups": sorted(session.execute(sa.select(Signup.id, Signup.status)).all()),
            "merchant": (merchant.name, merchant.active, merchant.organisation_id),
            "offer": (offer.title, offer.stock, offer.points_cost),
            "offers": session.scalar(sa.select(sa.func.count()).select_from(Offer)),
            "users": sorted(session.execute(sa.select(User.id, User.active, User.session_version)).all()),
            "staff": session.scalar(sa.select(sa.func.count()).select_from(MerchantStaff)),
            "ledger": session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)),
            "journal": session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)),
            "balance": balance_of(world.rider),
        }


TASK_FORM = {"title": "别人改的", "description": "", "category": "patrol", "place": "别处",
             "starts_at": "2031-01-01T09:00", "ends_at": "2031-01-01T11:00", "places": "9", "points": "99"}
REFUSALS = [  # what a coordinator elsewhere tries → the status they get (404: they may not know it exists)
    ("GET", "/coordinate/tasks/{task}", {}, 403),  # tasks are public (/tasks/<id>): 403, nothing shown
    ("POST", "/coordinate/tasks/{task}/edit", TASK_FORM, 403),
    ("POST", "/coordinate/tasks/{task}/cancel", {}, 403),
    ("POST", "/coordinate/tasks/{task}/attendance", {}, 403),
    ("POST", "/coordinate/signups/{signup}/attendance", {"attended": "1"}, 403),
    ("GET", "/coordinate/riders/{rider}/points", {}, 404),
    ("POST", "/coordinate/riders/{rider}/adjustments", {"amount": "-50", "reason": "别人扣的"}, 404),
    ("GET", "/coordinate/merchants/{merchant}", {}, 404),
    ("POST", "/coordinate/merchants/{merchant}", {"name": "改名", "address": "别处", "active": ""}, 404),
    ("POST", "/coordinate/merchants/{merchant}/staff",
     {"staff-phone": "13655550000", "staff-name": "冒名", "staff-password": "a-long-secret-9"}, 404),
    ("GET", "/coordinate/merchants/{merchant}/offers/new", {}, 404),
    ("POST", "/coordinate/merchants/{merchant}/offers/new",
     {"title": "白送", "points_cost": "1", "face_value": "100", "stock": "99", "per_rider_limit": "9",
      "validity_days": "30", "active": "y"}, 404),
    ("GET", "/coordinate/offers/{offer}/edit", {}, 404),
    ("POST", "/coordinate/offers/{offer}/edit",
     {"title": "白送", "points_cost": "1", "face_value": "1", "stock": "999", "stock_shown": "10",
      "per_rider_limit": "9", "validity_days": "30", "active": "y"}, 404),
    ("POST", "/coordinate/accounts/{rider}/active", {"active": "0"}, 404),
    ("POST", "/coordinate/accounts/{staff}/active", {"active": "0"}, 404),
    ("POST", "/coordinate/accounts/{coordinator}/active", {"active": "0"}, 404),
]


@pytest.mark.parametrize(("method", "route", "data", "status"), REFUSALS, ids=[f"{r[0]} {r[1]}" for r in REFUSALS])
def test_a_coordinator_elsewhere_is_refused_and_nothing_changes(world, ctx, other, signed_up, method, route, data,
                                                               status):
    url = route.format(task=world.task, signup=signed_up, rider=world.rider, merchant=world.merchant,
                       offer=world.offer, staff=world.staff, coordinator=world.coordinator)
    before = snapshot(ctx, world)
    response = other.get(url) if method == "GET" else other.post(url, data)
    assert response.status_code == status
    page = text_of(response)
    assert "赵佳楠" not in page and "暖新小厨" not in page and "店员小王" not in page
    assert snapshot(ctx, world) == before


def test_the_coordinator_of_the_organisation_may_do_the_same(world, make_client, signed_up):
    coordinator = make_client(world.coordinator)
    for url in (f"/coordinate/tasks/{world.task}", f"/coordinate/riders/{world.rider}/points",
                f"/coordinate/merchants/{world.merchant}", f"/coordinate/offers/{world.offer}/edit"):
        assert coordinator.get(url).status_code == 200, url


def test_the_accounts_page_and_a_phone_search_find_only_the_organisations_accounts(world, make_client, ctx):
    with ctx() as session:
        rider_phone, staff_phone = world.rider_phone, session.get(User, world.staff).phone
        other_staff = session.get(User, world.other_staff).name
    own = text_of(make_client(world.coordinator).get("/coordinate/accounts/"))
    assert all(name in own for name in ("赵佳楠", "张松阳", "店员小王", "陈丽华"))
    assert "王建国" not in own and other_staff not in own and "刘管理" not in own
    elsewhere = make_client(world.other_coordinator)
    page = text_of(elsewhere.get("/coordinate/accounts/"))
    assert "王建国" in page and other_staff in page
    assert all(name not in page for name in ("赵佳楠", "张松阳", "店员小王", "陈丽华", "刘管理"))
    for phone in (rider_phone, f"+86 {rider_phone[:3]} {rider_phone[3:7]} {rider_phone[7:]}", staff_phone):
        assert "No accounts match." in text_of(elsewhere.get("/coordinate/accounts/", query_string={"q": phone}))
    found = text_of(make_client(world.coordinator).get("/coordinate/accounts/", query_string={"q": rider_phone}))
    assert "赵佳楠" in found


def test_a_rider_who_signed_up_elsewhere_too_appears_in_both_organisations(world, make_client, ctx):
    with ctx() as session:
        link_rider(world.rider, world.other_org, world.other_coordinator)
        session.commit()
    assert "赵佳楠" in text_of(make_client(world.other_coordinator).get("/coordinate/accounts/?role=rider"))
    assert make_client(world.other_coordinator).get(f"/coordinate/riders/{world.rider}/points").status_code == 200


def test_the_merchant_list_and_the_audit_filter_show_only_the_organisations_merchants(world, make_client):
    elsewhere = make_client(world.other_coordinator)
    assert "暖新小厨" not in text_of(elsewhere.get("/coordinate/merchants"))
    assert "港城面馆" in text_of(elsewhere.get("/coordinate/merchants"))
    assert "暖新小厨" not in text_of(elsewhere.get("/coordinate/audit/"))
    own = text_of(make_client(world.coordinator).get("/coordinate/merchants"))
    assert "暖新小厨" in own and "港城面馆" not in own


def test_the_journal_shows_each_organisation_only_its_own_entries(world, make_client):
    make_client(world.coordinator).post(f"/coordinate/riders/{world.rider}/adjustments",
                                        {"amount": "25", "reason": "暴雨天坚守"})
    make_client(world.other_coordinator).post(f"/coordinate/merchants/{world.other_merchant}/offers/new", {
        "title": "大排面", "points_cost": "10", "face_value": "12", "stock": "5", "per_rider_limit": "1",
        "validity_days": "30", "active": "y"})
    own = text_of(make_client(world.coordinator).get("/coordinate/audit/"))
    elsewhere = text_of(make_client(world.other_coordinator).get("/coordinate/audit/"))
    assert "暴雨天坚守" in own and "大排面" not in own
    assert "大排面" in elsewhere and "暴雨天坚守" not in elsewhere
    assert "No events match." in text_of(make_client(world.other_coordinator).get(
        "/coordinate/audit/", query_string={"rider": world.rider_phone}))
    programme = text_of(make_client(world.admin).get("/coordinate/audit/"))
    assert "暴雨天坚守" in programme and "大排面" in programme


def test_journal_entries_name_the_organisation_they_belong_to(world, make_client, ctx, signed_up):
    make_client(world.coordinator).post(f"/coordinate/signups/{signed_up}/attendance", {"attended": "1"})
    make_client(world.admin).post(f"/coordinate/merchants/{world.other_merchant}",
                                  {"name": "港城面馆", "address": "人民中路122号", "active": "y",
                                   "organisation": str(world.other_org)})
    make_client(world.admin).post(f"/coordinate/riders/{world.rider}/adjustments", {"amount": "5", "reason": "补录"})
    with ctx() as session:
        rows = dict(session.execute(sa.select(JournalEntry.action, JournalEntry.organisation_id)).all())
    assert rows["points.award"] == world.org  # the task's
    assert rows["merchant.save"] == world.other_org  # the merchant's, though an admin saved it
    assert rows["points.adjust"] is None  # an admin's act on a rider: programme-wide


def test_a_coordinator_deactivates_a_rider_who_only_worked_for_their_organisation(world, make_client, ctx):
    response = make_client(world.coordinator).post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"})
    assert response.status_code == 303
    with ctx() as session:
        assert not session.get(User, world.rider).active


def test_a_rider_who_also_worked_elsewhere_is_an_admins_to_deactivate(world, make_client, ctx):
    with ctx() as session:
        link_rider(world.rider, world.other_org, world.other_coordinator)
        session.commit()
    coordinator = make_client(world.coordinator)
    html = coordinator.get("/coordinate/accounts/?role=rider").get_data(as_text=True)
    assert f"/coordinate/accounts/{world.rider2}/active" in html  # only ever worked here: the button shows
    assert f"/coordinate/accounts/{world.rider}/active" not in html
    response = coordinator.post(f"/coordinate/accounts/{world.rider}/active", {"active": "0"}, follow_redirects=True)
    assert "ask an admin" in text_of(response)
    with ctx() as session:
        assert session.get(User, world.rider).active
    assert make_client(world.admin).post(f"/coordinate/accounts/{world.rider}/active",
                                         {"active": "0"}).status_code == 303
    with ctx() as session:
        assert not session.get(User, world.rider).active


def test_coordinators_never_see_or_change_an_admin(world, make_client, ctx):
    assert make_client(world.coordinator).post(f"/coordinate/accounts/{world.admin}/active",
                                               {"active": "0"}).status_code == 404
    with ctx() as session:
        assert session.get(User, world.admin).active
        rival = make_user("coordinator", "钱同事", world.org)
        session.commit()
        rival_id = rival.id
    assert make_client(world.coordinator).post(f"/coordinate/accounts/{rival_id}/active",
                                               {"active": "0"}).status_code == 303


def test_a_rider_nobody_has_worked_with_is_seen_by_admins_only(world, make_client, ctx):
    with ctx() as session:
        loner = make_user(name="孙独行")
        session.commit()
        loner_id = loner.id
    for coordinator in (world.coordinator, world.other_coordinator):
        client = make_client(coordinator)
        assert client.get(f"/coordinate/riders/{loner_id}/points").status_code == 404
        assert "孙独行" not in text_of(client.get("/coordinate/accounts/"))
    assert make_client(world.admin).get(f"/coordinate/riders/{loner_id}/points").status_code == 200
    assert "孙独行" in text_of(make_client(world.admin).get("/coordinate/accounts/"))


def test_a_coordinators_new_task_links_only_riders_who_sign_up(world, ctx, make_client):
    with ctx() as session:
        task = make_task(world.other_org, world.other_coordinator, title="老人送餐")
        services.sign_up(task=task, rider=session.get(User, world.rider2))
        session.commit()
    elsewhere = text_of(make_client(world.other_coordinator).get("/coordinate/accounts/?role=rider"))
    assert "张松阳" in elsewhere and "赵佳楠" not in elsewhere
