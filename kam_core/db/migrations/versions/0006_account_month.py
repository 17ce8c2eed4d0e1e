"""account_month (per-account-month facts), scorecard_store (stored scorecards), longer snapshot columns

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-03 10:45:00

``account_month`` starts empty with no state row, so the scorecard keeps reading ``order_day`` until it is
built: ``kam_core.db.engine.ensure_schema`` builds it right after this upgrade. The snapshot columns
``classification_snapshot.method`` (64 → 160) and ``account_metrics_snapshot.clv_model`` (16 → 32) were too
short for what ``store_snapshot`` writes: PostgreSQL refused the rows. DuckDB does not enforce VARCHAR lengths
(and refuses to alter a column of a table with a primary key), so it keeps its columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_SUMS = ('net_sales', 'gross_sales', 'cogs', 'volume_cases', 'pos_cases', 'promo_cases', 'premium_cases',
         'free_goods_cost')


def _lengths(method: int, clv_model: int) -> None:
    if op.get_bind().dialect.name == 'duckdb':
        return
    with op.batch_alter_table('classification_snapshot') as batch:
        batch.alter_column('method', type_=sa.String(length=method), existing_nullable=True)
    with op.batch_alter_table('account_metrics_snapshot') as batch:
        batch.alter_column('clv_model', type_=sa.String(length=clv_model), existing_nullable=True)


def upgrade() -> None:
    op.create_table('account_month',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('late', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('sales_orders', sa.Integer(), nullable=False),
    sa.Column('delivery_cost', sa.Float(), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    *[sa.Column(name, sa.Float(), nullable=False) for name in _SUMS],
    sa.PrimaryKeyConstraint('account_id', 'month', 'late', name=op.f('pk_account_month'))
    )
    op.create_index('ix_account_month_month', 'account_month', ['month'], unique=False)
    op.create_table('scorecard_store',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('data_version', sa.String(length=200), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.Column('scorecard', sa.LargeBinary(), nullable=False),
    sa.Column('features', sa.LargeBinary(), nullable=False),
    sa.Column('meta', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_scorecard_store'))
    )
    _lengths(160, 32)


def downgrade() -> None:
    _lengths(64, 16)
    op.drop_table('scorecard_store')
    op.drop_index('ix_account_month_month', table_name='account_month')
    op.drop_table('account_month')
