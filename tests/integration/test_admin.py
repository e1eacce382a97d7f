"""The admin runs the programme: organisations, coordinators of any organisation, every merchant and
account; the first admin is made on the command line."""

import sqlalchemy as sa

from accounts.models import Organisation, User
from rewards.models import Merchant
from tests.pages import text_of


def test_the_admin_lands_on_the_organisations_and_has_their_tabs(world, make_client):
    admin = make_client(world.admin)
    assert admin.get("/").headers["Location"] == "/admin/organisations"
    page = admin.get("/admin/organisations").get_data(as_text=True)
    assert "塘市办事处" in page and "金港镇长江村" in page
    for tab in ("/admin/organisations", "/coordinate/merchants", "/coordinate/accounts/", "/dashboard/"):
        assert f'href="{tab}"' in page
    assert 'href="/coordinate/tasks"' not in page


def test_the_admin_creates_and_renames_an_organisation(world, make_client, ctx):
    admin = make_client(world.admin)
    response = admin.post("/admin/organisations/new", {"name": " 锦丰镇三兴社区 ", "kind": "community"})
    assert response.status_code == 303
    with ctx() as session:
        org_id = session.scalar(sa.select(Organisation.id).where(Organisation.name == "锦丰镇三兴社区"))
    renamed = admin.post(f"/admin/organisations/{org_id}", {"name": "锦丰镇三兴村", "kind": "community"})
    assert renamed.status_code == 303
    taken = admin.post(f"/admin/organisations/{org_id}", {"name": "塘市办事处", "kind": "community"})
    assert taken.status_code == 422 and "exists already" in text_of(taken)
    assert 'value="塘市办事处"' in taken.get_data(as_text=True)
    with ctx() as session:
        assert session.get(Organisation, org_id).name == "锦丰镇三兴村"
    assert "锦丰镇三兴村" in text_of(admin.get("/coordinate/audit/"))


def test_the_admin_creates_a_coordinator_of_any_organisation(world, make_client, ctx):
    admin = make_client(world.admin)
    form = admin.get("/coordinate/accounts/new").get_data(as_text=True)
    assert "金港镇长江村" in form
    response = admin.post("/coordinate/accounts/new", {"phone": "13655551234", "name": "吴新",
                                                       "password": "lantern-river-42",
                                                       "organisation": str(world.other_org)})
    assert response.status_code == 303
    with ctx() as session:
        user = session.scalar(sa.select(User).where(User.phone == "13655551234"))
        assert (user.role, user.organisation_id) == ("coordinator", world.other_org)
    refused = admin.post("/coordinate/accounts/new", {"phone": "13655551235", "name": "吴新", "password": "x" * 3,
                                                      "organisation": "999"})
    assert refused.status_code == 422


def test_a_coordinator_creates_coordinators_of_their_own_organisation_only(world, make_client, ctx):
    response = make_client(world.coordinator).post("/coordinate/accounts/new", {
        "phone": "13655554321", "name": "郑新", "password": "lantern-river-42", "organisation": str(world.other_org)})
    assert response.status_code == 303
    with ctx() as session:
        assert session.scalar(sa.select(User.organisation_id).where(User.phone == "13655554321")) == world.org


def test_the_admin_manages_every_merchant_and_assigns_its_organisation(world, make_client, ctx):
    admin = make_client(world.admin)
    page = text_of(admin.get("/coordinate/merchants"))
    assert "暖新小厨" in page and "港城面馆" in page
    response = admin.post("/coordinate/merchants/new", {"name": "全市骑手驿站", "address": "市中心", "active": "y",
                                                        "organisation": ""})
    assert response.status_code == 303
    admin.post(f"/coordinate/merchants/{world.merchant}", {"name": "暖新小厨", "address": "杨舍镇步行街68号",
                                                           "active": "y", "organisation": str(world.other_org)})
    with ctx() as session:
        programme_wide = session.scalar(sa.select(Merchant).where(Merchant.name == "全市骑手驿站"))
        assert programme_wide.organisation_id is None
        assert session.get(Merchant, world.merchant).organisation_id == world.other_org
    assert make_client(world.coordinator).get(f"/coordinate/merchants/{world.merchant}").status_code == 404
    assert make_client(world.other_coordinator).get(f"/coordinate/merchants/{world.merchant}").status_code == 200
    for coordinator in (world.coordinator, world.other_coordinator):
        assert "全市骑手驿站" not in text_of(make_client(coordinator).get("/coordinate/merchants"))


def test_a_coordinators_new_merchant_belongs_to_their_organisation(world, make_client, ctx):
    make_client(world.coordinator).post("/coordinate/merchants/new", {"name": "小巷面馆", "address": "老街1号",
                                                                      "active": "y", "organisation": ""})
    with ctx() as session:
        assert session.scalar(sa.select(Merchant.organisation_id).where(Merchant.name == "小巷面馆")) == world.org


def test_create_admin_asks_for_the_password_and_makes_an_admin(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["accounts", "create-admin", "--phone", "+86 136 0000 0001", "--name", "刘管理"],
                           input="lantern-river-42\nlantern-river-42\n")
    assert result.exit_code == 0, result.output
    assert "lantern-river-42" not in result.output
    with ctx() as session:
        admin = session.scalar(sa.select(User).where(User.phone == "13600000001"))
        assert (admin.role, admin.organisation_id) == ("admin", None)
        assert admin.check_password("lantern-river-42")
    again = runner.invoke(args=["accounts", "create-admin", "--phone", "13600000001", "--name", "另一个"],
                          input="lantern-river-42\nlantern-river-42\n")
    assert again.exit_code != 0 and "已注册" in again.output  # the CLI speaks the default language


def test_create_admin_refuses_a_bad_number_or_a_common_password(app, ctx):
    runner = app.test_cli_runner()
    bad_phone = runner.invoke(args=["accounts", "create-admin", "--phone", "12345", "--name", "刘"],
                              input="lantern-river-42\nlantern-river-42\n")
    common = runner.invoke(args=["accounts", "create-admin", "--phone", "13600000002", "--name", "刘"],
                           input="password123\npassword123\n")
    assert bad_phone.exit_code != 0 and "mainland mobile" in bad_phone.output
    assert common.exit_code != 0 and "too common" in common.output
    with ctx() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
