"""recognition, service ratings, settlement statements, imported riders, the training category

``task.category`` gains ``training``. ``service_rating``: a coordinator's rating of a rider's service on an
attended task (a change is a new row naming the one it replaces). ``score_part``: the weights of the composite
score, seeded with the defaults. ``level_change``, ``pioneer_mark``, ``certificate`` (+ ``certificate_line``,
``certificate_revocation``): recognition's records. ``statement`` and ``statement_line``: merchant settlement.
``user.imported_at``/``imported_by_id``/``phone_confirmed_at``: riders imported from a list confirm their phone
on first log-in. New tables and nullable columns: nothing to back-fill. Downgrade: training tasks become
community service.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:10:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

CATEGORIES_BEFORE = ("category IN ('traffic_safety', 'patrol', 'elderly_care', 'errands', 'first_aid', "
                     "'community')")
CATEGORIES_AFTER = ("category IN ('traffic_safety', 'patrol', 'elderly_care', 'errands', 'first_aid', "
                    "'community', 'training')")
DEFAULT_PARTS = (("training", 20, 5), ("hours", 40, 3), ("reports", 20, 5), ("ratings", 20, 20))


def upgrade():
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_task_category'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_category'), CATEGORIES_AFTER)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('imported_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('imported_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phone_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_user_imported_by_id_user'), 'user', ['imported_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_user_import_recorded'),
                                         "imported_at IS NULL OR imported_by_id IS NOT NULL")

    op.create_table(
        'service_rating',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('signup_id', sa.Integer(), nullable=False),
        sa.Column('rider_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('rating', sa.String(length=10), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('rated_by_id', sa.Integer(), nullable=False),
        sa.Column('rated_at', sa.DateTime(), nullable=False),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("rating IN ('good', 'fair', 'poor')", name=op.f('ck_service_rating_rating')),
        sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_service_rating_signup_id_signup')),
        sa.ForeignKeyConstraint(['rider_id'], ['user.id'], name=op.f('fk_service_rating_rider_id_user')),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_service_rating_task_id_task')),
        sa.ForeignKeyConstraint(['rated_by_id'], ['user.id'], name=op.f('fk_service_rating_rated_by_id_user')),
        sa.ForeignKeyConstraint(['replaces_id'], ['service_rating.id'],
                                name=op.f('fk_service_rating_replaces_id_service_rating')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_rating')),
        sa.UniqueConstraint('replaces_id', name=op.f('uq_service_rating_replaces_id')),
    )
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_rating_signup_id'), ['signup_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_rider_id'), ['rider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rating_task_id'), ['task_id'], unique=False)
        batch_op.create_index('uq_service_rating_first', ['signup_id'], unique=True,
                              sqlite_where=sa.text('replaces_id IS NULL'),
                              postgresql_where=sa.text('replaces_id IS NULL'))

    score_part = op.create_table(
        'score_part',
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('max_points', sa.Integer(), nullable=False),
        sa.Column('points_per_unit', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("code IN ('training', 'hours', 'reports', 'ratings')", name=op.f('ck_score_part_code')),
        sa.CheckConstraint('max_points >= 0 AND max_points <= 1000', name=op.f('ck_score_part_max_points_range')),
        sa.CheckConstraint('points_per_unit >= 0 AND points_per_unit <= 1000',
                           name=op.f('ck_score_part_points_per_unit_range')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_score_part_updated_by_id_user')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_score_part')),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(score_part, [{"code": code, "max_points": most, "points_per_unit": each, "updated_at": now}
                                for code, most, each in DEFAULT_PARTS])

    op.create_table(
        'level_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rider_id', sa.Integer(), nullable=False),
        sa.Column('level_from', sa.Integer(), nullable=False),
        sa.Column('level_to', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.CheckConstraint('level_from >= 0 AND level_to >= 0 AND level_from != level_to',
                           name=op.f('ck_level_change_levels')),
        sa.CheckConstraint('minutes >= 0', name=op.f('ck_level_change_minutes_not_negative')),
        sa.ForeignKeyConstraint(['rider_id'], ['user.id'], name=op.f('fk_level_change_rider_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_level_change')),
        sa.UniqueConstraint('key', name=op.f('uq_level_change_key')),
    )
    with op.batch_alter_table('level_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_level_change_rider_id'), ['rider_id'], unique=False)

    op.create_table(
        'pioneer_mark',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rider_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('withdraws_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('mark', 'withdraw')", name=op.f('ck_pioneer_mark_kind')),
        sa.CheckConstraint("(kind = 'mark') = (withdraws_id IS NULL)", name=op.f('ck_pioneer_mark_withdraw_names_mark')),
        sa.CheckConstraint("reason != ''", name=op.f('ck_pioneer_mark_reason_given')),
        sa.ForeignKeyConstraint(['rider_id'], ['user.id'], name=op.f('fk_pioneer_mark_rider_id_user')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_pioneer_mark_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_pioneer_mark_actor_id_user')),
        sa.ForeignKeyConstraint(['withdraws_id'], ['pioneer_mark.id'],
                                name=op.f('fk_pioneer_mark_withdraws_id_pioneer_mark')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pioneer_mark')),
        sa.UniqueConstraint('withdraws_id', name=op.f('uq_pioneer_mark_withdraws_id')),
    )
    with op.batch_alter_table('pioneer_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pioneer_mark_rider_id'), ['rider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pioneer_mark_organisation_id'), ['organisation_id'], unique=False)

    op.create_table(
        'certificate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rider_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=43), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('total_minutes', sa.Integer(), nullable=False),
        sa.Column('task_count', sa.Integer(), nullable=False),
        sa.CheckConstraint('total_minutes >= 0 AND task_count >= 0', name=op.f('ck_certificate_totals_not_negative')),
        sa.ForeignKeyConstraint(['rider_id'], ['user.id'], name=op.f('fk_certificate_rider_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
        sa.UniqueConstraint('token', name=op.f('uq_certificate_token')),
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_rider_id'), ['rider_id'], unique=False)
    op.create_table(
        'certificate_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('signup_id', sa.Integer(), nullable=False),
        sa.Column('task_title', sa.String(length=100), nullable=False),
        sa.Column('organisation_name', sa.String(length=100), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.CheckConstraint('minutes >= 0', name=op.f('ck_certificate_line_minutes_not_negative')),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                                name=op.f('fk_certificate_line_certificate_id_certificate')),
        sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_certificate_line_signup_id_signup')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_line')),
        sa.UniqueConstraint('certificate_id', 'signup_id', name='uq_certificate_line_signup'),
    )
    with op.batch_alter_table('certificate_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_line_certificate_id'), ['certificate_id'], unique=False)
    op.create_table(
        'certificate_revocation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason != ''", name=op.f('ck_certificate_revocation_reason_given')),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'],
                                name=op.f('fk_certificate_revocation_certificate_id_certificate')),
        sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_certificate_revocation_actor_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_revocation')),
        sa.UniqueConstraint('certificate_id', name=op.f('uq_certificate_revocation_certificate_id')),
    )

    op.create_table(
        'statement',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('merchant_id', sa.Integer(), nullable=False),
        sa.Column('period_kind', sa.String(length=10), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('total_fen', sa.BigInteger(), nullable=False),
        sa.Column('line_count', sa.Integer(), nullable=False),
        sa.Column('drawn_at', sa.DateTime(), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=True),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('paid_on', sa.Date(), nullable=True),
        sa.Column('payment_reference', sa.String(length=100), nullable=True),
        sa.Column('paid_recorded_at', sa.DateTime(), nullable=True),
        sa.Column('paid_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("period_kind IN ('week', 'month')", name=op.f('ck_statement_period_kind')),
        sa.CheckConstraint("status IN ('draft', 'issued', 'paid')", name=op.f('ck_statement_status')),
        sa.CheckConstraint('period_end >= period_start', name=op.f('ck_statement_period_order')),
        sa.CheckConstraint("status = 'draft' OR (issued_at IS NOT NULL AND issued_by_id IS NOT NULL)",
                           name=op.f('ck_statement_issued_recorded')),
        sa.CheckConstraint("(status = 'paid') = (paid_on IS NOT NULL AND payment_reference IS NOT NULL"
                           " AND paid_by_id IS NOT NULL)", name=op.f('ck_statement_paid_recorded')),
        sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_statement_merchant_id_merchant')),
        sa.ForeignKeyConstraint(['drawn_by_id'], ['user.id'], name=op.f('fk_statement_drawn_by_id_user')),
        sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_statement_issued_by_id_user')),
        sa.ForeignKeyConstraint(['paid_by_id'], ['user.id'], name=op.f('fk_statement_paid_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement')),
        sa.UniqueConstraint('merchant_id', 'period_kind', 'period_start', name='uq_statement_merchant_period'),
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_merchant_id'), ['merchant_id'], unique=False)
    op.create_table(
        'statement_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('voucher_id', sa.Integer(), nullable=False),
        sa.Column('redeemed_at', sa.DateTime(), nullable=False),
        sa.Column('happened_at', sa.DateTime(), nullable=False),
        sa.Column('correction_id', sa.Integer(), nullable=True),
        sa.Column('offer_title', sa.String(length=100), nullable=False),
        sa.Column('masked_code', sa.String(length=24), nullable=False),
        sa.Column('amount_fen', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('redemption', 'adjustment')", name=op.f('ck_statement_line_kind')),
        sa.CheckConstraint("(kind = 'redemption' AND correction_id IS NULL AND amount_fen >= 0)"
                           " OR (kind = 'adjustment' AND correction_id IS NOT NULL AND amount_fen <= 0)",
                           name=op.f('ck_statement_line_kind_fields')),
        sa.ForeignKeyConstraint(['statement_id'], ['statement.id'], name=op.f('fk_statement_line_statement_id_statement')),
        sa.ForeignKeyConstraint(['voucher_id'], ['voucher.id'], name=op.f('fk_statement_line_voucher_id_voucher')),
        sa.ForeignKeyConstraint(['correction_id'], ['voucher_correction.id'],
                                name=op.f('fk_statement_line_correction_id_voucher_correction')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_line')),
        sa.UniqueConstraint('correction_id', name=op.f('uq_statement_line_correction_id')),
        sa.UniqueConstraint('voucher_id', 'redeemed_at', 'kind', name='uq_statement_line_claim'),
    )
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_line_statement_id'), ['statement_id'], unique=False)


def downgrade():
    with op.batch_alter_table('statement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_line_statement_id'))
    op.drop_table('statement_line')
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_merchant_id'))
    op.drop_table('statement')
    op.drop_table('certificate_revocation')
    with op.batch_alter_table('certificate_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_line_certificate_id'))
    op.drop_table('certificate_line')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_rider_id'))
    op.drop_table('certificate')
    with op.batch_alter_table('pioneer_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pioneer_mark_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_pioneer_mark_rider_id'))
    op.drop_table('pioneer_mark')
    with op.batch_alter_table('level_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_level_change_rider_id'))
    op.drop_table('level_change')
    op.drop_table('score_part')
    with op.batch_alter_table('service_rating', schema=None) as batch_op:
        batch_op.drop_index('uq_service_rating_first', sqlite_where=sa.text('replaces_id IS NULL'),
                            postgresql_where=sa.text('replaces_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_service_rating_task_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_rider_id'))
        batch_op.drop_index(batch_op.f('ix_service_rating_signup_id'))
    op.drop_table('service_rating')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_import_recorded'), type_='check')
        batch_op.drop_constraint(op.f('fk_user_imported_by_id_user'), type_='foreignkey')
        batch_op.drop_column('phone_confirmed_at')
        batch_op.drop_column('imported_by_id')
        batch_op.drop_column('imported_at')
    op.execute("UPDATE task SET category = 'community' WHERE category = 'training'")
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_task_category'), type_='check')
        batch_op.create_check_constraint(op.f('ck_task_category'), CATEGORIES_BEFORE)
