"""consent to the privacy notice; deleted accounts

``user.privacy_version`` and ``user.privacy_accepted_at`` record which version of the privacy notice
(``PRIVACY_VERSION``) the user accepted and when; existing users have ``NULL`` (never asked), so a
rider is asked at the next log-in. ``user.deleted_at`` marks an account its owner deleted: the row
stays (the ledger and the journal refer to it) with the personal data erased.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_accepted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('privacy_accepted_at')
        batch_op.drop_column('privacy_version')
