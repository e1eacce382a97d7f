"""Admins set up the report programme: departments, categories, department staff and Open311 keys."""

import re

import sqlalchemy as sa

from accounts.journal import JournalEntry
from accounts.models import User
from reports.catalogue import ensure_categories
from reports.models import Department, DepartmentStaff, Open311Key, ReportCategory
from reports.open311_keys import hash_key
from tests.factories import PASSWORD
from tests.report_factories import make_department

NEW_PHONE = "13912345678"


def test_an_admin_creates_a_department(world, make_client, ctx):
    admin = make_client(world.admin)
    form = admin.get("/admin/reports/departments/new")
    assert form.status_code == 200 and "Market supervision" in form.get_data(as_text=True)
    response = admin.post("/admin/reports/departments/new", {"name": "张家港市市场监管局", "kind": "market_supervision",
                                                             "contact": "0512-5869", "active": "y"})
    assert response.status_code == 303
    with ctx() as session:
        department = session.scalar(sa.select(Department))
        assert (department.name, department.kind, department.contact, department.active) == (
            "张家港市市场监管局", "market_supervision", "0512-5869", True)
        subject = f"department:{department.id}"
        action = session.scalar(sa.select(JournalEntry.action).where(JournalEntry.subject == subject))
        assert action == "department.create"
    listing = admin.get("/admin/reports/").get_data(as_text=True)
    assert "张家港市市场监管局" in listing and "0 staff accounts" in listing


def test_a_duplicate_department_name_gets_a_message_beside_the_field(world, make_client, ctx):
    with ctx() as session:
        make_department("张家港市城管局")
        other, _staff = make_department("张家港市交通运输局", "transport", "交通小张")
        session.commit()
        other_id = other.id
    admin = make_client(world.admin)
    response = admin.post("/admin/reports/departments/new", {"name": " 张家港市城管局 ", "kind": "other"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="name-error">A department with this name exists already', page)
    renamed = admin.post(f"/admin/reports/departments/{other_id}", {"name": "张家港市城管局", "kind": "transport"})
    assert renamed.status_code == 422 and "exists already" in renamed.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Department)) == 2
        assert session.get(Department, other_id).name == "张家港市交通运输局"
    saved = admin.post(f"/admin/reports/departments/{other_id}", {"name": "张家港市交通局", "kind": "transport",
                                                                  "contact": "0512-1", "active": ""})
    assert saved.status_code == 303
    with ctx() as session:
        department = session.get(Department, other_id)
        assert (department.name, department.contact, department.active) == ("张家港市交通局", "0512-1", False)
        assert session.scalar(sa.select(JournalEntry.action).where(JournalEntry.subject == f"department:{other_id}")) \
            == "department.update"


def test_an_admin_sets_a_categorys_department_and_points(world, make_client, ctx):
    with ctx() as session:
        department, _staff = make_department("张家港市交通运输局", "transport", "交通小张")
        session.execute(sa.delete(ReportCategory))  # a database without them: the list page makes them
        session.commit()
        department_id = department.id
    admin = make_client(world.admin)
    listing = admin.get("/admin/reports/categories").get_data(as_text=True)
    assert "Traffic signals" in listing and "Food safety" in listing
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ReportCategory)) == 8
        category_id = session.scalar(sa.select(ReportCategory.id).where(ReportCategory.code == "traffic_signals"))
    refused = admin.post(f"/admin/reports/categories/{category_id}", {"department": str(department_id), "points": "-3",
                                                                      "active": "y"})
    assert refused.status_code == 422 and "from 0 to 10000" in refused.get_data(as_text=True)
    saved = admin.post(f"/admin/reports/categories/{category_id}", {"department": str(department_id), "points": "15",
                                                                    "active": "y"})
    assert saved.status_code == 303
    with ctx() as session:
        category = session.get(ReportCategory, category_id)
        assert (category.department_id, category.points, category.active) == (department_id, 15, True)
    assert "15 points" in admin.get("/admin/reports/categories").get_data(as_text=True)


def test_an_admin_creates_department_staff_who_then_log_in_to_their_queue(world, make_client, ctx, client):
    with ctx() as session:
        department, _staff = make_department("张家港市城管局")
        session.commit()
        department_id = department.id
    admin = make_client(world.admin)
    assert admin.get(f"/admin/reports/departments/{department_id}/staff/new").status_code == 200
    response = admin.post(f"/admin/reports/departments/{department_id}/staff/new",
                          {"name": "城管小周", "phone": "139 1234 5678", "password": PASSWORD})
    assert response.status_code == 303
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == NEW_PHONE))
        assert user.role == "department" and user.name == "城管小周"
        assert session.get(DepartmentStaff, user.id).department_id == department_id
        actions = set(session.scalars(sa.select(JournalEntry.action).where(JournalEntry.subject == f"user:{user.id}")))
        assert actions == {"account.create", "department.add_staff"}
    assert "城管小周" in admin.get(f"/admin/reports/departments/{department_id}").get_data(as_text=True)
    login = client.post("/login", {"phone": NEW_PHONE, "password": PASSWORD})
    assert login.status_code == 303
    assert client.get("/", lang="zh").headers["Location"].endswith("/department/reports/")


