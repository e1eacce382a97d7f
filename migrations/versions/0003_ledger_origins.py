"""ledger entries name their origin; organisations lose the unread time-zone column

``ledger_entry.signup_id`` (the sign-up an award came from) is added and back-filled from the
``award:signup:<id>`` keys; CHECKs say only awards name a sign-up and only voucher movements a
voucher; ``ledger_entry.voucher_id`` and ``signup_id`` get indexes, so the books
check joins on columns instead of computed strings. ``organisation.timezone`` was never read (times
are shown in the configured ``TIMEZONE``) and goes. The ledger's append-only triggers are lifted for
the back-fill only and put back; SQLite's table rebuilds run with foreign-key enforcement off and
are checked afterwards (see ``migrations/env.py``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 18:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signup_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_signup_id_signup'), 'signup', ['signup_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_ledger_entry_signup_id'), ['signup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entry_voucher_id'), ['voucher_id'], unique=False)
    # The id follows the 13 characters of "award:signup:" (substr counts from 1).
    op.execute("UPDATE ledger_entry SET signup_id = CAST(substr(key, 14) AS INTEGER) "
               "WHERE kind = 'award' AND key LIKE 'award:signup:%'")
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), "signup_id IS NULL OR kind = 'award'")
        batch_op.create_check_constraint(batch_op.f('ck_ledger_entry_voucher_only_for_vouchers'),
                                         "voucher_id IS NULL OR kind IN ('spend', 'refund', 'expiry')")
    create_ledger_guards()

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('timezone')


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=50), nullable=False,
                                      server_default='Asia/Shanghai'))

    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_voucher_only_for_vouchers'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_ledger_entry_signup_only_for_awards'), type_='check')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entry_signup_id'))
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_signup_id_signup'), type_='foreignkey')
        batch_op.drop_column('signup_id')
    create_ledger_guards()


def create_ledger_guards():
    """Make ``ledger_entry`` append-only in the database itself (as revision 0001 does)."""
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
