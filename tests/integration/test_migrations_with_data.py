"""Migrations keep the data: rows of every table survive each step up and down, the append-only
guards stay in force, and a migration that fails leaves the database exactly as it was.

Runs on SQLite (where altering a table means rebuilding it, see ``migrations/env.py``) and on
PostgreSQL (``DATABASE_URL=postgresql+psycopg://…``).
"""

import shutil
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff

T0 = datetime(2026, 12, 1, 9, 0)  # the schema stores naive UTC times

# Revision 0001, in plain SQL: every table, every role, status and ledger kind; every CHECK holds.
ROWS_AT_0001 = {
    "organisation": [
        {"id": 1, "name": "Street office", "kind": "street_office", "timezone": "Asia/Shanghai"},
        {"id": 2, "name": "Community", "kind": "community", "timezone": "Asia/Shanghai"},
        {"id": 3, "name": "Trade committee", "kind": "trade_committee", "timezone": "Asia/Urumqi"},
    ],
    "merchant": [
        {"id": 1, "name": "Noodles", "address": "1 Road", "latitude": 31.2, "longitude": 121.4, "active": True,
         "created_at": T0},
        {"id": 2, "name": "Tea", "address": "2 Road", "latitude": None, "longitude": None, "active": False,
         "created_at": T0},
    ],
    "user": [
        {"id": 1, "phone": "13800000001", "name": "Coordinator A", "role": "coordinator", "trade": None,
         "platform": None, "organisation_id": 1, "active": True},
        {"id": 2, "phone": "13800000002", "name": "Coordinator B", "role": "coordinator", "trade": None,
         "platform": None, "organisation_id": 2, "active": False},
        {"id": 3, "phone": "13800000003", "name": "Rider C", "role": "rider", "trade": "food_delivery",
         "platform": "Meituan", "organisation_id": None, "active": True},
        {"id": 4, "phone": "13800000004", "name": "Rider D", "role": "rider", "trade": "courier",
         "platform": None, "organisation_id": 3, "active": True},
        {"id": 5, "phone": "13800000005", "name": "Rider E", "role": "rider", "trade": None,
         "platform": None, "organisation_id": None, "active": True},
        {"id": 6, "phone": "13800000006", "name": "Cashier F", "role": "merchant", "trade": None,
         "platform": None, "organisation_id": None, "active": True},
        {"id": 7, "phone": "13800000007", "name": "Cashier G", "role": "merchant", "trade": None,
         "platform": None, "organisation_id": None, "active": False},
    ],
    "merchant_staff": [{"user_id": 6, "merchant_id": 1}, {"user_id": 7, "merchant_id": 2}],
    "points_account": [{"user_id": 3, "balance": 7}, {"user_id": 4, "balance": 5}, {"user_id": 5, "balance": 20}],
    "task": [
        {"id": 1, "organisation_id": 1, "status": "open", "places": 3, "taken": 3, "created_by_id": 1,
         "cancelled_at": None},
        {"id": 2, "organisation_id": 2, "status": "cancelled", "places": 2, "taken": 0, "created_by_id": 2,
         "cancelled_at": T0},
        {"id": 3, "organisation_id": 1, "status": "open", "places": 1, "taken": 1, "created_by_id": 1,
         "cancelled_at": None},
    ],
    "signup": [
        {"id": 1, "task_id": 1, "rider_id": 3, "status": "attended", "marked_by_id": 1},
        {"id": 2, "task_id": 1, "rider_id": 4, "status": "attended", "marked_by_id": 1},
        {"id": 3, "task_id": 1, "rider_id": 5, "status": "no_show", "marked_by_id": 1},
        {"id": 4, "task_id": 3, "rider_id": 3, "status": "confirmed", "marked_by_id": None},
        {"id": 5, "task_id": 3, "rider_id": 4, "status": "waitlisted", "marked_by_id": None},
        {"id": 6, "task_id": 2, "rider_id": 5, "status": "cancelled", "marked_by_id": None},
    ],
    "offer": [
        {"id": 1, "merchant_id": 1, "points_cost": 5, "face_value_fen": 1000, "stock": 10, "active": True},
        {"id": 2, "merchant_id": 2, "points_cost": 8, "face_value_fen": 0, "stock": 0, "active": False},
    ],
    "voucher": [
        {"id": 1, "code": "AAAA1111", "rider_id": 3, "status": "issued", "redeemed_by_id": None},
        {"id": 2, "code": "BBBB2222", "rider_id": 3, "status": "redeemed", "redeemed_by_id": 6},
        {"id": 3, "code": "CCCC3333", "rider_id": 4, "status": "expired", "redeemed_by_id": None},
        {"id": 4, "code": "DDDD4444", "rider_id": 3, "status": "cancelled", "redeemed_by_id": None},
    ],
    "ledger_entry": [
        {"id": 1, "rider_id": 3, "amount": 10, "kind": "award", "reason": "", "key": "award:signup:1",
         "voucher_id": None, "created_by_id": 1},
        {"id": 2, "rider_id": 4, "amount": 10, "kind": "award", "reason": "", "key": "award:signup:2",
         "voucher_id": None, "created_by_id": 1},
        {"id": 3, "rider_id": 3, "amount": -5, "kind": "spend", "reason": "", "key": "spend:voucher:1",
         "voucher_id": 1, "created_by_id": None},
        {"id": 4, "rider_id": 3, "amount": -5, "kind": "spend", "reason": "", "key": "spend:voucher:2",
         "voucher_id": 2, "created_by_id": None},
        {"id": 5, "rider_id": 4, "amount": -5, "kind": "spend", "reason": "", "key": "spend:voucher:3",
         "voucher_id": 3, "created_by_id": None},
        {"id": 6, "rider_id": 4, "amount": 5, "kind": "expiry", "reason": "", "key": "refund:voucher:3",
         "voucher_id": 3, "created_by_id": None},
        {"id": 7, "rider_id": 3, "amount": -5, "kind": "spend", "reason": "", "key": "spend:voucher:4",
         "voucher_id": 4, "created_by_id": None},
        {"id": 8, "rider_id": 3, "amount": 5, "kind": "refund", "reason": "", "key": "refund:voucher:4",
         "voucher_id": 4, "created_by_id": None},
        {"id": 9, "rider_id": 5, "amount": 20, "kind": "adjustment", "reason": "opening balance", "key": None,
         "voucher_id": None, "created_by_id": 1},
        {"id": 10, "rider_id": 3, "amount": 2, "kind": "adjustment", "reason": "correction", "key": None,
         "voucher_id": None, "created_by_id": 1},
    ],
}
BACKFILLED = {1: 1, 2: 2}  # ledger entry id -> signup id named by its award key; every other entry: NULL
HEAD = ScriptDirectory(MIGRATIONS).get_current_head()
# The append-only tables at each revision: from 0002 on, the ledger and the journal (audit_event).
GUARDED = {revision: {"ledger_entry"} if revision == "0001" else {"ledger_entry", "audit_event"}
           for revision in {"0001", "0002", "0003", HEAD}}
