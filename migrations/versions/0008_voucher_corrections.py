"""voucher corrections (an undone confirmation, a cancellation with a reason); one-time redeem keys

``voucher_correction`` holds one row per correction of a voucher, linked to it: ``undo`` keeps the
confirmation it took back (``undone_redeemed_at``, ``undone_redeemed_by_id``), ``cancel`` its reason;
``key`` is unique so each correction happens at most once; triggers refuse UPDATE and DELETE of corrections. ``voucher.request_key`` is the one-time key
of the confirm screen that issued the voucher, unique per rider (existing vouchers have ``NULL``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 04:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voucher_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('voucher_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('undone_redeemed_at', sa.DateTime(), nullable=True),
        sa.Column('undone_redeemed_by_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.CheckConstraint("kind IN ('undo', 'cancel')", name=op.f('ck_voucher_correction_kind')),
        sa.CheckConstraint(
            "(kind = 'cancel' AND reason != '') OR (kind = 'undo' AND undone_redeemed_at IS NOT NULL"
            " AND undone_redeemed_by_id IS NOT NULL)",
            name=op.f('ck_voucher_correction_kind_fields')),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_voucher_correction_actor_id_user')),
        sa.ForeignKeyConstraint(['undone_redeemed_by_id'], ['user.id'],
                                name=op.f('fk_voucher_correction_undone_redeemed_by_id_user')),
        sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'],
                                name=op.f('fk_voucher_correction_voucher_id_voucher')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_correction')),
        sa.UniqueConstraint('key', name=op.f('uq_voucher_correction_key')),
    )
    with op.batch_alter_table('voucher_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_correction_voucher_id'), ['voucher_id'], unique=False)

    create_append_only_guard()

    # A plain ADD COLUMN and a unique index: no copy of the voucher table (ledger entries refer to it).
    op.add_column('voucher', sa.Column('request_key', sa.String(length=64), nullable=True))
    op.create_index('uq_voucher_rider_request_key', 'voucher', ['rider_id', 'request_key'], unique=True)


def downgrade():
    drop_append_only_guard()
    op.drop_index('uq_voucher_rider_request_key', table_name='voucher')
    with op.batch_alter_table('voucher', schema=None) as batch_op:
        batch_op.drop_column('request_key')
    with op.batch_alter_table('voucher_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_correction_voucher_id'))
    op.drop_table('voucher_correction')


def create_append_only_guard():
    """Make ``voucher_correction`` append-only in the database itself (as the ledger and the journal are)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION voucher_correction_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'voucher corrections are append-only'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER voucher_correction_append_only BEFORE UPDATE OR DELETE ON voucher_correction
            FOR EACH ROW EXECUTE FUNCTION voucher_correction_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER voucher_correction_no_{event.lower()} BEFORE {event} ON voucher_correction
                BEGIN SELECT RAISE(ABORT, 'voucher corrections are append-only'); END""")


def drop_append_only_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS voucher_correction_append_only ON voucher_correction")
        op.execute("DROP FUNCTION IF EXISTS voucher_correction_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS voucher_correction_no_update")
        op.execute("DROP TRIGGER IF EXISTS voucher_correction_no_delete")
