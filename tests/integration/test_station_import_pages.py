"""The import and export pages of stations: who may use them, the preview, confirming, and junk files."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from accounts.models import User
from extensions import db
from stations import services
from stations.models import Station

EXPORT_CSV, EXPORT_XLSX = "/coordinate/stations/export.csv", "/coordinate/stations/export.xlsx"
IMPORT, CONFIRM = "/coordinate/stations/import", "/coordinate/stations/import/confirm"
HEADER = "name,kind,address,latitude,longitude,coordinate system,amenities,phone,active,holiday rule"
GOOD = "杨舍暖新窝,Community centre,人民中路1号,31.875,120.553,GPS,饮用水、厕所,0512-58681234,yes,"
BAD = ",boat,长江路2号,north,120.5,GPS,jacuzzi,,yes,"


@pytest.fixture
def stations(world, ctx):
    """One station of each organisation."""
    with ctx():
        mine = services.create_station(actor=db.session.get(User, world.coordinator), name="塘市暖新窝",
                                       address="塘市路8号", latitude=31.86, longitude=120.54)
        theirs = services.create_station(actor=db.session.get(User, world.other_coordinator), name="金港暖新窝",
                                         address="长江村1号", latitude=31.95, longitude=120.4)
        db.session.commit()
        return mine.id, theirs.id


def names(ctx, organisation_id):
    with ctx():
        return sorted(db.session.scalars(sa.select(Station.name).where(Station.organisation_id == organisation_id)))


def upload(client, text: str | bytes, filename="stations.csv", url=IMPORT, lang="en"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(url, {"file": (io.BytesIO(data), filename)}, lang=lang)


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("persona, status", [("coordinator", 200), ("admin", 200), ("rider", 403), ("staff", 403)])
def test_only_coordinators_and_admins_reach_the_import_page(world, make_client, persona, status):
    assert make_client(getattr(world, persona)).get(IMPORT).status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(EXPORT_CSV)
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_a_coordinator_exports_only_their_organisations_stations_as_csv_with_a_bom(world, make_client, stations):
    response = make_client(world.coordinator).get(EXPORT_CSV, lang="zh")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert text.startswith("编号,名称,类型,地址,纬度,经度")
    assert "塘市暖新窝" in text and "金港暖新窝" not in text


def test_a_coordinator_cannot_export_another_organisation_by_asking(world, make_client, stations):
    response = make_client(world.coordinator).get(f"{EXPORT_XLSX}?organisation={world.other_org}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["塘市暖新窝"]


def test_an_admin_picks_the_organisation_to_export(world, make_client, stations):
    admin = make_client(world.admin)
    assert admin.get(EXPORT_XLSX).status_code == 404
    assert admin.get(f"{EXPORT_XLSX}?organisation=99999").status_code == 404
    for huge in ("9223372036854775807", "2147483648", "9" * 40):  # past PostgreSQL's integer: a 404, not a 500
        assert admin.get(f"{IMPORT}?organisation={huge}").status_code == 404
    response = admin.get(f"{EXPORT_XLSX}?organisation={world.other_org}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["金港暖新窝"]
    page = admin.get(f"{IMPORT}?organisation={world.other_org}").get_data(as_text=True)
    assert f"export.xlsx?organisation={world.other_org}" in page


def test_the_preview_lists_bad_rows_and_counts_and_saves_nothing(world, make_client, ctx, stations):
    coordinator = make_client(world.coordinator)
    response = upload(coordinator, f"{HEADER}\n{GOOD}\n{BAD}\n")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 new, 0 changed, 0 unchanged" in page and "1 bad row" in page
    assert "Row 3" in page
    for reason in ("The name is missing.", "Unknown kind “boat”.", "The latitude “north” is not a number.",
                   "Unknown amenity “jacuzzi”."):
        assert reason in page
    assert "Import the 1 good row only" in page
    assert names(ctx, world.org) == ["塘市暖新窝"]


def test_the_preview_speaks_chinese_to_a_chinese_coordinator(world, make_client, stations):
    page = upload(make_client(world.coordinator), f"{HEADER}\n{GOOD}\n{BAD}\n", lang="zh").get_data(as_text=True)
    assert "第3行" in page and "新增1个" in page


def test_confirm_refuses_while_bad_rows_remain_unless_the_good_rows_only_are_chosen(world, make_client, ctx,
                                                                                      stations):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{GOOD}\n{BAD}\n").get_data(as_text=True))
    refused = coordinator.post(CONFIRM, {"token": token})
    assert refused.status_code == 422 and "Some rows are bad" in refused.get_data(as_text=True)
    assert names(ctx, world.org) == ["塘市暖新窝"]
    saved = coordinator.post(CONFIRM, {"token": token, "skip_bad": "1"})
    assert saved.status_code == 303
    assert "Import saved: 1 new, 0 changed." in coordinator.get(saved.headers["Location"]).get_data(as_text=True)
    assert names(ctx, world.org) == ["塘市暖新窝", "杨舍暖新窝"]


def test_confirming_the_same_preview_twice_adds_no_twins(world, make_client, ctx, stations):
    coordinator = make_client(world.coordinator)
    token = token_of(upload(coordinator, f"{HEADER}\n{GOOD}\n").get_data(as_text=True))
    assert coordinator.post(CONFIRM, {"token": token}).status_code == 303
    again = coordinator.post(CONFIRM, {"token": token})
    assert again.status_code == 409 and "changed since this preview" in again.get_data(as_text=True)
    assert names(ctx, world.org) == ["塘市暖新窝", "杨舍暖新窝"]


def test_an_exported_xlsx_uploaded_unchanged_has_nothing_to_import(world, make_client, stations):
    coordinator = make_client(world.coordinator)
    data = coordinator.get(EXPORT_XLSX).data
    page = upload(coordinator, data, "stations.xlsx").get_data(as_text=True)
    assert "0 new, 0 changed, 1 unchanged" in page
    assert "Nothing to import" in page and 'name="token"' not in page


def test_an_import_changes_a_station_by_id(world, make_client, ctx, stations):
    mine, _theirs = stations
    coordinator = make_client(world.coordinator)
    text = coordinator.get(EXPORT_CSV).data.decode("utf-8-sig").replace("塘市暖新窝", "塘市暖新驿站")
    page = upload(coordinator, text).get_data(as_text=True)
    assert "0 new, 1 changed, 0 unchanged" in page
    assert coordinator.post(CONFIRM, {"token": token_of(page)}).status_code == 303
    with ctx():
        assert db.session.get(Station, mine).name == "塘市暖新驿站"


def test_another_organisations_id_is_a_bad_row(world, make_client, ctx, stations):
    _mine, theirs = stations
    page = upload(make_client(world.coordinator), f"id,{HEADER}\n{theirs},{GOOD}\n").get_data(as_text=True)
    assert f"Station {theirs} is not one of your organisation&#39;s stations." in page
    assert 'name="token"' not in page
    assert names(ctx, world.other_org) == ["金港暖新窝"]


def test_a_token_is_the_uploaders_and_cannot_be_forged(world, make_client, ctx, stations):
    token = token_of(upload(make_client(world.coordinator), f"{HEADER}\n{GOOD}\n").get_data(as_text=True))
    assert make_client(world.other_coordinator).post(CONFIRM, {"token": token}).status_code == 404
    forged = make_client(world.coordinator).post(CONFIRM, {"token": token[:-3] + "abc"})
    assert forged.status_code == 422 and "Upload the file again" in forged.get_data(as_text=True)
    assert names(ctx, world.org) == ["塘市暖新窝"]


def test_an_admin_imports_into_the_organisation_they_picked(world, make_client, ctx, stations):
    admin = make_client(world.admin)
    page = upload(admin, f"{HEADER}\n{GOOD}\n", url=f"{IMPORT}?organisation={world.other_org}").get_data(as_text=True)
    assert "1 new" in page
    response = admin.post(f"{CONFIRM}?organisation={world.other_org}", {"token": token_of(page)})
    assert response.status_code == 303
    assert names(ctx, world.other_org) == ["杨舍暖新窝", "金港暖新窝"]
    assert names(ctx, world.org) == ["塘市暖新窝"]


@pytest.mark.parametrize("filename, data, message", [
    ("logo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "not a CSV text file"),
    ("empty.csv", b"", "The file is empty."),
    ("broken.xlsx", b"PK\x03\x04garbage", "cannot be opened"),
    ("people.csv", "姓名,电话\n张三,138\n".encode(), "is not one of the station list"),
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
    coordinator = make_client(world.coordinator)
    # encoded in memory: the test client's own encoder would spool it to a temporary file it never closes
    boundary, body = encode_multipart({"csrf_token": coordinator.token(),
                                       "file": FileStorage(io.BytesIO(b"a" * (3 * 1024 * 1024)), "big.csv")})
    response = coordinator.http.post(IMPORT, data=body, content_type=f"multipart/form-data; boundary={boundary}",
                                     headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "larger than 2 MB" in response.get_data(as_text=True)


def test_an_upload_without_the_csrf_token_is_refused(world, make_client, ctx):
    response = make_client(world.coordinator).post(IMPORT, {"file": (io.BytesIO(b"x"), "a.csv")}, csrf=False)
    assert response.status_code == 400