GUARDED[HEAD] = GUARDED[HEAD] | {"voucher_correction"}  # 0008: corrections of vouchers are append-only too
SEEDED = {"report_category": 8,  # 0015 inserts the eight fixed report categories (reference rows, not data)
          "score_part": 4}  # 0016: the default weights of the four parts of the composite score


def insert_rows_at_0001(conn) -> None:
    rows = ROWS_AT_0001
    conn.execute(sa.text("INSERT INTO organisation (id, name, kind, timezone) VALUES (:id, :name, :kind, :timezone)"),
                 rows["organisation"])
    conn.execute(sa.text("INSERT INTO merchant (id, name, address, latitude, longitude, active, created_at) "
                         "VALUES (:id, :name, :address, :latitude, :longitude, :active, :created_at)"),
                 rows["merchant"])
    conn.execute(sa.text('INSERT INTO "user" (id, phone, name, password_hash, role, trade, platform, organisation_id, '
                         "active, created_at) VALUES (:id, :phone, :name, 'x', :role, :trade, :platform, "
                         ":organisation_id, :active, :t)"), [{**r, "t": T0} for r in rows["user"]])
    conn.execute(sa.text("INSERT INTO merchant_staff (user_id, merchant_id) VALUES (:user_id, :merchant_id)"),
                 rows["merchant_staff"])
    conn.execute(sa.text("INSERT INTO points_account (user_id, balance) VALUES (:user_id, :balance)"),
                 rows["points_account"])
    conn.execute(sa.text("INSERT INTO task (id, organisation_id, title, description, category, place, starts_at, "
                         "ends_at, places, points, taken, status, created_by_id, created_at, cancelled_at) "
                         "VALUES (:id, :organisation_id, 'Crossing', '', 'traffic_safety', 'Gate', :starts, :ends, "
                         ":places, 10, :taken, :status, :created_by_id, :t, :cancelled_at)"),
                 [{**r, "starts": T0, "ends": T0 + timedelta(hours=2), "t": T0} for r in rows["task"]])
    conn.execute(sa.text("INSERT INTO signup (id, task_id, rider_id, status, queued_at, marked_at, marked_by_id) "
                         "VALUES (:id, :task_id, :rider_id, :status, :t, :marked_at, :marked_by_id)"),
                 [{**r, "t": T0, "marked_at": T0 if r["marked_by_id"] else None} for r in rows["signup"]])
    conn.execute(sa.text("INSERT INTO offer (id, merchant_id, title, description, points_cost, face_value_fen, stock, "
                         "per_rider_limit, validity_days, active) VALUES (:id, :merchant_id, 'Bowl', '', "
                         ":points_cost, :face_value_fen, :stock, 1, 30, :active)"), rows["offer"])
    conn.execute(sa.text("INSERT INTO voucher (id, code, offer_id, merchant_id, rider_id, status, points_cost, "
                         "face_value_fen, issued_at, expires_at, redeemed_at, redeemed_by_id, closed_at) "
                         "VALUES (:id, :code, 1, 1, :rider_id, :status, 5, 1000, :t, :expires, :redeemed_at, "
                         ":redeemed_by_id, :closed_at)"),
                 [{**r, "t": T0, "expires": T0 + timedelta(days=30), "redeemed_at": T0 if r["redeemed_by_id"] else None,
                   "closed_at": T0 if r["status"] in ("expired", "cancelled") else None} for r in rows["voucher"]])
    conn.execute(sa.text("INSERT INTO ledger_entry (id, rider_id, amount, kind, reason, key, voucher_id, "
                         "created_by_id, created_at) VALUES (:id, :rider_id, :amount, :kind, :reason, :key, "
                         ":voucher_id, :created_by_id, :t)"), [{**r, "t": T0} for r in rows["ledger_entry"]])


