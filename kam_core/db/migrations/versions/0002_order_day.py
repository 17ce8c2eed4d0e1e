"""order_day: the per-(account, order day) pre-aggregate of the order lines, and aggregate_state

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 11:40:00

The table starts empty with no state row, so the scorecard keeps reading the order lines until it is built:
``kam_core.db.engine.ensure_schema`` builds it right after this upgrade (and ``python -m kam_core
refresh-aggregates`` does on demand).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_day',
    sa.Column('account_id', sa.String(length=32), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('orders', sa.Integer(), nullable=False),
    sa.Column('sales_orders', sa.Integer(), nullable=False),
    sa.Column('delivery_cost', sa.Float(), nullable=False),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('net_sales', sa.Float(), nullable=False),
    sa.Column('gross_sales', sa.Float(), nullable=False),
    sa.Column('cogs', sa.Float(), nullable=False),
    sa.Column('volume_cases', sa.Float(), nullable=False),
    sa.Column('pos_cases', sa.Float(), nullable=False),
    sa.Column('promo_cases', sa.Float(), nullable=False),
    sa.Column('premium_cases', sa.Float(), nullable=False),
    sa.Column('free_goods_cost', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'order_date', name=op.f('pk_order_day'))
    )
    op.create_index('ix_order_day_date', 'order_day', ['order_date'], unique=False)
    op.create_table('aggregate_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('order_headers', sa.Integer(), nullable=False),
    sa.Column('order_lines', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_aggregate_state'))
    )


def downgrade() -> None:
    op.drop_table('aggregate_state')
    op.drop_index('ix_order_day_date', table_name='order_day')
    op.drop_table('order_day')
