"""Station lists as CSV and XLSX: reading files, every reason a row is refused, formula escaping and the round
trip export → import (stations/transfer.py, transfer_rows.py, transfer_save.py)."""

import csv
import io
import json
import zipfile

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook

from accounts.journal import JournalEntry
from core.geo import distance_m, wgs84_to_gcj02
from stations import services
from stations.models import Station, StationHours
from stations.transfer import FileRefused, header_row, read_table, write_csv, write_xlsx
from stations.transfer_rows import export_rows, plan_import, read_day, stations_of
from stations.transfer_save import save_import
from tests.factories import make_org, make_user

GPS = (31.875, 120.553)  # 杨舍, Zhangjiagang
ZH_HEADER = "名称,类型,地址,纬度,经度,坐标系,设施,电话,启用,节假日安排,星期一,星期二,星期三,星期四,星期五,星期六,星期日"
EN_HEADER = ("name,kind,address,latitude,longitude,coordinate system,amenities,phone,active,holiday rule,"
             "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday")
GOOD_ZH = "杨舍暖新窝,社区中心,人民中路1号,31.875,120.553,GPS,饮用水、厕所,0512-58681234,是,,08:00-21:00," \
          "08:00-21:00,08:00-21:00,08:00-21:00,08:00-21:00,休息,24小时"


@pytest.fixture
def cast(session):
    org, other = make_org(), make_org()
    coordinator = make_user("coordinator", "陈丽华", org.id)
    other_coordinator = make_user("coordinator", "王建国", other.id)
    session.commit()
    return org.id, other.id, coordinator, other_coordinator


def table(text: str, filename="stations.csv", encoding="utf-8"):
    return read_table(filename, text.encode(encoding))


def plan_of(text: str, organisation_id: int, language="en", **kwargs):
    with force_locale(language):
        return plan_import(*table(text, **kwargs), organisation_id=organisation_id)


def reasons_of(row: str, organisation_id: int, header=EN_HEADER) -> list[str]:
    plan = plan_of(f"{header}\n{row}\n", organisation_id)
    assert len(plan.bad) == 1, plan
    return plan.bad[0].reasons


def en_row(**cells) -> str:
    values = {"name": "Yangshe rest stop", "kind": "community_centre", "address": "1 Renmin Road",
              "latitude": "31.875", "longitude": "120.553", "crs": "wgs84", "amenities": "water",
              "phone": "", "active": "yes", "holiday_rule": "", "days": ["08:00-21:00"] * 7, **cells}
    return ",".join([values[k] for k in ("name", "kind", "address", "latitude", "longitude", "crs", "amenities",
                                         "phone", "active", "holiday_rule")] + list(values["days"]))


# --- reading files ------------------------------------------------------------------------------------------

def test_a_chinese_csv_with_a_bom_reads_as_one_good_new_station(session, cast):
    org, *_ = cast
    data = ("\ufeff" + ZH_HEADER + "\r\n" + GOOD_ZH + "\r\n").encode("utf-8")
    keys, body = read_table("stations.csv", data)
    plan = plan_import(keys, body, organisation_id=org)
    assert plan.counts == [1, 0, 0, 0]
    row = plan.new[0]
    assert (row.name, row.kind, row.amenities, row.active, row.entered_crs) == (
        "杨舍暖新窝", "community_centre", ("water", "toilet"), True, "wgs84")
    assert (0, "08:00", "21:00") in row.hours and (6, "00:00", "24:00") in row.hours
    assert not [h for h in row.hours if h[0] == 5]  # 休息 on Saturday


def test_a_gb18030_csv_as_chinese_excel_saves_it_reads_the_same(session, cast):
    org, *_ = cast
    plan = plan_of(ZH_HEADER + "\r\n" + GOOD_ZH + "\r\n", org, encoding="gb18030")
    assert plan.counts == [1, 0, 0, 0] and plan.new[0].name == "杨舍暖新窝"