def insert_audit_events(conn) -> None:
    conn.execute(sa.text("INSERT INTO audit_event (id, created_at, actor_id, action, subject, rider_id, merchant_id, "
                         "details) VALUES (:id, :t, :actor_id, :action, :subject, :rider_id, :merchant_id, '{}')"),
                 [{"id": 1, "t": T0, "actor_id": 1, "action": "signup.mark", "subject": "signup:1", "rider_id": 3,
                   "merchant_id": None},
                  {"id": 2, "t": T0, "actor_id": 6, "action": "voucher.redeem", "subject": "voucher:2", "rider_id": 3,
                   "merchant_id": 1},
                  {"id": 3, "t": T0, "actor_id": None, "action": "voucher.expire", "subject": "voucher:3",
                   "rider_id": 4, "merchant_id": None}])


def insert_corrections(conn) -> None:
    """A voucher correction (revision 0008), so the append-only guard of its table has a row to refuse."""
    conn.execute(sa.text("INSERT INTO voucher_correction (id, voucher_id, kind, reason, actor_id, created_at, key) "
                         "VALUES (1, 1, 'cancel', 'closed today', 1, :t, 'cancel:voucher:1')"), {"t": T0})


def row_counts(conn) -> dict[str, int]:
    names = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
    return {t: conn.scalar(sa.text(f'SELECT count(*) FROM "{t}"')) for t in sorted(names)}


