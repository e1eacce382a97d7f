"""Database helpers that behave the same on SQLite and PostgreSQL."""

import sqlalchemy as sa

from extensions import db


def insert_ignoring_conflicts(table: sa.Table, **values) -> int | None:
    """INSERT one row into ``table`` unless it collides with a unique key.

    Returns the new row's primary key, or ``None`` when a row with the same unique key exists
    (nothing is written). No savepoint and no exception: the database decides, atomically.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    pk = next(iter(table.primary_key.columns))
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(pk)
    return db.session.execute(statement).scalar()


def minutes_between(start, end) -> sa.ColumnElement[float]:
    """SQL for the minutes from ``start`` to ``end`` (two UTC datetime columns), as a float on both databases.

    SQLite stores the times as text (``julianday`` reads them, with a rounding error far below a second);
    PostgreSQL subtracts timestamps into an interval and counts its seconds.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.extract("epoch", end - start) / 60.0
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 1440.0


def update_rows(statement) -> int:
    """Execute a conditional UPDATE and return how many rows it changed (the check of every rule)."""
    return db.session.execute(statement, execution_options={"synchronize_session": False}).rowcount


@sa.event.listens_for(sa.engine.Engine, "connect")
def _tune_sqlite(dbapi_connection, connection_record) -> None:
    """SQLite: write-ahead log (readers never block the writer), foreign keys, a 15 s busy wait."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