def test_a_csv_without_a_bom_and_english_headers_reads(session, cast):
    org, *_ = cast
    plan = plan_of(EN_HEADER + "\n" + en_row(amenities="Drinking water Toilet; Phone charging") + "\n", org)
    assert plan.counts == [1, 0, 0, 0]
    assert plan.new[0].amenities == ("water", "charging", "toilet")


def test_a_csv_separated_by_semicolons_or_tabs_reads(session, cast):
    org, *_ = cast
    for separator in (";", "\t"):
        text = (EN_HEADER + "\n" + en_row(amenities="water、toilet") + "\n").replace(",", separator)
        assert plan_of(text, org).new[0].amenities == ("water", "toilet")


@pytest.mark.parametrize("filename, data, message", [
    ("stations.csv", b"", "empty"),
    ("stations.csv", b"\n\n  \n", "empty"),
    ("stations.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a CSV"),
    ("stations.xlsx", b"PK\x03\x04 this is no workbook", "cannot be opened"),
    ("stations.xlsx", b"just text", "cannot be opened"),
    ("stations.png", b"\x89PNG", "Upload a .csv or .xlsx"),
    ("stations.csv", "姓名,年龄\n张三,30\n".encode(), "not one of the station list's columns"),
    ("stations.csv", b"name,kind\nA,shop\n", "missing"),
    ("stations.csv", (EN_HEADER.replace(",Sunday", "") + "\n").encode(), "all seven weekday columns"),
    ("stations.csv", b"name,name,kind,address,latitude,longitude,crs\n", "appears twice"),
    ("stations.csv", b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
])
def test_junk_files_are_refused_with_a_clear_message(session, filename, data, message):
    with force_locale("en"), pytest.raises(FileRefused, match=message):
        read_table(filename, data)


def test_missing_columns_are_named_in_both_languages_for_a_chinese_user(session):
    with force_locale("zh"), pytest.raises(FileRefused, match=r"缺少这些列：地址 \(address\)"):
        read_table("s.csv", "名称,类型,纬度,经度,坐标系\n".encode())


def test_an_xlsx_that_unpacks_to_far_more_than_a_station_list_is_refused(session):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (61 * 1024 * 1024))
    assert len(out.getvalue()) < 2 * 1024 * 1024
    with force_locale("en"), pytest.raises(FileRefused, match="cannot be opened"):
        read_table("bomb.xlsx", out.getvalue())


def test_more_than_5000_stations_are_refused(session):
    with force_locale("en"), pytest.raises(FileRefused, match="more than 5000"):
        table(EN_HEADER + "\n" + (en_row() + "\n") * 5001)


# --- every reason a row is bad ------------------------------------------------------------------------------

@pytest.mark.parametrize("cells, reason", [
    ({"name": ""}, "The name is missing."),
    ({"name": "x" * 101}, "The name is longer than 100 characters."),
    ({"kind": "spaceship"}, "Unknown kind “spaceship”."),
    ({"kind": ""}, "The kind is missing."),
    ({"address": ""}, "The address is missing."),
    ({"latitude": "north"}, "The latitude “north” is not a number."),
    ({"longitude": "nan"}, "The longitude “nan” is not a number."),
    ({"latitude": "95"}, "not a valid latitude"),
    ({"latitude": "120.553", "longitude": "31.875"}, "outside China"),
    ({"latitude": "48.85", "longitude": "2.35"}, "outside China"),
    ({"crs": "bd09"}, "Unknown coordinate system “bd09”"),
    ({"crs": ""}, "Unknown coordinate system"),
    ({"amenities": "water; jacuzzi"}, "Unknown amenity “jacuzzi”."),
    ({"phone": "call me"}, "The phone number “call me” is not digits"),
    ({"active": "maybe"}, "Write yes or no for active, not “maybe”."),
    ({"holiday_rule": "party"}, "Unknown holiday rule “party”."),
    ({"days": ["25:00-26:00"] * 7}, "Monday: “25:00” is not a time of day"),
    ({"days": ["08:00-21:00"] * 6 + ["8 to 9"]}, "Sunday: Cannot read “8 to 9”"),
    ({"days": ["08:00-12:00 11:00-14:00"] + ["08:00-21:00"] * 6}, "overlap"),
    ({"days": ["22:00-02:00 23:00-23:30"] + ["08:00-21:00"] * 6},
     "Monday: The hours “22:00-02:00 23:00-23:30” overlap."),
    ({"days": ["10:00-10:00"] + ["08:00-21:00"] * 6}, "cannot open and close at the same time"),
    ({"days": ["07:00-08:00 09:00-10:00 11:00-12:00 13:00-14:00 15:00-16:00"] + ["08:00-21:00"] * 6},
     "Monday: “07:00-08:00 09:00-10:00 11:00-12:00 13:00-14:00 15:00-16:00” has more than four opening spans"),
])
def test_each_bad_cell_gives_its_reason(session, cast, cells, reason):
    org, *_ = cast
    reasons = reasons_of(en_row(**cells), org)
    assert any(reason in text for text in reasons), reasons


