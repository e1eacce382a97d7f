"""Migration 0009 (restaurant rules) keeps the meaning of existing offers and merchants, and steps down."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.integration.conftest import MIGRATIONS, schema_diff


def test_0009_limits_existing_offers_ever_and_leaves_merchants_always_serving_and_unpaused(empty_app):
    with empty_app.app_context():
        upgrade(directory=MIGRATIONS, revision="0006")
        run = lambda sql: db.session.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO merchant (id, name, address, active, created_at) VALUES "
            "(1, 'm1', 'x', true, CURRENT_TIMESTAMP)")
        run("INSERT INTO offer (id, merchant_id, title, description, points_cost, face_value_fen, stock, "
            "per_rider_limit, validity_days, active) VALUES (1, 1, 'Bowl', '', 5, 1000, 10, 2, 30, true)")
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0009")
        offers = run("SELECT id, per_rider_limit, limit_period, daily_stock FROM offer").all()
        merchants = run("SELECT id, serving_hours, paused_at FROM merchant").all()
        run("INSERT INTO offer_day (offer_id, day, taken) VALUES (1, '2026-12-09', 3)")
        db.session.commit()
        for bad in ("UPDATE offer SET limit_period = 'year'", "UPDATE offer SET daily_stock = 0",
                    "UPDATE offer_day SET taken = -1"):
            try:
                run(bad)
            except sa.exc.IntegrityError:
                db.session.rollback()
            else:
                raise AssertionError(f"the database accepted {bad}")
        downgrade(directory=MIGRATIONS, revision="0006")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("offer")}
        kept = run("SELECT id, per_rider_limit FROM offer").all()
        db.session.rollback()
        upgrade(directory=MIGRATIONS)
    assert offers == [(1, 2, "ever", None)]
    assert merchants == [(1, "", None)]
    assert "limit_period" not in columns and kept == [(1, 2)]
    assert schema_diff(empty_app) == []
