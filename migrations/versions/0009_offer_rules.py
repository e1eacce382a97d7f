"""restaurant rules: limit periods, daily stock, serving hours, pausing a merchant's offers

``offer.limit_period`` (day, week, month or ever) is the period of the per-rider limit; existing
offers get ``ever`` (the meaning they had: a limit over all time), new ones get ``week`` from the
model. ``offer.daily_stock`` (optional) caps the vouchers issued per local day, counted in the new
table ``offer_day`` (offer, local day, taken). ``merchant.serving_hours`` ("" = always) limits when
vouchers can be confirmed; ``merchant.paused_at`` is set while its staff pause all its offers.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 04:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serving_hours', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('limit_period', sa.String(length=10), server_default='ever', nullable=False))
        batch_op.add_column(sa.Column('daily_stock', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_offer_limit_period'),
                                         "limit_period IN ('day', 'week', 'month', 'ever')")
        batch_op.create_check_constraint(op.f('ck_offer_daily_stock_positive'),
                                         'daily_stock IS NULL OR daily_stock > 0')
    op.create_table(
        'offer_day',
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('taken', sa.Integer(), nullable=False),
        sa.CheckConstraint('taken >= 0', name=op.f('ck_offer_day_taken_not_negative')),
        sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_offer_day_offer_id_offer')),
        sa.PrimaryKeyConstraint('offer_id', 'day', name=op.f('pk_offer_day')),
    )


def downgrade():
    op.drop_table('offer_day')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_offer_daily_stock_positive'), type_='check')
        batch_op.drop_constraint(op.f('ck_offer_limit_period'), type_='check')
        batch_op.drop_column('daily_stock')
        batch_op.drop_column('limit_period')
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.drop_column('paused_at')
        batch_op.drop_column('serving_hours')
