"""A street office's rider list as CSV or XLSX (accounts/rider_import.py): headers in both languages, every reason
a row is refused, duplicates, phones that already have an account, saving, and the scope of imported riders."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook

from accounts import scope
from accounts.journal import JournalEntry
from accounts.models import User
from accounts.rider_import import (
    FileRefused,
    ImportPlan,
    RiderRow,
    RowRefused,
    plan_import,
    read_table,
    save_import,
    template_csv,
)
from accounts.services import authenticate
from tests.factories import PASSWORD, make_org, make_user

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def cast(session):
    org, other = make_org(), make_org()
    coordinator = make_user("coordinator", "陈丽华", org.id)
    other_coordinator = make_user("coordinator", "王建国", other.id)
    session.commit()
    return org.id, other.id, coordinator, other_coordinator


def plan_of(text: str, language="en", filename="riders.csv", encoding="utf-8"):
    with force_locale(language):
        return plan_import(*read_table(filename, text.encode(encoding)))


def reasons_of(row: str, header="name,phone,trade,platform", language="en") -> list[str]:
    plan = plan_of(f"{header}\n{row}\n", language)
    assert len(plan.bad) == 1, plan
    return plan.bad[0].reasons


# --- reading files ------------------------------------------------------------------------------------------

def test_a_chinese_csv_in_gb18030_reads_with_trades_as_common_words(cast):
    text = "姓名,手机号,行业,平台\n赵佳楠,138 1234 5678,外卖,美团\n张松阳,+86 139-1234-5678,快递员,顺丰\n" \
           "王磊,13712345678,网约车,滴滴出行\n李强,１３６１２３４５６７８,货运,货拉拉\n"
    plan = plan_of(text, encoding="gb18030")
    assert plan.counts == [4, 0]
    assert [(r.name, r.phone, r.trade, r.platform) for r in plan.new] == [
        ("赵佳楠", "13812345678", "food_delivery", "美团"), ("张松阳", "13912345678", "courier", "顺丰"),
        ("王磊", "13712345678", "ride_hailing", "滴滴出行"), ("李强", "13612345678", "freight", "货拉拉")]


@pytest.mark.parametrize("header", ["name,phone,trade,platform", "姓名,电话,职业,平台", "Name,Mobile,Trade,Platform",
                                    "姓名,手机号码,行业,所属平台"])
def test_headers_in_either_language_are_read(cast, header):
    plan = plan_of(f"{header}\n赵佳楠,13812345678,Food delivery,美团\n")
    assert plan.counts == [1, 0] and plan.new[0].trade == "food_delivery"


@pytest.mark.parametrize("word, code", [("food_delivery", "food_delivery"), ("Courier", "courier"),
                                        ("外卖配送", "food_delivery"), ("快递", "courier"), ("网约车", "ride_hailing"),
                                        ("Ride-hailing", "ride_hailing"), ("货运", "freight"), ("Freight", "freight"),
                                        ("", None)])
def test_a_trade_is_a_code_a_label_in_either_language_or_a_common_word(cast, word, code):
    plan = plan_of(f"name,phone,trade\n赵佳楠,13812345678,{word}\n")
    assert plan.counts == [1, 0] and plan.new[0].trade == code


def test_an_xlsx_with_a_number_cell_for_the_phone_reads(cast):
    workbook = Workbook()
    workbook.active.append(["姓名", "手机号", "行业", "平台"])
    workbook.active.append(["赵佳楠", 13812345678, "外卖", None])
    cell = workbook.active.cell(row=2, column=4, value='=HYPERLINK("x")')
    cell.data_type = "s"  # text that looks like a formula, as an export writes it
    out = io.BytesIO()
    workbook.save(out)
    with force_locale("en"):
        plan = plan_import(*read_table("riders.xlsx", out.getvalue()))
    assert plan.counts == [1, 0]
    assert plan.new[0].phone == "13812345678" and plan.new[0].platform == '=HYPERLINK("x")'  # kept as text


def test_formula_text_stays_text_and_is_stored_as_typed(cast):
    org, _other, coordinator, _ = cast
    plan = plan_of("name,phone,platform\n=1+1,13812345678,'=cmd|' /c calc'!A0\n")
    assert plan.new[0].name == "=1+1"
    save_import(plan, organisation_id=org, actor=coordinator, now=NOW)
    stored = User.query.filter_by(phone="13812345678").one()
    assert stored.name == "=1+1" and stored.platform.startswith("=cmd")


def test_an_unknown_column_refuses_the_file_naming_it(cast):
    with pytest.raises(FileRefused, match="email"), force_locale("en"):
        read_table("riders.csv", b"name,phone,email\n")


def test_a_file_without_the_phone_column_is_refused(cast):
    with pytest.raises(FileRefused, match="phone"), force_locale("en"):
        read_table("riders.csv", "name,trade\n赵佳楠,外卖\n".encode())


def test_the_template_has_the_headers_in_the_users_language_and_reads_back():
    assert template_csv("zh").decode("utf-8-sig").strip() == "姓名,手机号,行业,平台"
    assert template_csv("en").decode("utf-8-sig").strip() == "name,phone,trade,platform"


# --- every reason -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("row, reason", [
    (",13812345678,,", "The rider's name is missing."),
    ("赵" * 51 + ",13812345678,,", "The rider's name is longer than 50 characters."),
    ("赵佳楠,,,", "The mobile number is missing."),
    ("赵佳楠,0512-58681234,,", "“0512-58681234” is not a mainland mobile number (11 digits starting with 1)."),
    ("赵佳楠,+1 202 555 0123,,", "“+1 202 555 0123” is not a mainland mobile number (11 digits starting with 1)."),
    ("赵佳楠,1381234567,,", "“1381234567” is not a mainland mobile number (11 digits starting with 1)."),
    ("赵佳楠,13812345678,pilot,", "Unknown trade “pilot”: write food delivery (外卖), courier (快递), "
                                   "ride-hailing (网约车) or freight (货运)."),
    ("赵佳楠,13812345678,," + "p" * 51, "The platform is longer than 50 characters."),
])
def test_each_bad_cell_has_its_reason(cast, row, reason):
    assert reasons_of(row) == [reason]


def test_a_row_lists_every_reason_at_once(cast):
    assert len(reasons_of(",12345,pilot," + "p" * 51)) == 4


def test_reasons_speak_chinese(cast):
    assert reasons_of(",13812345678,,", language="zh") == ["缺少骑手姓名。"]


def test_a_phone_given_twice_is_bad_in_its_second_row_naming_the_first(cast):
    plan = plan_of("name,phone\n赵佳楠,13812345678\n张松阳,138-1234-5678\n")
    assert plan.counts == [1, 1]
    assert plan.bad[0].number == 3
    assert plan.bad[0].reasons == ["The mobile number 13812345678 is also in row 2."]


def test_a_phone_that_already_has_an_account_is_bad_and_the_account_is_left_alone(session, cast):
    rider = make_user(name="老用户", trade="courier", platform="顺丰")
    session.commit()
    plan = plan_of(f"name,phone,trade\n新名字,{rider.phone},外卖\n")
    assert plan.counts == [0, 1]
    assert plan.bad[0].reasons == [f"The mobile number {rider.phone} already has an account; it is left as it is."]
    session.refresh(rider)
    assert (rider.name, rider.trade, rider.imported_at) == ("老用户", "courier", None)


# --- saving -------------------------------------------------------------------------------------------------

def test_saving_creates_riders_of_the_organisation_with_no_usable_password_and_journals_each(session, cast):
    org, _other, coordinator, _ = cast
    plan = plan_of("姓名,手机号,行业,平台\n赵佳楠,13812345678,外卖,美团\n张松阳,13912345678,,\n")
    assert save_import(plan, organisation_id=org, actor=coordinator, filename="list.csv", now=NOW) == 2
    session.commit()
    riders = session.scalars(sa.select(User).where(User.imported_at.is_not(None)).order_by(User.phone)).all()
    assert [(u.name, u.role, u.organisation_id, u.imported_by_id, u.imported_at, u.trade, u.platform)
            for u in riders] == [("赵佳楠", "rider", org, coordinator.id, NOW, "food_delivery", "美团"),
                                 ("张松阳", "rider", org, coordinator.id, NOW, None, None)]
    assert all(u.needs_phone_confirmation and u.privacy_version is None for u in riders)
    assert not riders[0].check_password("") and not riders[0].check_password(riders[0].password_hash)
    assert riders[0].password_hash != riders[1].password_hash  # random
    entries = session.scalars(sa.select(JournalEntry).where(JournalEntry.action == "account.import")).all()
    assert sorted(e.rider_id for e in entries) == sorted(u.id for u in riders)
    assert {e.organisation_id for e in entries} == {org} and {e.actor_id for e in entries} == {coordinator.id}


def test_password_log_in_never_works_for_an_unconfirmed_imported_rider(session, cast):
    org, _other, coordinator, _ = cast
    save_import(plan_of("name,phone\n赵佳楠,13812345678\n"), organisation_id=org, actor=coordinator, now=NOW)
    rider = User.query.filter_by(phone="13812345678").one()
    rider.set_password(PASSWORD)  # even with a known hash, the phone is not confirmed yet
    session.flush()
    assert authenticate(phone="13812345678", password=PASSWORD) is None
    rider.phone_confirmed_at = NOW
    assert authenticate(phone="13812345678", password=PASSWORD) == rider


def test_a_phone_that_got_an_account_after_the_preview_is_reported_not_a_crash(session, cast):
    org, _other, coordinator, _ = cast
    make_user(name="抢先注册", phone="13812345678")
    session.commit()
    plan = ImportPlan(new=[RiderRow(2, "赵佳楠", "13912345678", None, None),
                           RiderRow(3, "张松阳", "13812345678", None, None)])
    with pytest.raises(RowRefused) as refused, force_locale("en"):
        save_import(plan, organisation_id=org, actor=coordinator, now=NOW)
    assert str(refused.value.message) == "Row 3: The mobile number 13812345678 already has an account; it is left " \
                                         "as it is."
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(User).where(User.imported_at.is_not(None))) == 0


# --- scope --------------------------------------------------------------------------------------------------

def test_imported_riders_are_in_the_scope_of_their_organisation_only(session, cast):
    org, _other, coordinator, other_coordinator = cast
    save_import(plan_of("name,phone\n赵佳楠,13812345678\n"), organisation_id=org, actor=coordinator, now=NOW)
    session.commit()
    rider = User.query.filter_by(phone="13812345678").one()
    assert scope.can_see(coordinator, rider.id) and not scope.can_see(other_coordinator, rider.id)
    assert scope.may_change_active(coordinator, rider) and not scope.may_change_active(other_coordinator, rider)
    assert scope.organisations_of([rider]) == {rider.id: {org}}


def test_an_imported_rider_who_signed_up_elsewhere_is_an_admins_to_deactivate(session, cast):
    from tests.factories import link_rider

    org, other, coordinator, other_coordinator = cast
    save_import(plan_of("name,phone\n赵佳楠,13812345678\n"), organisation_id=org, actor=coordinator, now=NOW)
    rider = User.query.filter_by(phone="13812345678").one()
    link_rider(rider.id, other, other_coordinator.id)
    session.commit()
    assert scope.organisations_of([rider]) == {rider.id: {org, other}}
    assert not scope.may_change_active(coordinator, rider)
    assert scope.can_see(coordinator, rider.id) and scope.can_see(other_coordinator, rider.id)
