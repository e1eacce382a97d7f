"""attendance corrections and removals: reversals in the ledger, removed sign-ups

``ledger_entry.reverses_id`` (unique, a foreign key to ``ledger_entry``) names the entry a correction
undoes: a new ``reversal`` entry (negative) takes an award back, and an ``award`` that names a reversal
restores it, so each entry is undone at most once. The kind CHECKs learn ``reversal``; only awards and
reversals name a sign-up or another entry. ``signup`` gets the status ``removed`` with ``removed_at``,
``removed_by_id`` and ``removal_reason`` (a CHECK says a removal records all three). The ledger's
append-only triggers are lifted for the table rebuild only and put back (SQLite rebuilds the table).
Existing rows need no back-fill: every new column is ``NULL`` for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('award', 'spend', 'refund', 'expiry', 'adjustment')"
NEW_KINDS = "kind IN ('award', 'spend', 'refund', 'expiry', 'adjustment', 'reversal')"
OLD_SIGN = ("(kind IN ('award', 'refund', 'expiry') AND amount > 0) OR (kind = 'spend' AND amount < 0)"
            " OR (kind = 'adjustment' AND reason != '')")
NEW_SIGN = OLD_SIGN + " OR (kind = 'reversal' AND amount < 0 AND reverses_id IS NOT NULL)"
OLD_SIGNUP_ONLY = "signup_id IS NULL OR kind = 'award'"
NEW_SIGNUP_ONLY = "signup_id IS NULL OR kind IN ('award', 'reversal')"
REVERSES_ONLY = "reverses_id IS NULL OR kind IN ('award', 'reversal')"
OLD_STATUSES = "status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show')"
NEW_STATUSES = "status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show', 'removed')"
REMOVAL = ("status != 'removed' OR (removed_at IS NOT NULL AND removed_by_id IS NOT NULL"
           " AND removal_reason != '')")


def upgrade():
    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_reverses_id_ledger_entry'), 'ledger_entry',
                                    ['reverses_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_ledger_entry_reverses_id'), ['reverses_id'])
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind_sign'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), type_='check')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_kind'), NEW_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_kind_sign'), NEW_SIGN)
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), NEW_SIGNUP_ONLY)
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_reverses_only_awards'), REVERSES_ONLY)
    create_ledger_guards()

    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('removal_reason', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_signup_removed_by_id_user'), 'user', ['removed_by_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_signup_status'), type_='check')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_signup_status'), NEW_STATUSES)
        batch_op.create_check_constraint(batch_op.f('ck_signup_removal_recorded'), REMOVAL)


def downgrade():
    # Refuses (a CHECK fails) while removed sign-ups or reversals exist: a downgrade never drops history.
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signup_removal_recorded'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_signup_status'), type_='check')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_signup_status'), OLD_STATUSES)
        batch_op.drop_constraint(batch_op.f('fk_signup_removed_by_id_user'), type_='foreignkey')
        batch_op.drop_column('removal_reason')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')

    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_reverses_only_awards'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind_sign'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_kind'), type_='check')
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_kind'), OLD_KINDS)
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_kind_sign'), OLD_SIGN)
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), OLD_SIGNUP_ONLY)
        batch_op.drop_constraint(batch_op.f('uq_ledger_entry_reverses_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_reverses_id_ledger_entry'), type_='foreignkey')
        batch_op.drop_column('reverses_id')
    create_ledger_guards()


def create_ledger_guards():
    """Make ``ledger_entry`` append-only in the database itself (as revisions 0001 and 0003 do)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
            FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER ledger_entry_no_{event.lower()} BEFORE {event} ON ledger_entry
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""")


def drop_ledger_guards():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry")
        op.execute("DROP FUNCTION IF EXISTS ledger_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
