"""A list of tasks as CSV or XLSX (volunteer/task_import.py): headers in both languages, dates and times as people
write them (local time), every reason a row is refused, duplicates, and saving through the task service."""

import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook

from accounts.journal import JournalEntry
from tests.factories import make_org, make_task, make_user
from volunteer.models import Task
from volunteer.task_import import (
    FileRefused,
    ImportPlan,
    RowRefused,
    TaskRow,
    parse_date,
    parse_time,
    plan_import,
    read_table,
    save_import,
    template_csv,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 December in Shanghai
EN = "title,category,place,date,start,end,places,points,description"
ZH = "标题,类别,地点,日期,开始时间,结束时间,名额,积分,说明"
P = "任务,交通安全,地点,"  # the start of a row with a title, a category and a place
GOOD = "路口交通安全劝导,交通安全,杨舍镇步行街北口,2026-12-05,09:00,11:00,8,30,请提前到场"


@pytest.fixture
def cast(session):
    org, other = make_org(), make_org()
    coordinator = make_user("coordinator", "陈丽华", org.id)
    session.commit()
    return org.id, other.id, coordinator


def plan_of(text: str, organisation_id: int, language="en", filename="tasks.csv", encoding="utf-8"):
    with force_locale(language):
        return plan_import(*read_table(filename, text.encode(encoding)), organisation_id=organisation_id, now=NOW)


def reasons_of(row: str, organisation_id: int, header=EN, language="en") -> list[str]:
    plan = plan_of(f"{header}\n{row}\n", organisation_id, language)
    assert len(plan.bad) == 1, plan
    return plan.bad[0].reasons


# --- reading ------------------------------------------------------------------------------------------------

def test_a_chinese_csv_in_gb18030_reads_as_a_task_in_local_time(cast):
    org, *_ = cast
    plan = plan_of(f"{ZH}\n{GOOD}\n", org, encoding="gb18030")
    assert plan.counts == [1, 0]
    row = plan.new[0]
    assert (row.title, row.category, row.place, row.places, row.points, row.description) == (
        "路口交通安全劝导", "traffic_safety", "杨舍镇步行街北口", 8, 30, "请提前到场")
    assert row.starts_at == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert row.ends_at == datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, day", [("2026-12-05", date(2026, 12, 5)), ("2026/12/5", date(2026, 12, 5)),
                                       ("2026年12月5日", date(2026, 12, 5)), ("2026.12.05", date(2026, 12, 5)),
                                       ("２０２６年１２月５日", date(2026, 12, 5)), ("2026-02-30", None),
                                       ("12/5/2026", None), ("tomorrow", None)])
def test_dates_are_read_as_people_write_them(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text, at", [("09:00", time(9)), ("9:30", time(9, 30)), ("09:00:00", time(9)),
                                      ("9点", time(9)), ("9点30分", time(9, 30)), ("14：00", time(14)),
                                      ("25:00", None), ("9", None), ("noon", None)])
def test_times_are_read_as_people_write_them(text, at):
    assert parse_time(text) == at


def test_start_and_end_may_hold_the_whole_date_and_time_without_a_date_column(cast):
    org, *_ = cast
    plan = plan_of("title,category,place,start,end,places,points\n"
                   "急救培训,培训,社区服务中心,2026/12/6 14:00,2026年12月6日 16:30,20,10\n", org)
    assert plan.counts == [1, 0]
    assert plan.new[0].category == "training"
    assert plan.new[0].ends_at - plan.new[0].starts_at == timedelta(hours=2, minutes=30)


@pytest.mark.parametrize("word, code", [("training", "training"), ("Training", "training"), ("培训", "training"),
                                        ("Traffic safety", "traffic_safety"), ("交通安全劝导", "traffic_safety"),
                                        ("first_aid", "first_aid"), ("巡逻", "patrol")])
def test_a_category_is_a_code_or_a_label_in_either_language(cast, word, code):
    org, *_ = cast
    plan = plan_of(f"{EN}\n任务,{word},地点,2026-12-05,09:00,11:00,5,10,\n", org)
    assert plan.counts == [1, 0] and plan.new[0].category == code


def test_an_xlsx_with_date_and_time_cells_reads(cast):
    org, *_ = cast
    workbook = Workbook()
    workbook.active.append(ZH.split(","))
    workbook.active.append(["暴雨天路口值守", "交通安全", "人民路口", datetime(2026, 12, 7), time(8, 0), time(10, 0),
                            3, 20, None])
    formula = workbook.active.cell(row=2, column=9, value="=1+1")
    formula.data_type = "s"  # formula-looking text, kept as text
    out = io.BytesIO()
    workbook.save(out)
    with force_locale("en"):
        plan = plan_import(*read_table("tasks.xlsx", out.getvalue()), organisation_id=org, now=NOW)
    assert plan.counts == [1, 0]
    assert plan.new[0].starts_at == datetime(2026, 12, 7, 0, 0, tzinfo=UTC) and plan.new[0].description == "=1+1"


def test_latitude_without_longitude_refuses_the_file(cast):
    with pytest.raises(FileRefused, match="latitude"), force_locale("en"):
        read_table("tasks.csv", f"{EN},latitude\n".encode())


def test_the_template_has_the_headers_in_the_users_language():
    assert template_csv("zh").decode("utf-8-sig").startswith("标题,类别,地点,日期,开始时间,结束时间,名额,积分")


