"""``journal.changes`` keeps old → new as JSON; the journal cards show them as people read them."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from flask_babel import force_locale

from accounts import journal
from oversight.journal_cards import show_value


def test_changes_keep_only_changed_fields_as_old_and_new_json_values():
    task = SimpleNamespace(title="路口劝导", places=3, latitude=31.87,
                           starts_at=datetime(2030, 5, 1, 1, 30, tzinfo=UTC))
    changed = journal.changes(task, {"title": "路口劝导", "places": 5, "latitude": Decimal("31.87"),
                                     "starts_at": datetime(2030, 5, 1, 2, 0, tzinfo=UTC)})
    assert changed == {"places": [3, 5], "starts_at": ["2030-05-01T01:30:00+00:00", "2030-05-01T02:00:00+00:00"]}
    assert json.loads(json.dumps(changed)) == changed


def test_changes_take_the_old_values_from_a_mapping_too():
    assert journal.changes({"stock": 20, "face_value_fen": 1500}, {"stock": 5, "face_value_fen": 1500}) == {
        "stock": [20, 5]}


def test_values_show_as_money_local_times_labels_and_yes_no(app):
    with app.test_request_context(), force_locale("zh"):
        assert show_value("face_value_fen", 1880) == "¥18.80"
        assert show_value("face_value", "15.00") == "¥15.00"
        assert show_value("starts_at", "2030-05-01T16:05:00+00:00").endswith("00:05")  # Asia/Shanghai
        assert show_value("starts_at", "2030-05-01T16:05:00+00:00").startswith("5月2日")
        assert show_value("role", "coordinator") == "协调员"
        assert show_value("active", False) == "否"
        assert show_value("latitude", None) == "—"
    with app.test_request_context(), force_locale("en"):
        assert show_value("changed", ["name", "trade"]) == "Name, Trade"