def test_a_row_with_several_faults_lists_them_all_with_its_spreadsheet_row_number(session, cast):
    org, *_ = cast
    plan = plan_of(EN_HEADER + "\n" + en_row() + "\n\n" + en_row(name="", latitude="x", kind="boat") + "\n", org)
    assert plan.counts == [1, 0, 0, 1]
    bad = plan.bad[0]
    assert bad.number == 4  # header 1, good row 2, blank row 3
    assert len(bad.reasons) == 3


def test_reasons_are_in_the_users_language(session, cast):
    org, *_ = cast
    with force_locale("zh"):
        plan = plan_import(*table(f"{ZH_HEADER}\n{GOOD_ZH.replace('社区中心', '飞船')}\n"), organisation_id=org)
    assert plan.bad[0].reasons == ["未知的类型“飞船”。"]


def test_ids_must_be_the_organisations_own_and_given_once(session, cast):
    org, _other, coordinator, other_coordinator = cast
    mine = services.create_station(actor=coordinator, name="本社区站", address="人民中路1号", latitude=GPS[0],
                                   longitude=GPS[1])
    theirs = services.create_station(actor=other_coordinator, name="外社区站", address="长江路9号",
                                     latitude=GPS[0], longitude=GPS[1])
    session.commit()
    header = "id," + EN_HEADER
    text = "\n".join([header, f"{mine.id},{en_row(name='A')}", f"{mine.id},{en_row(name='B')}",
                      f"{theirs.id},{en_row(name='C')}", f"999999,{en_row(name='D')}", f"x1,{en_row(name='E')}"])
    plan = plan_of(text, org)
    assert plan.counts == [0, 1, 0, 4]
    reasons = {bad.number: bad.reasons[0] for bad in plan.bad}
    assert reasons[3] == f"The id {mine.id} is given twice (also in row 2)."
    assert reasons[4] == f"Station {theirs.id} is not one of your organisation's stations."
    assert reasons[5] == "Station 999999 is not one of your organisation's stations."
    assert reasons[6] == "The id “x1” is not a station's number."


def test_a_new_row_like_an_existing_station_is_refused_so_a_second_upload_adds_no_twins(session, cast):
    org, _other, coordinator, _ = cast
    station = services.create_station(actor=coordinator, name="Yangshe rest stop", address="1 Renmin Road",
                                      latitude=GPS[0], longitude=GPS[1])
    session.commit()
    plan = plan_of(EN_HEADER + "\n" + en_row() + "\n" + en_row(name="Other") + "\n" + en_row(name="Other") + "\n",
                   org)
    assert plan.counts == [1, 0, 0, 2]
    assert plan.bad[0].reasons == [f"Station {station.id} has this name and address already. Give its id to "
                                   "change it."]
    assert plan.bad[1].reasons == ["Row 3 has the same name and address."]


