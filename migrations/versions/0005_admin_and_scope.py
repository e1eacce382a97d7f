"""the admin role; merchants and journal entries belong to an organisation

``user.role`` may be ``admin`` (an admin belongs to no organisation: ``ck_user_admin_no_org``).
``merchant.organisation_id`` names the organisation that recruited the merchant, whose coordinators
manage it; ``NULL`` means programme-wide, managed by admins only. Existing merchants are back-filled
from the journal: the organisation of the coordinator who first saved the merchant; a merchant
nobody journaled stays ``NULL`` (an admin assigns it).

``audit_event.organisation_id`` is the organisation an entry belongs to (its coordinators see it on
the audit trail); ``NULL`` is programme-wide (admins only). Existing entries are back-filled: an
entry about a merchant takes the merchant's organisation, any other the acting coordinator's;
riders' own acts (sign-ups, vouchers) about a merchant take the merchant's. The journal's
append-only triggers are lifted for the back-fill only and put back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), "role IN ('rider', 'coordinator', 'merchant', 'admin')")
        batch_op.create_check_constraint(op.f('ck_user_admin_no_org'), "role != 'admin' OR organisation_id IS NULL")

    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_merchant_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_merchant_organisation_id'), ['organisation_id'], unique=False)

    drop_append_only_guard()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_organisation_id_organisation'), 'organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_index('ix_audit_event_organisation_created', ['organisation_id', 'created_at'],
                              unique=False)

    # The recruiting organisation: that of the coordinator who first saved the merchant.
    op.execute("""
        UPDATE merchant SET organisation_id = (
            SELECT u.organisation_id FROM audit_event e JOIN "user" u ON u.id = e.actor_id
            WHERE e.action = 'merchant.save' AND e.merchant_id = merchant.id AND u.role = 'coordinator'
            ORDER BY e.created_at, e.id LIMIT 1)""")
    op.execute("""
        UPDATE audit_event SET organisation_id = (
            SELECT m.organisation_id FROM merchant m WHERE m.id = audit_event.merchant_id)
        WHERE merchant_id IS NOT NULL""")
    op.execute("""
        UPDATE audit_event SET organisation_id = (
            SELECT u.organisation_id FROM "user" u WHERE u.id = audit_event.actor_id AND u.role = 'coordinator')
        WHERE merchant_id IS NULL""")
    create_append_only_guard()


def downgrade():
    drop_append_only_guard()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_organisation_created')
        batch_op.drop_constraint(batch_op.f('fk_audit_event_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
    create_append_only_guard()

    with op.batch_alter_table('merchant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merchant_organisation_id'))
        batch_op.drop_constraint(batch_op.f('fk_merchant_organisation_id_organisation'), type_='foreignkey')
        batch_op.drop_column('organisation_id')

    # Admins cannot exist before this revision: they become deactivated riders (their history stays).
    op.execute("""UPDATE "user" SET role = 'rider', active = false WHERE role = 'admin'""")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_admin_no_org'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_role'), "role IN ('rider', 'coordinator', 'merchant')")


def create_append_only_guard():
    """Make ``audit_event`` append-only in the database itself (as revision 0002 does)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event
                BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""")


def drop_append_only_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