def test_a_taken_phone_gets_a_message_beside_the_field_and_keeps_the_input(world, make_client, ctx):
    with ctx() as session:
        department, _staff = make_department("张家港市城管局")
        session.commit()
        department_id, rider_phone = department.id, session.get(User, world.rider).phone
    response = make_client(world.admin).post(f"/admin/reports/departments/{department_id}/staff/new",
                                             {"name": "城管小周", "phone": rider_phone, "password": PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="phone-error">This phone number is already registered', page)
    assert 'value="城管小周"' in page


def test_an_admin_deactivates_department_staff_from_the_department_page(world, make_client, ctx):
    with ctx() as session:
        department, staff = make_department("张家港市城管局")
        session.commit()
        department_id, staff_id = department.id, staff.id
    admin = make_client(world.admin)
    page = admin.get(f"/admin/reports/departments/{department_id}").get_data(as_text=True)
    assert f'action="/coordinate/accounts/{staff_id}/active"' in page
    response = admin.post(f"/coordinate/accounts/{staff_id}/active",
                          {"active": "0", "next": f"/admin/reports/departments/{department_id}"})
    assert response.headers["Location"].endswith(f"/admin/reports/departments/{department_id}")
    with ctx() as session:
        assert session.get(User, staff_id).active is False


def test_an_issued_key_is_shown_once_and_only_its_hash_is_stored(world, make_client, ctx):
    admin = make_client(world.admin)
    response = admin.post("/admin/reports/keys/new", {"name": "张家港12345平台"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    raw = re.search(r'id="raw-key"[^>]*>([^<]+)</textarea>', page).group(1)
    assert len(raw) >= 40
    with ctx() as session:
        key = session.scalar(sa.select(Open311Key))
        assert (key.name, key.prefix, key.key_hash) == ("张家港12345平台", raw[:8], hash_key(raw))
        assert raw not in key.key_hash
        assert session.scalar(sa.select(JournalEntry.action).where(JournalEntry.subject == f"open311_key:{key.id}")) \
            == "open311_key.issue"
    listing = admin.get("/admin/reports/keys").get_data(as_text=True)
    assert "张家港12345平台" in listing and raw[:8] in listing and raw not in listing
    assert "Never used" in listing


def test_a_key_without_a_name_is_refused_beside_the_field(world, make_client, ctx):
    response = make_client(world.admin).post("/admin/reports/keys/new", {"name": "  "})
    assert response.status_code == 422 and "name-error" in response.get_data(as_text=True)
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Open311Key)) == 0


def test_an_admin_revokes_a_key(world, make_client, ctx):
    admin = make_client(world.admin)
    admin.post("/admin/reports/keys/new", {"name": "平台甲"})
    with ctx() as session:
        key_id = session.scalar(sa.select(Open311Key.id))
    assert admin.post(f"/admin/reports/keys/{key_id}/revoke").status_code == 303
    assert admin.post(f"/admin/reports/keys/{key_id}/revoke").status_code == 303  # twice: nothing more
    with ctx() as session:
        assert session.get(Open311Key, key_id).revoked_at is not None
        assert session.scalar(sa.select(sa.func.count()).select_from(JournalEntry)
                              .where(JournalEntry.action == "open311_key.revoke")) == 1
    assert "Revoked" in admin.get("/admin/reports/keys").get_data(as_text=True)


def test_only_admins_reach_the_set_up_pages(world, make_client, ctx):
    with ctx() as session:
        ensure_categories()
        department, staff = make_department("张家港市城管局")
        session.commit()
        department_id, staff_id = department.id, staff.id
    for user_id in (world.rider, world.coordinator, world.staff, staff_id):
        client = make_client(user_id)
        for url in ("/admin/reports/", "/admin/reports/categories", "/admin/reports/keys",
                    f"/admin/reports/departments/{department_id}"):
            assert client.get(url).status_code == 403, (user_id, url)
        assert client.post("/admin/reports/departments/new", {"name": "X", "kind": "other"}).status_code == 403
    assert make_client().get("/admin/reports/keys").status_code == 302


def test_the_pages_read_in_chinese(world, make_client, ctx):
    with ctx() as session:
        ensure_categories()
        session.commit()
    admin = make_client(world.admin)
    assert "部门" in admin.get("/admin/reports/", lang="zh").get_data(as_text=True)
    assert "积分" in admin.get("/admin/reports/categories", lang="zh").get_data(as_text=True)
