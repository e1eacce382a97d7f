"""places: a holiday rule for stations and merchants, merchants' opening hours, merchants located fast

``station.holiday_rule`` and ``merchant.holiday_rule`` (weekly, closed_on_holidays or sunday_hours_on_holidays;
existing rows get ``weekly``: their weekly hours hold on holidays, as before). ``merchant_hours`` and
``merchant_hours_exception`` mirror the station's tables. ``ix_merchant_latitude_longitude`` serves the
bounding box of "near me". Existing merchants keep no hours (shown as not known) until they are entered.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

RULES = "holiday_rule IN ('weekly', 'closed_on_holidays', 'sunday_hours_on_holidays')"


def _clock(column, last):
    return (f"length({column}) = 5 AND substr({column}, 3, 1) = ':' AND substr({column}, 1, 2) >= '00'"
            f" AND substr({column}, 4, 2) >= '00' AND substr({column}, 4, 2) <= '59'"
            f" AND {column} >= '00:00' AND {column} <= '{last}' AND substr({column}, 1, 2) <= '24'")


OPENS_OK = _clock("opens", "23:59")
CLOSES_OK = f"({_clock('closes', '23:59')}) OR closes = '24:00'"


def upgrade():
    for table in ('station', 'merchant'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('holiday_rule', sa.String(length=30), server_default='weekly',
                                          nullable=False))
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_holiday_rule'), RULES)
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.create_index('ix_merchant_latitude_longitude', ['latitude', 'longitude'], unique=False)
    op.create_table(
        'merchant_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.String(length=5), nullable=False),
        sa.Column('closes', sa.String(length=5), nullable=False),
        sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_merchant_hours_weekday')),
        sa.CheckConstraint(OPENS_OK, name=op.f('ck_merchant_hours_opens_clock')),
        sa.CheckConstraint(CLOSES_OK, name=op.f('ck_merchant_hours_closes_clock')),
        sa.CheckConstraint('closes != opens', name=op.f('ck_merchant_hours_not_empty')),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_merchant_hours_merchant_id_merchant')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_hours')),
        sa.UniqueConstraint('merchant_id', 'weekday', 'opens', name='uq_merchant_hours_merchant_weekday_opens'),
    )
    op.create_table(
        'merchant_hours_exception',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('opens', sa.String(length=5), nullable=True),
        sa.Column('closes', sa.String(length=5), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.CheckConstraint("(closed AND opens IS NULL AND closes IS NULL)"
                           " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL)",
                           name=op.f('ck_merchant_hours_exception_closed_or_span')),
        sa.CheckConstraint(f"opens IS NULL OR ({OPENS_OK})", name=op.f('ck_merchant_hours_exception_opens_clock')),
        sa.CheckConstraint(f"closes IS NULL OR ({CLOSES_OK})",
                           name=op.f('ck_merchant_hours_exception_closes_clock')),
        sa.CheckConstraint('closes IS NULL OR closes != opens', name=op.f('ck_merchant_hours_exception_not_empty')),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'],
                                name=op.f('fk_merchant_hours_exception_merchant_id_merchant')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_merchant_hours_exception')),
        sa.UniqueConstraint('merchant_id', 'day', 'opens', name='uq_merchant_hours_exception_merchant_day_opens'),
    )
    with op.batch_alter_table('merchant_hours_exception', schema=None) as batch_op:
        batch_op.create_index('uq_merchant_hours_exception_closed_day', ['merchant_id', 'day'], unique=True,
                              sqlite_where=sa.text('closed'), postgresql_where=sa.text('closed'))


def downgrade():
    with op.batch_alter_table('merchant_hours_exception', schema=None) as batch_op:
        batch_op.drop_index('uq_merchant_hours_exception_closed_day')
    op.drop_table('merchant_hours_exception')
    op.drop_table('merchant_hours')
    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.drop_index('ix_merchant_latitude_longitude')
    for table in ('merchant', 'station'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_holiday_rule'), type_='check')
            batch_op.drop_column('holiday_rule')
