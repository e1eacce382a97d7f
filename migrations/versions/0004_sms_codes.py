"""one-time SMS codes

``phone_code`` holds the current code of each phone and purpose (registration, forgot password, change of
phone): one row per (phone, purpose), unique, reused by every new code; only an HMAC of the code is
stored. A new table only, so it runs the same with data on SQLite and PostgreSQL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'phone_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=11), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('tries', sa.Integer(), server_default='0', nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("purpose IN ('register', 'reset_password', 'change_phone')",
                           name=op.f('ck_phone_code_purpose')),
        sa.CheckConstraint('tries >= 0 AND tries <= 5', name=op.f('ck_phone_code_tries')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_code')),
        sa.UniqueConstraint('phone', 'purpose', name=op.f('uq_phone_code_phone_purpose')),
    )


def downgrade():
    op.drop_table('phone_code')
