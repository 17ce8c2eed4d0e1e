"""account plan and archive: contact authority/personality/hobbies/e-mail, account_plan_item

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-03 10:45:00

Existing contacts keep the new fields empty. The contact's authority gets its CHECK on PostgreSQL; on
SQLite (which cannot add a CHECK to an existing table) the application checks it (kam_core.profile.validate,
and the importer reads the allowed values from the metadata).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('account_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authority', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('personality', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('hobbies', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=128), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(
            op.f('ck_account_contact_authority_values'), 'account_contact',
            "authority IN ('decision_maker','influencer','user','gatekeeper','coach')",
        )
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.CreateSequence(sa.Sequence('plan_item_id_seq')))
    op.create_table('account_plan_item',
    sa.Column('plan_item_id', sa.Integer(), sa.Sequence('plan_item_id_seq'), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('action_type', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('target_metric', sa.String(length=24), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('account_goal','objective','strategy','action')", name=op.f('ck_account_plan_item_kind_values')),
    sa.CheckConstraint("status IN ('planned','in_progress','done','dropped')", name=op.f('ck_account_plan_item_status_values')),
    sa.ForeignKeyConstraint(['account_id'], ['account.account_id'], name=op.f('fk_account_plan_item_account_id_account')),
    sa.PrimaryKeyConstraint('plan_item_id', name=op.f('pk_account_plan_item'))
    )
    with op.batch_alter_table('account_plan_item', schema=None) as batch_op:
        batch_op.create_index('ix_account_plan_item_account', ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('account_plan_item', schema=None) as batch_op:
        batch_op.drop_index('ix_account_plan_item_account')
    op.drop_table('account_plan_item')
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.DropSequence(sa.Sequence('plan_item_id_seq')))
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_account_contact_authority_values'), 'account_contact', type_='check')
    sqlite = bind.dialect.name == 'sqlite'  # only SQLite rebuilds the table (DuckDB cannot reflect checks)
    checks = {c['name'] for c in sa.inspect(bind).get_check_constraints('account_contact')} if sqlite else set()
    with op.batch_alter_table('account_contact', schema=None) as batch_op:
        # SQLite rebuilds the table: a schema created at head carries the check on authority (an upgraded one not)
        if 'ck_account_contact_authority_values' in checks:
            batch_op.drop_constraint(op.f('ck_account_contact_authority_values'), type_='check')
        batch_op.drop_column('email')
        batch_op.drop_column('hobbies')
        batch_op.drop_column('personality')
        batch_op.drop_column('authority')