# --- cells in many spellings --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, spans", [
    ("08:00-12:00, 14:00-21:00", [("08:00", "12:00"), ("14:00", "21:00")]),
    ("08:00-12:00，14:00-21:00", [("08:00", "12:00"), ("14:00", "21:00")]),
    ("08:00-12:00 14:00-21:00", [("08:00", "12:00"), ("14:00", "21:00")]),
    ("22:00-02:00", [("22:00", "02:00")]),
    ("22:00-02:00, 01:00-03:00", [("01:00", "03:00"), ("22:00", "02:00")]),
    ("１８：００～２４：００", [("18:00", "24:00")]),
    ("休息", []), ("closed", []), ("", []),
    ("24小时", [("00:00", "24:00")]), ("24 hours", [("00:00", "24:00")]), ("00:00-24:00", [("00:00", "24:00")]),
])
def test_a_days_hours_read_as_stored_spans(session, text, spans):
    assert read_day(text) == spans


@pytest.mark.parametrize("text, crs", [("GPS", "wgs84"), ("WGS-84", "wgs84"), ("wgs84", "wgs84"),
                                       ("高德", "gcj02"), ("GCJ-02", "gcj02"), ("gcj02", "gcj02"),
                                       ("腾讯地图", "gcj02")])
def test_coordinate_systems_in_many_spellings(session, cast, text, crs):
    org, *_ = cast
    plan = plan_of(EN_HEADER + "\n" + en_row(crs=text) + "\n", org)
    assert plan.new[0].entered_crs == crs


# --- formulas never run -------------------------------------------------------------------------------------

DANGEROUS = ["=HYPERLINK(\"http://evil\")", "+86 512 5868", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"]


def test_csv_export_puts_a_quote_before_cells_that_would_start_a_formula(session, cast):
    data = write_csv(["name"], [[text] for text in DANGEROUS] + [["杨舍 = 好"]])
    assert data.startswith(b"\xef\xbb\xbf")
    cells = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
    assert cells[1:] == ["'" + text for text in DANGEROUS] + ["杨舍 = 好"]
    org, *_ = cast  # and the quote is dropped again on import
    keys, body = read_table("s.csv", write_csv(EN_HEADER.split(","), [en_row(name="=1+1").split(",")]))
    assert plan_import(keys, body, organisation_id=org).new[0].name == "=1+1"


def test_xlsx_export_stores_formula_like_text_as_string_cells():
    data = write_xlsx(["name", "phone"], [[text, text] for text in DANGEROUS])
    sheet = load_workbook(io.BytesIO(data)).active
    for index, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=index, column=1)
        assert cell.data_type == "s" and cell.value in (text, text.replace("\r", "\n"))  # XML reads CR as LF


# --- export and round trip ----------------------------------------------------------------------------------

@pytest.fixture
def stations(session, cast):
    org, _other, coordinator, _ = cast
    gcj = wgs84_to_gcj02(*GPS)
    one = services.create_station(actor=coordinator, name="=杨舍暖新窝", address="人民中路1号", latitude=gcj[0],
                                  longitude=gcj[1], entered_crs="gcj02", amenities=["water", "toilet", "wifi"],
                                  phone="+86 512 5868 1234", kind="shop")
    one.holiday_rule = "closed_on_holidays"
    session.add_all([StationHours(station_id=one.id, weekday=d, opens="08:00", closes="12:00") for d in range(5)]
                    + [StationHours(station_id=one.id, weekday=d, opens="14:00", closes="21:00") for d in range(5)]
                    + [StationHours(station_id=one.id, weekday=5, opens="22:00", closes="02:00"),
                       StationHours(station_id=one.id, weekday=6, opens="00:00", closes="24:00")])
    two = services.create_station(actor=coordinator, name="Office, \"quoted\"", address="-2 Changjiang Road",
                                  latitude=31.9, longitude=120.6)
    services.deactivate_station(station=two, actor=coordinator)
    session.commit()
    return org, coordinator


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imported_unchanged_changes_nothing(session, stations, language, fmt):
    org, _coordinator = stations
    with force_locale(language):
        header, rows = header_row(language), export_rows(stations_of(org), language)
        data = write_csv(header, rows) if fmt == "csv" else write_xlsx(header, rows)
        plan = plan_import(*read_table(f"s.{fmt}", data), organisation_id=org)
    assert plan.counts == [0, 0, 2, 0]


