"""notifications: the inbox, the SMS outbox, SMS preferences and the user's language

``user.language`` (nullable; 'zh' or 'en') is the language a user chose, so messages written while
they are away (an SMS, a reminder) are in their language. ``notification`` is the inbox: one row per
event and user (``dedupe_key`` unique, so a periodic job writes one reminder once); its index on
(user_id, read_at, created_at) serves the unread count. ``sms_message`` is the outbox that
``flask notify send`` drains (a status CHECK; an index on (status, next_attempt_at) for the due ones);
``notification_preference`` holds one choice per user and kind. New tables and one nullable column:
existing rows need nothing, on SQLite and PostgreSQL alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=True))
    op.create_table(
        'notification',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('dedupe_key', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_dedupe_key')),
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at', 'created_at'], unique=False)
    op.create_table(
        'sms_message',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('phone', sa.String(length=11), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('urgent', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=200), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'given_up', 'skipped')",
                           name=op.f('ck_sms_message_status')),
        sa.CheckConstraint('attempts >= 0', name=op.f('ck_sms_message_attempts')),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                                name=op.f('fk_sms_message_notification_id_notification')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sms_message_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_message')),
    )
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.create_index('ix_sms_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_message_user_id'), ['user_id'], unique=False)
    op.create_table(
        'notification_preference',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('sms', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preference')),
        sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preference_user_id_kind')),
    )


def downgrade():
    op.drop_table('notification_preference')
    with op.batch_alter_table('sms_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_message_user_id'))
        batch_op.drop_index('ix_sms_message_due')
    op.drop_table('sms_message')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
    op.drop_table('notification')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