# --- every reason -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("row, reason", [
    (",交通安全,地点,2026-12-05,09:00,11:00,8,30,", "The title is missing."),
    ("题" * 101 + ",交通安全,地点,2026-12-05,09:00,11:00,8,30,", "The title is longer than 100 characters."),
    ("任务,,地点,2026-12-05,09:00,11:00,8,30,", "The category is missing."),
    ("任务,juggling,地点,2026-12-05,09:00,11:00,8,30,", "Unknown category “juggling”."),
    ("任务,交通安全,,2026-12-05,09:00,11:00,8,30,", "The place is missing."),
    ("任务,交通安全," + "地" * 201 + ",2026-12-05,09:00,11:00,8,30,", "The place is longer than 200 characters."),
    (P + "2026-12-05,09:00,11:00,8,30," + "说" * 600, "The description is longer than 499 "
     "characters: shorten it, or add the rest on the task's page after the import."),
    (P + "5 Dec,09:00,11:00,8,30,", "The date “5 Dec” is not a date such as 2026-12-05 or 2026年12月5日."),
    (P + "2026-12-05,,11:00,8,30,", "The start is missing."),
    (P + "2026-12-05,09:00,,8,30,", "The end is missing."),
    (P + "2026-12-05,morning,11:00,8,30,", "The start “morning” is not a time such as 09:00 (with a "
                                                    "date column) or a date and time such as 2026-12-05 09:00."),
    (P + "2026-12-05,09:00,later,8,30,", "The end “later” is not a time such as 11:00 (with a date "
                                                  "column) or a date and time such as 2026-12-05 11:00."),
    (P + "2026-12-05,11:00,09:00,8,30,", "The end must be after the start."),
    (P + "2026-11-30,09:00,11:00,8,30,", "The start is in the past: only tasks still to come are imported."),
    (P + "2026-12-05,09:00,11:00,0,30,", "Places must be a whole number between 1 and 1000, not “0”."),
    (P + "2026-12-05,09:00,11:00,2.5,30,", "Places must be a whole number between 1 and 1000, not “2.5”."),
    (P + "2026-12-05,09:00,11:00,8,-5,", "Points must be a whole number between 1 and 10000, not “-5”."),
    (P + "2026-12-05,09:00,11:00,8,99999,", "Points must be a whole number between 1 and 10000, not "
                                                      "“99999”."),
])
def test_each_bad_cell_has_its_reason(cast, row, reason):
    org, *_ = cast
    assert reasons_of(row, org) == [reason]


def test_a_bad_position_has_its_reason(cast):
    org, *_ = cast
    assert reasons_of("任务,交通安全,地点,2026-12-05,09:00,11:00,8,30,,north,120.5", org,
                      header=f"{EN},latitude,longitude") == [
        "Give the latitude (−90 to 90) and the longitude (−180 to 180) as numbers, or leave both empty."]


def test_a_row_lists_every_reason_at_once(cast):
    org, *_ = cast
    assert len(reasons_of(",,,2026-12-05,11:00,09:00,0,0,", org)) == 6


def test_reasons_speak_chinese(cast):
    org, *_ = cast
    assert reasons_of(",交通安全,地点,2026-12-05,09:00,11:00,8,30,", org, language="zh") == ["缺少标题。"]


def test_a_task_given_twice_or_already_posted_is_a_bad_row(session, cast):
    org, _other, coordinator = cast
    make_task(org, coordinator.id, title="路口交通安全劝导", starts_at=datetime(2026, 12, 6, 1, 0, tzinfo=UTC),
              ends_at=datetime(2026, 12, 6, 3, 0, tzinfo=UTC))
    session.commit()
    plan = plan_of(f"{EN}\n{GOOD}\n{GOOD}\n{GOOD.replace('2026-12-05', '2026-12-06')}\n", org)
    assert plan.counts == [1, 2]
    assert [(bad.number, bad.reasons) for bad in plan.bad] == [
        (3, ["The same task (title and start) is also in row 2."]),
        (4, ["Your organisation has this task already (same title and start)."])]


def test_another_organisations_task_is_no_duplicate(session, cast):
    _org, other, _coordinator = cast
    other_coordinator = make_user("coordinator", "王建国", other)
    make_task(other, other_coordinator.id, title="路口交通安全劝导", starts_at=datetime(2026, 12, 5, 1, 0, tzinfo=UTC),
              ends_at=datetime(2026, 12, 5, 3, 0, tzinfo=UTC))
    session.commit()
    assert plan_of(f"{EN}\n{GOOD}\n", cast[0]).counts == [1, 0]


# --- saving -------------------------------------------------------------------------------------------------

def test_saving_posts_tasks_of_the_organisation_through_the_service_journalled(session, cast):
    org, _other, coordinator = cast
    plan = plan_of(f"{EN}\n{GOOD}\n急救培训,培训,社区服务中心,2026-12-06,14:00,16:00,20,10,\n", org)
    assert save_import(plan, actor=coordinator, now=NOW) == 2
    session.commit()
    tasks = session.scalars(sa.select(Task).order_by(Task.starts_at)).all()
    assert [(t.title, t.category, t.organisation_id, t.created_by_id, t.places, t.points) for t in tasks] == [
        ("路口交通安全劝导", "traffic_safety", org, coordinator.id, 8, 30),
        ("急救培训", "training", org, coordinator.id, 20, 10)]
    entries = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == "task.create")).all()
    assert sorted(e.subject for e in entries) == sorted(f"task:{t.id}" for t in tasks)


def test_a_row_the_service_refuses_at_save_time_is_named(session, cast):
    _org, _other, coordinator = cast
    past = NOW - timedelta(hours=1)
    plan = ImportPlan(new=[TaskRow(7, "任务", "patrol", "地点", past, past + timedelta(hours=1), 5, 10)])
    with pytest.raises(RowRefused) as refused, force_locale("en"):
        save_import(plan, actor=coordinator, now=NOW)
    assert str(refused.value.message) == "Row 7: The start must be in the future."