def table_rows(conn) -> dict[str, list]:
    names = set(sa.inspect(conn).get_table_names())
    return {t: [tuple(r) for r in conn.execute(sa.text(f'SELECT * FROM "{t}" ORDER BY 1'))] for t in sorted(names)}


def triggers(conn) -> set[tuple[str, str]]:
    """``(table, trigger)`` of every trigger the migrations made (not PostgreSQL's internal ones)."""
    if conn.dialect.name == "sqlite":
        query = "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = ("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                 "WHERE NOT t.tgisinternal")
    return {tuple(r) for r in conn.execute(sa.text(query))}


def expected_triggers(kind: str, revision: str) -> set[tuple[str, str]]:
    if kind == "sqlite":
        return {(t, f"{t}_no_{e}") for t in GUARDED[revision] for e in ("update", "delete")}
    return {(t, f"{t}_append_only") for t in GUARDED[revision]}


def schema(conn) -> dict:
    """Tables with their columns, indexes and foreign keys; on SQLite also every statement in sqlite_master."""
    inspector = sa.inspect(conn)
    shape = {t: {"columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(t)],
                 "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                   for i in inspector.get_indexes(t)),
                 "foreign_keys": sorted((f["name"] or "", tuple(f["constrained_columns"]), f["referred_table"])
                                        for f in inspector.get_foreign_keys(t))}
             for t in inspector.get_table_names()}
    if conn.dialect.name == "sqlite":
        shape["sqlite_master"] = sorted(tuple(r) for r in conn.execute(
            sa.text("SELECT type, name, tbl_name, sql FROM sqlite_master")))
    return shape


def assert_sound(engine, revision: str) -> None:
    """The database at ``revision``: its guards exist and refuse, no leftovers of a rebuild, references hold."""
    with engine.connect() as conn:
        assert conn.scalar(sa.text("SELECT version_num FROM alembic_version")) == revision
        assert triggers(conn) == expected_triggers(conn.dialect.name, revision)
        assert [t for t in sa.inspect(conn).get_table_names() if t.startswith("_alembic_tmp")] == []
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        for table in GUARDED[revision]:
            assert conn.scalar(sa.text(f"SELECT count(*) FROM {table}")) > 0  # else no row trigger would fire
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
                with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                    conn.execute(sa.text(statement))
                conn.rollback()


def signup_ids(engine) -> dict[int, int | None]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT id, signup_id FROM ledger_entry")).all())


