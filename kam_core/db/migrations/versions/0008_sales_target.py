"""sales_target: monthly net-sales and case targets per account, region (code) or rep

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 12:00:00

Exactly one of account_id, region_code, rep_id per row (docs/methods_comparisons.md).
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.CreateSequence(sa.Sequence('sales_target_id_seq')))
    op.create_table('sales_target',
    sa.Column('sales_target_id', sa.Integer(), sa.Sequence('sales_target_id_seq'), nullable=False),
    sa.Column('account_id', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('rep_id', sa.String(length=32), nullable=True),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('target_net_sales', sa.Float(), nullable=True),
    sa.Column('target_cases', sa.Float(), nullable=True),
    sa.CheckConstraint(
        "(CASE WHEN account_id IS NULL THEN 0 ELSE 1 END + CASE WHEN region_code IS NULL THEN 0 ELSE 1 END"
        " + CASE WHEN rep_id IS NULL THEN 0 ELSE 1 END) = 1",
        name=op.f('ck_sales_target_one_key'),
    ),
    sa.ForeignKeyConstraint(['account_id'], ['account.account_id'], name=op.f('fk_sales_target_account_id_account')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_sales_target_region_code_region')),
    sa.ForeignKeyConstraint(['rep_id'], ['sales_rep.rep_id'], name=op.f('fk_sales_target_rep_id_sales_rep')),
    sa.PrimaryKeyConstraint('sales_target_id', name=op.f('pk_sales_target'))
    )
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.create_index('ix_sales_target_month', ['month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sales_target', schema=None) as batch_op:
        batch_op.drop_index('ix_sales_target_month')
    op.drop_table('sales_target')
    if op.get_bind().dialect.supports_sequences:
        op.execute(sa.schema.DropSequence(sa.Sequence('sales_target_id_seq')))
