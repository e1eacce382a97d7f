"""The rider import pages: who may use them, the preview, confirming, junk files, a collision at save time, and the
imported riders on the accounts list (their organisation's coordinators only)."""

import io
import re

import pytest
import sqlalchemy as sa

from accounts.models import User
from extensions import db
from tests.factories import make_user
from tests.pages import text_of

IMPORT, CONFIRM = "/coordinate/accounts/import", "/coordinate/accounts/import/confirm"
TEMPLATE = "/coordinate/accounts/import/template.csv"
HEADER = "姓名,手机号,行业,平台"
GOOD = "孙晓东,13812345678,外卖,美团"
BAD = ",0512-58681234,pilot,"


def upload(client, text: str | bytes, filename="riders.csv", url=IMPORT, lang="en"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(url, {"file": (io.BytesIO(data), filename)}, lang=lang)


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def imported(ctx) -> list[tuple[str, int]]:
    with ctx():
        return [(u.name, u.organisation_id) for u in db.session.scalars(
            sa.select(User).where(User.imported_at.is_not(None)).order_by(User.phone))]


@pytest.mark.parametrize("persona, status", [("coordinator", 200), ("admin", 200), ("rider", 403), ("staff", 403)])
def test_only_coordinators_and_admins_reach_the_import_page(world, make_client, persona, status):
    assert make_client(getattr(world, persona)).get(IMPORT).status_code == status


def test_the_accounts_list_links_to_the_import(world, make_client):
    assert f'href="{IMPORT}"' in make_client(world.coordinator).get("/coordinate/accounts/").get_data(as_text=True)


def test_the_template_is_a_csv_with_the_headers_in_the_users_language(world, make_client):
    response = make_client(world.coordinator).get(TEMPLATE, lang="zh")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.decode("utf-8-sig").strip() == HEADER


def test_the_preview_lists_every_bad_row_with_its_reasons_and_saves_nothing(world, make_client, ctx):
    response = upload(make_client(world.coordinator), f"{HEADER}\n{GOOD}\n{BAD}\n赵佳楠,{world.rider_phone},,\n")
    page = text_of(response)
    assert response.status_code == 200
    assert "1 new rider" in page and "2 bad rows" in page
    assert "Row 3" in page and "Row 4" in page
    for reason in ("The rider's name is missing.", "“0512-58681234” is not a mainland mobile number",
                   "Unknown trade “pilot”", f"The mobile number {world.rider_phone} already has an account"):
        assert reason in page
    assert "Import the 1 good row only" in page
    assert imported(ctx) == []


def test_the_preview_speaks_chinese(world, make_client):
    page = text_of(upload(make_client(world.coordinator), f"{HEADER}\n{GOOD}\n{BAD}\n", lang="zh"))
    assert "第3行" in page and "缺少骑手姓名。" in page


def test_confirm_refuses_while_bad_rows_remain_then_saves_the_good_rows_into_the_organisation(world, make_client,
                                                                                               ctx):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{GOOD}\n{BAD}\n").get_data(as_text=True))
    refused = coordinator.post(CONFIRM, {"token": token})
    assert refused.status_code == 422 and "Some rows are bad" in refused.get_data(as_text=True)
    assert imported(ctx) == []
    saved = coordinator.post(CONFIRM, {"token": token, "skip_bad": "1"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/coordinate/accounts/?role=rider")
    listing = text_of(coordinator.get(saved.headers["Location"]))
    assert "1 rider imported." in listing and "孙晓东" in listing and "Imported: not logged in yet" in listing
    assert imported(ctx) == [("孙晓东", world.org)]
    assert "孙晓东" not in text_of(make_client(world.other_coordinator).get("/coordinate/accounts/?role=rider"))


def test_confirming_the_same_preview_twice_creates_no_twins(world, make_client, ctx):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{GOOD}\n").get_data(as_text=True))
    assert coordinator.post(CONFIRM, {"token": token}).status_code == 303
    again = coordinator.post(CONFIRM, {"token": token})
    assert again.status_code == 409 and "changed since this preview" in again.get_data(as_text=True)
    assert imported(ctx) == [("孙晓东", world.org)]


def test_a_phone_taken_between_the_check_and_the_save_is_a_row_message_not_a_500(world, make_client, ctx,
                                                                                  monkeypatch):
    """The plan no longer sees the account (as if it were created by another request after the plan was made):
    the unique key refuses the row at save time and the page names it; nothing is saved."""
    from accounts import rider_import

    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n张三,13912345678,,\n{GOOD}\n").get_data(as_text=True))
    with ctx():
        make_user(name="抢先注册", phone="13812345678")
        db.session.commit()
    monkeypatch.setattr(rider_import, "existing_phones", lambda phones: set())
    response = coordinator.post(CONFIRM, {"token": token})
    assert response.status_code == 422
    assert "Row 3: The mobile number 13812345678 already has an account" in text_of(response)
    assert imported(ctx) == []


def test_a_token_is_the_uploaders_and_cannot_be_forged(world, make_client, ctx):
    token = token_of(upload(make_client(world.coordinator), f"{HEADER}\n{GOOD}\n").get_data(as_text=True))
    assert make_client(world.other_coordinator).post(CONFIRM, {"token": token}).status_code == 404
    forged = make_client(world.coordinator).post(CONFIRM, {"token": token[:-3] + "abc"})
    assert forged.status_code == 422 and "Upload the file again" in forged.get_data(as_text=True)
    assert imported(ctx) == []


def test_an_admin_imports_into_the_organisation_they_picked(world, make_client, ctx):
    admin = make_client(world.admin)
    assert admin.post(IMPORT, {"file": (io.BytesIO(GOOD.encode()), "a.csv")}).status_code == 422  # none picked
    for huge in ("9223372036854775807", "9" * 40, "x"):
        assert admin.get(f"{IMPORT}?organisation={huge}").status_code == 404
    page = upload(admin, f"{HEADER}\n{GOOD}\n", url=f"{IMPORT}?organisation={world.other_org}").get_data(as_text=True)
    response = admin.post(f"{CONFIRM}?organisation={world.other_org}", {"token": token_of(page)})
    assert response.status_code == 303
    assert imported(ctx) == [("孙晓东", world.other_org)]


@pytest.mark.parametrize("filename, data, message", [
    ("logo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a CSV text file"),
    ("empty.csv", b"", "The file is empty."),
    ("broken.xlsx", b"PK\x03\x04garbage", "cannot be opened"),
    ("stations.csv", "名称,地址\n杨舍暖新窝,人民路\n".encode(), "is not one of the rider list"),
    ("riders.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
])
def test_junk_files_come_back_to_the_upload_form_with_a_message(world, make_client, filename, data, message):
    response = upload(make_client(world.coordinator), data, filename)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'type="file"' in page


def test_no_file_chosen_is_a_message_not_an_error(world, make_client):
    response = make_client(world.coordinator).post(IMPORT, {})
    assert response.status_code == 422 and "Choose a .csv or .xlsx file" in response.get_data(as_text=True)


def test_a_too_large_upload_is_refused_with_a_message(world, make_client):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    coordinator = make_client(world.coordinator)
    boundary, body = encode_multipart({"csrf_token": coordinator.token(),
                                       "file": FileStorage(io.BytesIO(b"a" * (3 * 1024 * 1024)), "big.csv")})
    response = coordinator.http.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                                     headers={"Accept-Language": "en"})
    assert response.status_code == 413 and "larger than 2 MB" in response.get_data(as_text=True)
