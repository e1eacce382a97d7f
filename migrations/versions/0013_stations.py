"""stations: rest stations (暖新窝) with weekly opening hours and dated exceptions

``station``: an organisation's rest station at a WGS-84 position (``latitude``/``longitude``, degrees, CHECKed in
range; indexed together for the bounding box of "near me"), with the system the position was entered in
(``entered_crs``: wgs84 or gcj02), a kind, comma-separated amenity codes, an optional phone and an active flag.
``station_hours``: weekly spans (weekday 0 = Monday, ``"HH:MM"`` local; ``closes`` before ``opens`` runs past
midnight, ``"24:00"`` is the end of the day). ``station_hours_exception``: a dated closed day or span.
New tables only: nothing to back-fill.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _clock(column, last):
    return (f"length({column}) = 5 AND substr({column}, 3, 1) = ':' AND substr({column}, 1, 2) >= '00'"
            f" AND substr({column}, 4, 2) >= '00' AND substr({column}, 4, 2) <= '59'"
            f" AND {column} >= '00:00' AND {column} <= '{last}' AND substr({column}, 1, 2) <= '24'")


OPENS_OK = _clock("opens", "23:59")
CLOSES_OK = f"({_clock('closes', '23:59')}) OR closes = '24:00'"


def upgrade():
    op.create_table(
        'station',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('address', sa.String(length=200), nullable=False),
        sa.Column('latitude', sa.Double(), nullable=False),
        sa.Column('longitude', sa.Double(), nullable=False),
        sa.Column('entered_crs', sa.String(length=10), nullable=False),
        sa.Column('amenities', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('community_centre', 'shop', 'office', 'canteen', 'other')",
                           name=op.f('ck_station_kind')),
        sa.CheckConstraint("entered_crs IN ('wgs84', 'gcj02')", name=op.f('ck_station_entered_crs')),
        sa.CheckConstraint('latitude >= -90 AND latitude <= 90', name=op.f('ck_station_latitude_range')),
        sa.CheckConstraint('longitude >= -180 AND longitude <= 180', name=op.f('ck_station_longitude_range')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_station_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    )
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_station_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_station_latitude_longitude', ['latitude', 'longitude'], unique=False)
    op.create_table(
        'station_hours',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('opens', sa.String(length=5), nullable=False),
        sa.Column('closes', sa.String(length=5), nullable=False),
        sa.CheckConstraint('weekday >= 0 AND weekday <= 6', name=op.f('ck_station_hours_weekday')),
        sa.CheckConstraint(OPENS_OK, name=op.f('ck_station_hours_opens_clock')),
        sa.CheckConstraint(CLOSES_OK, name=op.f('ck_station_hours_closes_clock')),
        sa.CheckConstraint('closes != opens', name=op.f('ck_station_hours_not_empty')),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_station_hours_station_id_station')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_station_hours')),
        sa.UniqueConstraint('station_id', 'weekday', 'opens', name='uq_station_hours_station_weekday_opens'),
    )
    op.create_table(
        'station_hours_exception',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('opens', sa.String(length=5), nullable=True),
        sa.Column('closes', sa.String(length=5), nullable=True),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.CheckConstraint("(closed AND opens IS NULL AND closes IS NULL)"
                           " OR (NOT closed AND opens IS NOT NULL AND closes IS NOT NULL)",
                           name=op.f('ck_station_hours_exception_closed_or_span')),
        sa.CheckConstraint(f"opens IS NULL OR ({OPENS_OK})", name=op.f('ck_station_hours_exception_opens_clock')),
        sa.CheckConstraint(f"closes IS NULL OR ({CLOSES_OK})",
                           name=op.f('ck_station_hours_exception_closes_clock')),
        sa.CheckConstraint('closes IS NULL OR closes != opens', name=op.f('ck_station_hours_exception_not_empty')),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'],
                                name=op.f('fk_station_hours_exception_station_id_station')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_station_hours_exception')),
        sa.UniqueConstraint('station_id', 'day', 'opens', name='uq_station_hours_exception_station_day_opens'),
    )
    with op.batch_alter_table('station_hours_exception', schema=None) as batch_op:
        batch_op.create_index('uq_station_hours_exception_closed_day', ['station_id', 'day'], unique=True,
                              sqlite_where=sa.text('closed'), postgresql_where=sa.text('closed'))


def downgrade():
    with op.batch_alter_table('station_hours_exception', schema=None) as batch_op:
        batch_op.drop_index('uq_station_hours_exception_closed_day')
    op.drop_table('station_hours_exception')
    op.drop_table('station_hours')
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index('ix_station_latitude_longitude')
        batch_op.drop_index(batch_op.f('ix_station_organisation_id'))
    op.drop_table('station')
