"""reports: departments, categories, problem reports with photos and a timeline; department staff; Open311 keys

``department`` (a city department; the programme's) and ``report_category`` (eight fixed codes, each routed to a
default department, with the points a confirmed report earns and whether the reporter is hidden from the
department). ``department_staff`` ties a user of the new role ``department`` to one department. ``report``: a
problem at a WGS-84 position with its status (submitted, accepted, routed, resolved, rejected, closed);
``report_update`` its timeline; ``report_photo`` its photos (before/after), whose JPEG bytes live in
``stored_file`` (core/storage.py) unless FILE_STORAGE=folder; ``report_support`` the "me too"s; ``open311_key``
hashed API keys of city platforms. ``ledger_entry.report_id`` names the report an award came from (awards only;
the ledger's append-only triggers are lifted for the change and put back). New tables and a nullable column:
nothing to back-fill. Downgrade: department staff become deactivated riders (their history stays).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 15:28:28

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


ROLES_BEFORE = "role IN ('rider', 'coordinator', 'merchant', 'admin')"
ROLES_AFTER = "role IN ('rider', 'coordinator', 'merchant', 'admin', 'department')"


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), ROLES_AFTER)
    op.create_table(
        'stored_file',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=50), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_file')),
    )
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('transport', 'city_management', 'market_supervision', 'fire', 'sanitation', 'other')", name=op.f('ck_department_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('name', name=op.f('uq_department_name'))
    )
    op.create_table('report_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("code IN ('road_facilities', 'traffic_signals', 'blocked_passage', 'food_safety', 'fire_hazard', 'sanitation', 'station_problem', 'other')", name=op.f('ck_report_category_code')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_report_category_points_not_negative')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_report_category_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_category')),
    sa.UniqueConstraint('code', name=op.f('uq_report_category_code'))
    )
    op.create_table('department_staff',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_department_staff_department_id_department')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_department_staff_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_department_staff'))
    )
    categories = sa.table('report_category', sa.column('code'), sa.column('points'), sa.column('anonymous'),
                          sa.column('position'), sa.column('active'))
    op.bulk_insert(categories, [
        {"code": code, "points": points, "anonymous": code == "food_safety", "position": position, "active": True}
        for position, (code, points) in enumerate([
            ("road_facilities", 10), ("traffic_signals", 10), ("blocked_passage", 10), ("food_safety", 20),
            ("fire_hazard", 20), ("sanitation", 5), ("station_problem", 5), ("other", 5)])
    ])
    with op.batch_alter_table('department_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_staff_department_id'), ['department_id'], unique=False)

    op.create_table('open311_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_open311_key_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open311_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_open311_key_key_hash'))
    )
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('open311_key_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('latitude', sa.Double(), nullable=False),
    sa.Column('longitude', sa.Double(), nullable=False),
    sa.Column('entered_crs', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('merchant_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('reopened_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("entered_crs IN ('wgs84', 'gcj02')", name=op.f('ck_report_entered_crs')),
    sa.CheckConstraint("reporter_id IS NOT NULL OR source = 'open311'", name=op.f('ck_report_reporter_or_platform')),
    sa.CheckConstraint("source IN ('app', 'open311')", name=op.f('ck_report_source')),
    sa.CheckConstraint("status != 'routed' OR department_id IS NOT NULL", name=op.f('ck_report_routed_has_department')),
    sa.CheckConstraint("status IN ('submitted', 'accepted', 'routed', 'resolved', 'rejected', 'closed')", name=op.f('ck_report_status')),
    sa.CheckConstraint('supporters >= 0', name=op.f('ck_report_supporters_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['report_category.id'], name=op.f('fk_report_category_id_report_category')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_report_department_id_department')),
    sa.ForeignKeyConstraint(['merchant_id'], ['merchant.id'], name=op.f('fk_report_merchant_id_merchant')),
    sa.ForeignKeyConstraint(['open311_key_id'], ['open311_key.id'], name=op.f('fk_report_open311_key_id_open311_key')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_report_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_report_reporter_id_user')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_report_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index('ix_report_category_latitude_longitude', ['category_id', 'latitude', 'longitude'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_report_status_created', ['status', 'created_at'], unique=False)

    op.create_table('report_support',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_support_report_id_report')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_report_support_user_id_user')),
    sa.PrimaryKeyConstraint('report_id', 'user_id', name=op.f('pk_report_support'))
    )
    op.create_table('report_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('submitted', 'accepted', 'routed', 'recategorised', 'resolved', 'rejected', 'confirmed', 'reopened', 'verified', 'supported')", name=op.f('ck_report_update_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_report_update_actor_id_user')),
    sa.ForeignKeyConstraint(['category_id'], ['report_category.id'], name=op.f('fk_report_update_category_id_report_category')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_report_update_department_id_department')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_update_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_update'))
    )
    with op.batch_alter_table('report_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_update_report_id'), ['report_id'], unique=False)

    op.create_table('report_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('storage_key', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('before', 'after')", name=op.f('ck_report_photo_kind')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_photo_report_id_report')),
    sa.ForeignKeyConstraint(['update_id'], ['report_update.id'], name=op.f('fk_report_photo_update_id_report_update')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photo')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_report_photo_storage_key'))
    )
    with op.batch_alter_table('report_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_photo_report_id'), ['report_id'], unique=False)

    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_entry_report_id'), ['report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ledger_entry_report_id_report'), 'report', ['report_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_ledger_entry_report_only_for_awards'),
                                         "report_id IS NULL OR (kind = 'award' AND signup_id IS NULL)")
    create_ledger_guards()


def downgrade():
    drop_ledger_guards()
    with op.batch_alter_table('ledger_entry', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_ledger_entry_report_only_for_awards'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_ledger_entry_report_id_report'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_entry_report_id'))
        batch_op.drop_column('report_id')
    create_ledger_guards()

    with op.batch_alter_table('report_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_photo_report_id'))

    op.drop_table('report_photo')
    with op.batch_alter_table('report_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_update_report_id'))

    op.drop_table('report_update')
    op.drop_table('report_support')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index('ix_report_status_created')
        batch_op.drop_index(batch_op.f('ix_report_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_report_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_report_department_id'))
        batch_op.drop_index('ix_report_category_latitude_longitude')

    op.drop_table('report')
    op.drop_table('open311_key')
    with op.batch_alter_table('department_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_staff_department_id'))

    op.drop_table('department_staff')
    op.drop_table('report_category')
    op.drop_table('department')
    op.drop_table('stored_file')
    op.execute("""UPDATE "user" SET role = 'rider', active = false WHERE role = 'department'""")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), ROLES_BEFORE)


def create_ledger_guards():
    """Make ``ledger_entry`` append-only in the database itself (as revision 0001 does)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
            FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER ledger_entry_no_{event.lower()} BEFORE {event} ON ledger_entry
                BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""")


def drop_ledger_guards():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry")
        op.execute("DROP FUNCTION IF EXISTS ledger_entry_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_update")
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