def test_an_xlsx_export_has_numbers_for_coordinates_and_text_for_phones(session, stations):
    org, _ = stations
    data = write_xlsx(header_row("zh"), export_rows(stations_of(org), "zh"))
    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[1]][:6] == ["编号", "名称", "类型", "地址", "纬度", "经度"]
    assert isinstance(sheet["E2"].value, float) and sheet["E2"].data_type == "n"
    assert sheet["I2"].value == "+86 512 5868 1234" and sheet["I2"].data_type == "s"
    assert sheet["B2"].value == "=杨舍暖新窝" and sheet["B2"].data_type == "s"
    assert sheet["G2"].value == "GCJ-02" and sheet["L2"].value == "08:00-12:00, 14:00-21:00"
    assert sheet["Q2"].value == "22:00-02:00" and sheet["R2"].value == "24小时"
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["A"].width


def test_an_import_saves_new_and_changed_rows_through_the_services_and_journals_them(session, stations):
    org, coordinator = stations
    header, rows = header_row("en"), export_rows(stations_of(org), "en")
    rows[0][1] = "Yangshe rest stop"  # rename the first
    rows[1][9] = "yes"  # reactivate the second
    rows[1][11:18] = ["09:00-17:00"] * 5 + ["closed", "closed"]
    wb_rows = [*rows, ["", "New stop", "Canteen", "8 Gangcheng Ave", 31.8801, 120.5602, "GCJ-02", "Hot meal",
                       "", "", "", *["11:00-13:00"] * 7]]
    plan = plan_import(*read_table("s.csv", write_csv(header, wb_rows)), organisation_id=org)
    assert plan.counts == [1, 2, 0, 0]
    assert save_import(plan, organisation_id=org, actor=coordinator) == [1, 2]
    session.commit()
    by_name = {s.name: s for s in session.scalars(sa.select(Station).where(Station.organisation_id == org))}
    assert set(by_name) == {"Yangshe rest stop", "Office, \"quoted\"", "New stop"}
    new = by_name["New stop"]
    wgs = services.wgs84_position(31.8801, 120.5602, "gcj02")
    assert (new.latitude, new.longitude, new.entered_crs) == (wgs[0], wgs[1], "gcj02")
    assert distance_m(31.8801, 120.5602, new.latitude, new.longitude) > 300  # converted, not copied
    assert len(new.hours) == 7 and new.amenity_codes == ("hot_meal",)
    office = by_name["Office, \"quoted\""]
    assert office.active and [(h.weekday, h.opens, h.closes) for h in office.hours] == [
        (d, "09:00", "17:00") for d in range(5)]
    actions = [e.action for e in session.scalars(sa.select(JournalEntry).order_by(JournalEntry.id))]
    assert actions.count("station.create") == 3 and "station.update" in actions
    hours_changes = [json.loads(e.details) for e in session.scalars(
        sa.select(JournalEntry).where(JournalEntry.action == "station.hours"))]
    assert len(hours_changes) == 2  # the new stop's hours and the office's; the unchanged first row journals none
    assert any("09:00-17:00" in entry["changed"]["hours"][1] for entry in hours_changes)
    assert "station.reactivate" in actions
    plan = plan_import(*read_table("s.csv", write_csv(header, export_rows(stations_of(org), "en"))),
                       organisation_id=org)
    assert plan.counts == [0, 0, 3, 0]


def test_an_xlsx_written_by_excel_with_numbers_and_times_reads(session, cast):
    org, *_ = cast
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(EN_HEADER.split(","))
    sheet.append(["Stop", "Shop", "2 Road", 31.875, 120.553, "GPS", "Toilet", 13800138000, True, None,
                  *["08:00-21:00"] * 7])
    out = io.BytesIO()
    workbook.save(out)
    plan = plan_import(*read_table("book.xlsx", out.getvalue()), organisation_id=org)
    assert plan.counts == [1, 0, 0, 0]
    assert plan.new[0].phone == "13800138000" and plan.new[0].active is True
