"""The journal page (coordinate/audit): labels, roles and local times in the user's language, old → new
for changes, money in yuan, and links to what an entry concerns."""

import json
import re
from datetime import UTC, datetime

import sqlalchemy as sa

from accounts import journal
from accounts.models import User
from extensions import db
from rewards import vouchers
from rewards.models import Merchant, Offer
from tests.factories import give_points, make_task, make_user
from tests.pages import text_of

AUDIT = "/coordinate/audit/"


def details_of(ctx, action: str) -> dict:
    with ctx() as session:
        entry = session.scalars(sa.select(journal.JournalEntry).where(journal.JournalEntry.action == action)
                                .order_by(journal.JournalEntry.id.desc())).first()
        return json.loads(entry.details)


def task_form(**overrides) -> dict:
    data = {"title": "路口交通安全劝导", "description": "请提前到场", "category": "traffic_safety",
            "place": "杨舍镇步行街北口", "latitude": "", "longitude": "", "starts_at": "2030-05-01T09:30",
            "ends_at": "2030-05-01T11:30", "places": "3", "points": "30"}
    data.update(overrides)
    return data


def edited_task(world, coordinator, ctx) -> int:
    with ctx():
        task_id = make_task(world.org, world.coordinator, title="路口交通安全劝导", places=3, points=30,
                            starts_at=datetime(2030, 5, 1, 1, 30, tzinfo=UTC),
                            ends_at=datetime(2030, 5, 1, 3, 30, tzinfo=UTC), place="杨舍镇步行街北口",
                            description="请提前到场", category="traffic_safety").id
        db.session.commit()
    response = coordinator.post(f"/coordinate/tasks/{task_id}/edit",
                                task_form(title="路口劝导（改）", places="5", starts_at="2030-05-01T10:00"))
    assert response.status_code == 303
    return task_id


def test_editing_a_task_journals_each_changed_field_with_its_old_and_new_value(world, coordinator, ctx):
    edited_task(world, coordinator, ctx)
    changed = details_of(ctx, "task.update")["changed"]
    assert changed == {"title": ["路口交通安全劝导", "路口劝导（改）"], "places": [3, 5],
                       "starts_at": ["2030-05-01T01:30:00+00:00", "2030-05-01T02:00:00+00:00"]}


def test_the_page_shows_a_task_change_as_old_to_new_in_local_time_with_a_link(world, coordinator, ctx):
    task_id = edited_task(world, coordinator, ctx)
    page = text_of(coordinator.get(AUDIT + "?action=task.update"))
    assert "Task changed" in page
    assert re.search(r"<del>路口交通安全劝导</del>.*→.*<ins>路口劝导（改）</ins>", page)
    assert re.search(r"<del>3</del>.*<ins>5</ins>", page)
    assert re.search(r"<del>[^<]*09:30</del>.*<ins>[^<]*10:00</ins>", page)  # Asia/Shanghai, not UTC
    assert f'href="/coordinate/tasks/{task_id}"' in page
    assert "By Coordinator 陈丽华" in page


def test_the_page_speaks_chinese_without_spaces_around_names(world, coordinator, ctx):
    edited_task(world, coordinator, ctx)
    page = text_of(coordinator.get(AUDIT + "?action=task.update", lang="zh"))
    assert "修改任务" in page and "Task changed" not in page
    assert "操作人:协调员陈丽华" in page
    assert "<dt>标题</dt>" in page and "<dt>名额</dt>" in page
    assert re.search(r"<del>5月1日[^<]*09:30</del>", page)


def test_an_offer_edit_shows_the_price_in_yuan_and_the_stock_old_and_new(world, coordinator, ctx):
    with ctx() as session:
        old_stock = session.get(Offer, world.offer).stock
    form = {"title": "暖心盒饭一份", "description": "中碗", "points_cost": "30", "face_value": "18.8",
            "stock": "5", "stock_shown": str(old_stock), "per_rider_limit": "1", "validity_days": "14", "active": "y"}
    assert coordinator.post(f"/coordinate/offers/{world.offer}/edit", form).status_code == 303
    changed = details_of(ctx, "offer.save")["changed"]
    assert changed["face_value_fen"] == [1500, 1880] and changed["stock"] == [old_stock, 5]
    page = text_of(coordinator.get(AUDIT + "?action=offer.save"))
    assert re.search(r"<dt>Worth</dt><dd class=\"change\"><del>¥15.00</del>.*<ins>¥18.80</ins>", page)
    assert f'href="/coordinate/offers/{world.offer}/edit"' in page


