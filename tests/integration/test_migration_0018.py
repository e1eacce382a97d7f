"""Migration 0018 (API v1 tokens and idempotent answers) runs over existing data: merchants, staff and vouchers
stay as they were, the new tables hold their rules (a till token names a merchant and a staff account, a
platform token neither; hashes unique; one answer per token and key), and it steps down to 0017 and up again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff, tables
from tests.integration.test_migration_0015 import refused

NEW_TABLES = {"api_token", "idempotent_answer"}
TOKEN = ("INSERT INTO api_token (id, name, scope, merchant_id, staff_id, prefix, token_hash, created_by_id, "
         "created_at) VALUES ({id}, '收银台', '{scope}', {merchant}, {staff}, 'nx_abcde', '{hash}', 1, "
         "CURRENT_TIMESTAMP)")


def token(id, scope="till", merchant="1", staff="2", hash=None):
    return TOKEN.format(id=id, scope=scope, merchant=merchant, staff=staff, hash=hash or f"{id:064d}")


def test_0018_adds_api_tokens_over_existing_data_and_steps_down(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0017")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run('INSERT INTO "user" (id, phone, name, password_hash, role, active, created_at) VALUES '
            "(1, '13600000001', '管理员', 'x', 'admin', true, CURRENT_TIMESTAMP), "
            "(2, '13700000001', '店员', 'x', 'merchant', true, CURRENT_TIMESTAMP)")
        run("INSERT INTO merchant (id, name, address, active, created_at, holiday_rule) "
            "VALUES (1, '暖新小厨', '步行街68号', true, CURRENT_TIMESTAMP, 'weekly')")
        run("INSERT INTO merchant_staff (user_id, merchant_id) VALUES (2, 1)")
        db.session.commit()

        upgrade(directory=MIGRATIONS, revision="0018")
        kept = run("SELECT m.name, s.user_id FROM merchant m JOIN merchant_staff s ON s.merchant_id = m.id").one()
        run(token(1))
        run(token(2, scope="platform", merchant="NULL", staff="NULL"))
        run("INSERT INTO idempotent_answer (token_id, key, fingerprint, status, body, created_at) "
            "VALUES (1, 'k1', 'f', 200, '{}', CURRENT_TIMESTAMP)")
        db.session.commit()
        guarded = [
            refused(run, token(3, merchant="NULL")),  # a till of no merchant
            refused(run, token(4, staff="NULL")),  # a till acting as nobody
            refused(run, token(5, scope="platform")),  # a platform bound to a merchant
            refused(run, token(6, scope="admin", merchant="NULL", staff="NULL")),
            refused(run, token(7, hash="1".zfill(64))),  # the hash of token 1 again
            refused(run, "INSERT INTO idempotent_answer (token_id, key, fingerprint, created_at) "
                         "VALUES (1, 'k1', 'g', CURRENT_TIMESTAMP)"),  # the same key of the same token
        ]
        other_token = run("INSERT INTO idempotent_answer (token_id, key, fingerprint, created_at) "
                          "VALUES (2, 'k1', 'g', CURRENT_TIMESTAMP)").rowcount
        db.session.commit()

        downgrade(directory=MIGRATIONS, revision="0017")
        after_down = tables(empty_app)
        still = run("SELECT name FROM merchant WHERE id = 1").scalar()
        db.session.rollback()
        upgrade(directory=MIGRATIONS)
        empty_again = run("SELECT count(*) FROM api_token").scalar()
        db.session.rollback()
    assert tuple(kept) == ("暖新小厨", 2)
    assert guarded == [True] * 6
    assert other_token == 1
    assert not after_down & NEW_TABLES and still == "暖新小厨"
    assert empty_again == 0
    assert schema_diff(empty_app) == []
