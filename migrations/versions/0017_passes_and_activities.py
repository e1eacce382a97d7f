"""the Haitang pass (partner buildings, building staff, pass entries) and welfare activities

``station.kind`` gains ``building`` with ``fast_lane``, ``ebike_spots`` and ``parking_where``; ``user.role``
gains ``building`` and ``user.birth_month`` (1–12) is added; ``building_staff`` ties a building-staff user to
one building; ``pass_entry`` records one entry per building, rider and local day. ``task.kind`` (``volunteer``
or ``activity``; existing tasks are volunteer work), activities may award 0 points and carry eligibility
rules; ``task.category`` gains ``celebration`` and ``health``.

Downgrade: entries and staff links are dropped, building staff become deactivated riders, buildings become
offices, activities become community-service tasks worth at least 1 point, the new categories community.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('rider', 'coordinator', 'merchant', 'admin', 'department')"
ROLES_AFTER = "role IN ('rider', 'coordinator', 'merchant', 'admin', 'department', 'building')"
KINDS_BEFORE = "kind IN ('community_centre', 'shop', 'office', 'canteen', 'other')"
KINDS_AFTER = "kind IN ('community_centre', 'shop', 'office', 'canteen', 'building', 'other')"
CATEGORIES_BEFORE = ("category IN ('traffic_safety', 'patrol', 'elderly_care', 'errands', 'first_aid', "
                     "'community', 'training')")
CATEGORIES_AFTER = ("category IN ('traffic_safety', 'patrol', 'elderly_care', 'errands', 'first_aid', "
                    "'community', 'training', 'celebration', 'health')")
POINTS_BEFORE = "points > 0"
POINTS_AFTER = "points > 0 OR (kind = 'activity' AND points = 0)"
RULES_ON_ACTIVITIES = ("kind = 'activity' OR (NOT rule_birth_month AND rule_trade IS NULL"
                       " AND rule_platform IS NULL AND NOT rule_new_this_year)")
RULE_TRADE = "rule_trade IS NULL OR rule_trade IN ('food_delivery', 'courier', 'ride_hailing', 'freight')"


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_month', sa.Integer(), nullable=True))
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), ROLES_AFTER)
        batch_op.create_check_constraint(op.f('ck_user_birth_month'),
                                         "birth_month IS NULL OR (birth_month >= 1 AND birth_month <= 12)")

    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fast_lane', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('ebike_spots', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('parking_where', sa.String(length=200), nullable=True))
        batch_op.drop_constraint(op.f('ck_station_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_station_kind'), KINDS_AFTER)
        batch_op.create_check_constraint(op.f('ck_station_ebike_spots_range'),
                                         "ebike_spots IS NULL OR (ebike_spots >= 0 AND ebike_spots <= 10000)")

    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=10), server_default='volunteer', nullable=False))
        batch_op.add_column(sa.Column('rule_birth_month', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('rule_trade', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('rule_platform', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('rule_new_this_year', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.drop_constraint(op.f('ck_task_category'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_category'), CATEGORIES_AFTER)
        batch_op.drop_constraint(op.f('ck_task_points_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_points_positive'), POINTS_AFTER)
        batch_op.create_check_constraint(op.f('ck_task_kind'), "kind IN ('volunteer', 'activity')")
        batch_op.create_check_constraint(op.f('ck_task_rules_on_activities'), RULES_ON_ACTIVITIES)
        batch_op.create_check_constraint(op.f('ck_task_rule_trade'), RULE_TRADE)

    op.create_table(
        'building_staff',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_building_staff_user_id_user')),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_building_staff_station_id_station')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_building_staff_created_by_id_user')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_building_staff')),
    )
    with op.batch_alter_table('building_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_building_staff_station_id'), ['station_id'], unique=False)

    op.create_table(
        'pass_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('station_id', sa.Integer(), nullable=False),
        sa.Column('rider_id', sa.Integer(), nullable=False),
        sa.Column('local_day', sa.Date(), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_pass_entry_station_id_station')),
        sa.ForeignKeyConstraint(['rider_id'], ['user.id'], name=op.f('fk_pass_entry_rider_id_user')),
        sa.ForeignKeyConstraint(['checked_by_id'], ['user.id'], name=op.f('fk_pass_entry_checked_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pass_entry')),
        sa.UniqueConstraint('station_id', 'rider_id', 'local_day', name='uq_pass_entry_station_rider_day'),
    )
    with op.batch_alter_table('pass_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pass_entry_rider_id'), ['rider_id'], unique=False)
        batch_op.create_index('ix_pass_entry_station_day', ['station_id', 'local_day'], unique=False)


def downgrade():
    op.drop_table('pass_entry')
    op.drop_table('building_staff')
    op.execute("UPDATE task SET points = 1 WHERE points = 0")
    op.execute("UPDATE task SET category = 'community' WHERE category IN ('celebration', 'health')")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_task_rule_trade'), type_='check')
        batch_op.drop_constraint(op.f('ck_task_rules_on_activities'), type_='check')
        batch_op.drop_constraint(op.f('ck_task_kind'), type_='check')
        batch_op.drop_constraint(op.f('ck_task_points_positive'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_points_positive'), POINTS_BEFORE)
        batch_op.drop_constraint(op.f('ck_task_category'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_category'), CATEGORIES_BEFORE)
        batch_op.drop_column('rule_new_this_year')
        batch_op.drop_column('rule_platform')
        batch_op.drop_column('rule_trade')
        batch_op.drop_column('rule_birth_month')
        batch_op.drop_column('kind')
    op.execute("UPDATE station SET kind = 'office' WHERE kind = 'building'")
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_station_ebike_spots_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_station_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_station_kind'), KINDS_BEFORE)
        batch_op.drop_column('parking_where')
        batch_op.drop_column('ebike_spots')
        batch_op.drop_column('fast_lane')
    op.execute("UPDATE \"user\" SET role = 'rider', active = false WHERE role = 'building'")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_birth_month'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), ROLES_BEFORE)
        batch_op.drop_column('birth_month')
