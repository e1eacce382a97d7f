"""JSON API v1: bearer tokens and the stored answers of idempotent requests

``api_token`` holds tokens issued by an admin: ``till`` (bound to one merchant and one of its staff accounts)
or ``platform`` (a city platform); only a SHA-256 hash of each secret is stored. ``idempotent_answer`` keeps
the first answer to a request sent with an ``Idempotency-Key`` (unique per token and key).

Downgrade: both tables are dropped (every token stops working).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=True),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('prefix', sa.String(length=8), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("scope IN ('till', 'platform')", name=op.f('ck_api_token_scope')),
        sa.CheckConstraint("(scope = 'till' AND merchant_id IS NOT NULL AND staff_id IS NOT NULL)"
                           " OR (scope = 'platform' AND merchant_id IS NULL AND staff_id IS NULL)",
                           name=op.f('ck_api_token_till_bound_to_merchant')),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_api_token_merchant_id_merchant')),
        sa.ForeignKeyConstraint(['staff_id'], ['user.id'], name=op.f('fk_api_token_staff_id_user')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_token_created_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash')),
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_merchant_id'), ['merchant_id'], unique=False)

    op.create_table(
        'idempotent_answer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_idempotent_answer_token_id_api_token')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotent_answer')),
        sa.UniqueConstraint('token_id', 'key', name='uq_idempotent_answer_token_key'),
    )
    with op.batch_alter_table('idempotent_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_answer_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('idempotent_answer')
    op.drop_table('api_token')
