"""notify() writes the inbox row, and an SMS when the kind, the user's choice and the account allow it,
in the caller's transaction; a dedupe key writes once; texts are rendered in the reader's language."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from accounts.services import set_active
from core import events
from notifications import kinds, services
from notifications.models import Notification, NotificationPreference, SmsMessage
from tests.factories import make_user

STARTS = datetime(2026, 12, 9, 1, 30, tzinfo=UTC)  # 09:30 in Zhangjiagang
T0 = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def offered(user_id, **overrides):
    fields = {"user_id": user_id, "kind": "place_offered", "link": "/tasks/12", "now": T0,
              "params": {"title": "路口交通安全劝导", "starts_at": STARTS, "hold_until": STARTS - timedelta(hours=2)}}
    return services.notify(**{**fields, **overrides})


def rows(session, model):
    return session.scalars(sa.select(model).order_by(model.id)).all()


def test_it_writes_the_inbox_row_and_the_sms_in_the_current_transaction(session):
    rider = make_user(language="zh")
    note = offered(rider.id)
    session.commit()
    [stored] = rows(session, Notification)
    [sms] = rows(session, SmsMessage)
    assert (stored.id, stored.user_id, stored.kind, stored.link, stored.read_at) == (
        note.id, rider.id, "place_offered", "/tasks/12", None)
    assert stored.values == {"title": "路口交通安全劝导", "starts_at": "2026-12-09T01:30:00Z",
                             "hold_until": "2026-12-08T23:30:00Z"}
    assert (sms.notification_id, sms.phone, sms.status, sms.attempts, sms.next_attempt_at, sms.urgent) == (
        note.id, rider.phone, "pending", 0, T0, False)


def test_a_rollback_removes_both_rows(session):
    rider = make_user()
    session.commit()
    offered(rider.id)
    session.rollback()
    assert rows(session, Notification) == [] and rows(session, SmsMessage) == []


def test_a_dedupe_key_writes_one_notification_and_one_sms(session):
    rider = make_user()
    first = offered(rider.id, kind="task_reminder", dedupe_key="reminder:signup:7",
                    params={"title": "路口劝导", "starts_at": STARTS, "place": "步行街北口"})
    second = offered(rider.id, kind="task_reminder", dedupe_key="reminder:signup:7",
                     params={"title": "路口劝导", "starts_at": STARTS, "place": "步行街北口"})
    session.commit()
    assert first is not None and second is None
    assert len(rows(session, Notification)) == 1 and len(rows(session, SmsMessage)) == 1


def test_inbox_only_kinds_never_queue_an_sms(session):
    rider = make_user()
    services.notify(user_id=rider.id, kind="attendance_recorded", params={"title": "劝导", "points": 30}, now=T0)
    session.commit()
    assert len(rows(session, Notification)) == 1 and rows(session, SmsMessage) == []


def test_a_rider_who_turned_sms_off_gets_only_the_inbox_row(session):
    rider, other = make_user(), make_user()
    services.set_sms_choices(user_id=rider.id, choices={"place_offered": False})
    offered(rider.id)
    offered(other.id)
    session.commit()
    assert [m.user_id for m in rows(session, SmsMessage)] == [other.id]
    assert services.sms_choices(rider.id)["place_offered"] is False
    assert services.sms_choices(other.id)["place_offered"] is True
    services.set_sms_choices(user_id=rider.id, choices={"place_offered": True})
    session.commit()
    assert [(p.kind, p.sms) for p in rows(session, NotificationPreference)] == [("place_offered", True)]


def test_an_inbox_only_kind_cannot_be_chosen_for_sms(session):
    rider = make_user()
    with pytest.raises(ValueError, match="cannot go by SMS"):
        services.set_sms_choices(user_id=rider.id, choices={"checked_in": True})


def test_a_deactivated_account_gets_no_sms(session):
    rider = make_user(active=False)
    offered(rider.id)
    session.commit()
    assert len(rows(session, Notification)) == 1 and rows(session, SmsMessage) == []


@pytest.mark.parametrize(("language", "expected"), [
    ("zh", "12月9日 周三 09:30"), ("en", "Wed 9 Dec 09:30"), (None, "12月9日 周三 09:30")])
def test_the_sms_text_is_in_the_receivers_language_with_local_times(session, language, expected):
    rider = make_user(language=language)
    with force_locale("en" if language != "en" else "zh"):  # whoever triggered it reads another language
        offered(rider.id, kind="task_cancelled", params={"title": "路口劝导", "starts_at": STARTS})
    [sms] = rows(session, SmsMessage)
    assert expected in sms.text and "路口劝导" in sms.text
    assert ("is cancelled" in sms.text) == (language == "en")


def test_the_inbox_text_is_rendered_in_the_viewers_language(session):
    rider = make_user()
    note = services.notify(user_id=rider.id, kind="voucher_expired", params={"offer": "暖心盒饭", "points": 30})
    with force_locale("en"):
        assert kinds.render(note.kind, note.values) == (
            "Voucher expired", "Your voucher for 暖心盒饭 expired; 30 points were returned to you.")
    with force_locale("zh"):
        title, body = kinds.render(note.kind, note.values)
    assert "暖心盒饭" in body and "30" in body and "Voucher" not in title


def test_it_refuses_an_unknown_kind_and_wrong_params(session):
    rider = make_user()
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify(user_id=rider.id, kind="party", params={})
    with pytest.raises(ValueError, match="takes"):
        services.notify(user_id=rider.id, kind="checked_in", params={"title": "x", "extra": 1})
    with pytest.raises(ValueError, match="account change"):
        services.notify(user_id=rider.id, kind="account_changed", params={"change": "hair"})
    assert rows(session, Notification) == []


def test_unread_count_mark_read_and_mark_all_read(session):
    rider, other = make_user(), make_user()
    notes = [services.notify(user_id=rider.id, kind="checked_in", params={"title": f"t{i}"}) for i in range(3)]
    services.notify(user_id=other.id, kind="checked_in", params={"title": "x"})
    assert services.unread_count(rider.id) == 3
    assert services.mark_read(notification_id=notes[0].id, user_id=other.id, now=T0) is None
    assert services.mark_read(notification_id=notes[0].id, user_id=rider.id, now=T0).read_at == T0
    assert services.mark_read(notification_id=notes[0].id, user_id=rider.id, now=T0 + timedelta(hours=1)).read_at == T0
    assert services.unread_count(rider.id) == 2
    assert services.mark_all_read(user_id=rider.id, now=T0) == 2
    session.commit()
    assert services.unread_count(rider.id) == 0 and services.unread_count(other.id) == 1


def test_account_events_notify_the_owner(session):
    coordinator = make_user("admin", name="刘管理")
    rider = make_user()
    set_active(user=rider, active=False, actor=coordinator, now=T0)
    events.points_adjusted.send(user_id=rider.id, amount=-5, reason="重复登记", now=T0)
    session.commit()
    got = [(n.kind, n.values, n.link) for n in rows(session, Notification)]
    assert got == [("account_changed", {"change": "deactivated"}, "/account"),
                   ("points_adjusted", {"amount": -5, "reason": "重复登记"}, "/wallet")]
    with force_locale("en"):
        body = kinds.render("points_adjusted", got[1][1])[1]
    assert body == "5 points were taken from your balance. Reason: 重复登记"


def test_a_password_change_and_a_reactivation_notify_the_owner_in_the_same_transaction(session):
    from accounts import privacy
    from tests.factories import PASSWORD

    admin, rider = make_user("admin", name="刘管理"), make_user(active=False)
    privacy.change_password(user=rider, current=PASSWORD, new="Lantern-quartz-91")
    set_active(user=rider, active=True, actor=admin, now=T0)
    assert [n.values["change"] for n in session.scalars(sa.select(Notification).order_by(Notification.id))] == [
        "password", "reactivated"]
    session.rollback()
    assert rows(session, Notification) == []
