"""verified check-in and check-out: a per-task code secret, how and when attendance was verified

``task.checkin_secret`` (base32, 32 characters) seeds the task's rotating check-in and check-out codes;
existing tasks get a random one here, new tasks at creation; it is never shown. ``signup`` gets
``attendance_method`` (``verified`` or ``manual``, ``NULL`` until marked; a CHECK keeps the two words),
``checked_in_at``, ``checked_out_at`` (a CHECK: only after a check-in), ``verified_minutes`` (≥ 0) and
``checkin_distance_m`` (metres from the task's coordinates, when the phone shared its location). Existing
marked sign-ups stay ``NULL`` (nobody knows how they were marked).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:30:00

"""
import pyotp
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_secret', sa.String(length=32), nullable=True))
    task = sa.table('task', sa.column('id', sa.Integer()), sa.column('checkin_secret', sa.String(32)))
    connection = op.get_bind()
    for (task_id,) in connection.execute(sa.select(task.c.id)).all():
        connection.execute(sa.update(task).where(task.c.id == task_id).values(checkin_secret=pyotp.random_base32()))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.alter_column('checkin_secret', existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_method', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('checked_out_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('verified_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checkin_distance_m', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_signup_attendance_method'),
                                         "attendance_method IN ('verified', 'manual')")
        batch_op.create_check_constraint(batch_op.f('ck_signup_verified_minutes_not_negative'),
                                         'verified_minutes >= 0')
        batch_op.create_check_constraint(batch_op.f('ck_signup_checked_out_after_in'),
                                         'checked_out_at IS NULL OR checked_in_at IS NOT NULL')


def downgrade():
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_signup_checked_out_after_in'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_signup_verified_minutes_not_negative'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_signup_attendance_method'), type_='check')
        batch_op.drop_column('checkin_distance_m')
        batch_op.drop_column('verified_minutes')
        batch_op.drop_column('checked_out_at')
        batch_op.drop_column('checked_in_at')
        batch_op.drop_column('attendance_method')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('checkin_secret')