def test_every_row_survives_upgrade_downgrade_and_upgrade_again(empty_app):
    with empty_app.app_context():
        engine = db.engine
        upgrade(directory=MIGRATIONS, revision="0001")
        with engine.begin() as conn:
            insert_rows_at_0001(conn)
        with engine.connect() as conn:
            at_0001 = row_counts(conn)
        assert at_0001 == {t: len(rows) for t, rows in ROWS_AT_0001.items()}
        assert_sound(engine, "0001")

        upgrade(directory=MIGRATIONS, revision="0002")
        with engine.begin() as conn:
            assert row_counts(conn) == {**at_0001, "audit_event": 0}
            assert conn.scalar(sa.text('SELECT count(*) FROM "user" WHERE session_version = 0')) == 7
            insert_audit_events(conn)
        assert_sound(engine, "0002")

        upgrade(directory=MIGRATIONS, revision="0003")
        with engine.connect() as conn:
            at_head = row_counts(conn)
            assert "timezone" not in {c["name"] for c in sa.inspect(conn).get_columns("organisation")}
        assert at_head == {**at_0001, "audit_event": 3}
        assert signup_ids(engine) == {e["id"]: BACKFILLED.get(e["id"]) for e in ROWS_AT_0001["ledger_entry"]}
        assert_sound(engine, "0003")

        downgrade(directory=MIGRATIONS, revision="0002")
        with engine.connect() as conn:
            assert row_counts(conn) == at_head
            assert conn.execute(sa.text("SELECT DISTINCT timezone FROM organisation")).scalars().all() == \
                ["Asia/Shanghai"]  # the dropped values cannot come back; the default stands in
        assert_sound(engine, "0002")

        downgrade(directory=MIGRATIONS, revision="0001")
        with engine.connect() as conn:
            assert row_counts(conn) == at_0001  # audit_event is gone with its rows, every other row stays
        assert_sound(engine, "0001")

        upgrade(directory=MIGRATIONS)
        with engine.begin() as conn:
            at_last = row_counts(conn)
            later_tables = set(at_last) - set(at_0001) - {"audit_event"}  # tables of revisions after 0003
            assert at_last == {**at_0001, "audit_event": 0, **dict.fromkeys(later_tables, 0), **SEEDED}
            insert_audit_events(conn)
            insert_corrections(conn)
        assert signup_ids(engine) == {e["id"]: BACKFILLED.get(e["id"]) for e in ROWS_AT_0001["ledger_entry"]}
        assert_sound(engine, HEAD)
    assert schema_diff(empty_app) == []


FAILING_REVISION = '''"""a migration that rebuilds tables, lifts the ledger guard, deletes entries and then fails"""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER ledger_entry_no_update")
        op.execute("DROP TRIGGER ledger_entry_no_delete")
    else:
        op.execute("DROP TRIGGER ledger_entry_append_only ON ledger_entry")
    op.execute("DELETE FROM ledger_entry WHERE kind = 'adjustment'")
    recreate = "always" if sqlite else "auto"  # SQLite: rebuild tables that others reference
    with op.batch_alter_table("organisation", recreate=recreate) as batch_op:
        batch_op.add_column(sa.Column("motto", sa.String(100), nullable=True))
    with op.batch_alter_table("user", recreate=recreate) as batch_op:
        batch_op.alter_column("name", type_=sa.String(80), existing_nullable=False)
    op.create_table("scratch", sa.Column("id", sa.Integer(), primary_key=True))
    FAILURE


def downgrade():
    pass
'''
FAILURES = {
    "raises": 'raise ValueError("revision 9999 fails half-way")',
    # SQLite (foreign keys unenforced during the migration) needs env.py's check to refuse this.
    "breaks_a_reference": "op.execute(\"UPDATE task SET organisation_id = 999 WHERE id = 1\")",
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_migration_leaves_the_database_as_it_was(empty_app, tmp_path, failure):
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9999_fails.py").write_text(
        FAILING_REVISION.replace("FAILURE", FAILURES[failure]).replace('"HEAD"', repr(HEAD)))
    with empty_app.app_context():
        engine = db.engine
        upgrade(directory=str(migrations), revision="0001")
        with engine.begin() as conn:
            insert_rows_at_0001(conn)
        upgrade(directory=str(migrations), revision=HEAD)
        with engine.begin() as conn:
            insert_audit_events(conn)
            insert_corrections(conn)
            before = schema(conn), triggers(conn), table_rows(conn)

        if failure == "raises":
            expected = pytest.raises(ValueError, match="fails half-way")
        elif engine.dialect.name == "sqlite":
            expected = pytest.raises(SystemExit)  # Flask-Migrate turns env.py's RuntimeError into exit(1)
        else:
            expected = pytest.raises(sa.exc.IntegrityError)  # PostgreSQL enforces the reference at once
        with expected:
            upgrade(directory=str(migrations))

        with engine.connect() as conn:
            assert (schema(conn), triggers(conn), table_rows(conn)) == before
        assert_sound(engine, HEAD)
