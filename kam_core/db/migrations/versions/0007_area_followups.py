"""contact_log: follow-up contacts by type (visit, call, message, e-mail, gift) and closed follow-ups

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 11:00:00

A row with ``task`` and ``due_date`` closes that follow-up on the Plan page (docs/methods_follow_ups.md).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.CreateSequence(sa.Sequence('contact_log_id_seq')))
    op.create_table('contact_log',
    sa.Column('contact_log_id', sa.Integer(), sa.Sequence('contact_log_id_seq'), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('contact_date', sa.Date(), nullable=False),
    sa.Column('contact_type', sa.String(length=8), nullable=False),
    sa.Column('task', sa.String(length=48), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('rep_id', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("contact_type IN ('visit','call','message','email','gift')", name=op.f('ck_contact_log_contact_type_values')),
    sa.ForeignKeyConstraint(['account_id'], ['account.account_id'], name=op.f('fk_contact_log_account_id_account')),
    sa.ForeignKeyConstraint(['rep_id'], ['sales_rep.rep_id'], name=op.f('fk_contact_log_rep_id_sales_rep')),
    sa.PrimaryKeyConstraint('contact_log_id', name=op.f('pk_contact_log'))
    )
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.create_index('ix_contact_log_account', ['account_id', 'contact_date'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_log', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_log_account')
    op.drop_table('contact_log')
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.DropSequence(sa.Sequence('contact_log_id_seq')))