def test_a_merchant_edit_journals_the_old_and_new_name(world, coordinator, ctx):
    form = {"name": "暖新小厨（新店）", "address": "步行街68号", "latitude": "", "longitude": "", "active": "y"}
    with ctx() as session:
        merchant = session.get(Merchant, world.merchant)
        form["address"], old_name = merchant.address, merchant.name
    assert coordinator.post(f"/coordinate/merchants/{world.merchant}", form).status_code == 303
    assert details_of(ctx, "merchant.save")["changed"]["name"] == [old_name, "暖新小厨（新店）"]
    page = text_of(coordinator.get(AUDIT + "?action=merchant.save"))
    assert f"<del>{old_name}</del>" in page and "<ins>暖新小厨（新店）</ins>" in page


def test_a_redeemed_voucher_shows_yuan_and_links_the_rider_and_the_merchant(world, coordinator, ctx):
    with ctx() as session:
        give_points(world.rider, 100)
        voucher = vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, world.rider))
        vouchers.confirm_voucher(code=voucher.code, staff=session.get(User, world.staff))
        session.commit()
    page = text_of(coordinator.get(AUDIT + "?action=voucher.confirm"))
    assert "Voucher redeemed" in page and "¥15.00" in page
    assert "By Merchant staff 店员小王" in page
    assert f'href="/coordinate/riders/{world.rider}/points">Rider 赵佳楠</a>' in page
    assert f'href="/coordinate/merchants/{world.merchant}"' in page
    assert re.search(r"Voucher \d{4} \*\*\*\* \*\*\*\* \d{4}", page)


def test_links_lead_only_to_pages_the_viewer_may_open(world, make_client, ctx):
    coordinator = make_client(world.coordinator)
    task_id = edited_task(world, coordinator, ctx)
    admin_page = text_of(make_client(world.admin).get(AUDIT + "?action=task.update"))
    assert f'href="/tasks/{task_id}"' in admin_page  # an admin does not manage tasks: the public page
    assert f'href="/coordinate/tasks/{task_id}"' not in admin_page
    with ctx() as session:  # a rider outside the coordinator's scope redeems at its merchant
        stranger = make_user(name="孙陌生")
        session.commit()
        give_points(stranger.id, 100)
        vouchers.redeem_offer(offer=session.get(Offer, world.offer), rider=session.get(User, stranger.id))
        session.commit()
        stranger_id = stranger.id
    page = text_of(coordinator.get(AUDIT + "?action=voucher.issue"))
    assert "Rider 孙陌生" in page and f"/coordinate/riders/{stranger_id}/points" not in page
    assert coordinator.get(f"/coordinate/riders/{stranger_id}/points").status_code == 404


def test_a_system_entry_and_an_old_style_change_still_read_well(world, make_client, ctx):
    with ctx() as session:
        journal.record("task.update", actor=None, subject=f"task:{world.task}", organisation_id=world.org,
                       now=datetime(2030, 5, 1, 16, 5, tzinfo=UTC), title="旧记录", changed={"places": "4"})
        session.commit()
    page = text_of(make_client(world.coordinator).get(AUDIT + "?action=task.update"))
    assert "By the system" in page
    assert "<dt>Places</dt><dd>4</dd>" in page
    assert 'datetime="2030-05-01T16:05:00Z"' in page and "00:05" in page  # the next local day


def test_an_attendance_correction_shows_the_new_status_in_words_not_its_code(world, coordinator, ctx):
    with ctx() as session:
        journal.record("attendance.correct", actor=session.get(User, world.coordinator), subject=f"task:{world.task}",
                       rider_id=world.rider, organisation_id=world.org, title="路口交通安全劝导", reason="没来",
                       status="no_show", points=-30)
        session.commit()
    english = text_of(coordinator.get(AUDIT + "?action=attendance.correct"))
    assert "No-show" in english and "no_show" not in english
    chinese = text_of(coordinator.get(AUDIT + "?action=attendance.correct", lang="zh"))
    assert "缺勤" in chinese and "no_show" not in chinese
