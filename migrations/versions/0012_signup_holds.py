"""holds: a freed place offered to one waiting rider until a time

``signup`` gets the status ``offered`` with ``offered_at`` and ``hold_until`` (UTC): the first eligible
waiting rider is offered a freed place until ``hold_until``; the place counts in ``task.taken`` while it
is held. A CHECK says a sign-up is offered exactly when it has a ``hold_until`` (and an ``offered_at``);
an index on (status, hold_until) lets ``flask signups expire-holds`` find ended holds without reading
every sign-up.
Existing rows need no back-fill: no sign-up is offered yet and both columns are ``NULL`` for them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show', 'removed')"
NEW_STATUSES = "status IN ('confirmed', 'waitlisted', 'offered', 'cancelled', 'attended', 'no_show', 'removed')"
HOLD_RECORDED = ("(status = 'offered' AND hold_until IS NOT NULL AND offered_at IS NOT NULL)"
                 " OR (status != 'offered' AND hold_until IS NULL)")


def upgrade():
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offered_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('hold_until', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_signup_status'), type_='check')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_signup_status'), NEW_STATUSES)
        batch_op.create_check_constraint(batch_op.f('ck_signup_hold_only_when_offered'), HOLD_RECORDED)
        batch_op.create_index('ix_signup_status_hold_until', ['status', 'hold_until'], unique=False)


def downgrade():
    # Held places go back to the waitlist first (they leave ``task.taken``), so the old CHECK holds.
    op.execute("UPDATE task SET taken = taken - (SELECT count(*) FROM signup"
               " WHERE signup.task_id = task.id AND signup.status = 'offered')")
    op.execute("UPDATE signup SET status = 'waitlisted', hold_until = NULL WHERE status = 'offered'")
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_status_hold_until')
        batch_op.drop_constraint(batch_op.f('ck_signup_hold_only_when_offered'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_signup_status'), type_='check')
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_signup_status'), OLD_STATUSES)
        batch_op.drop_column('hold_until')
        batch_op.drop_column('offered_at')
