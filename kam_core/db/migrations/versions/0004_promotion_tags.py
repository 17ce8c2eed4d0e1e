"""Promotions after the event: coupon mechanic, SKU scope table, index on tagged lines, planted-campaign truth

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 10:45:00

``promotion.mechanic`` gains ``coupon`` (its CHECK is rebuilt on SQLite and PostgreSQL; DuckDB cannot alter a
constraint, so an upgraded DuckDB file keeps the old list and refuses coupon promotions: create a fresh one).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD = ("tpr", "per_case", "bottle_cap", "empty_exchange", "display", "free_goods", "feature")
NEW = OLD + ("coupon",)


def _check(values):
    return "mechanic IN (" + ",".join(f"'{v}'" for v in values) + ")"


def _mechanics(values) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "duckdb":
        return
    with op.batch_alter_table('promotion') as batch:
        batch.drop_constraint(op.f('ck_promotion_mechanic_values'), type_='check')
        batch.create_check_constraint('mechanic_values', _check(values))


def upgrade() -> None:
    op.add_column('promotion', sa.Column('coupon_face_value', sa.Float(), nullable=True))
    _mechanics(NEW)
    op.create_table('promotion_sku',
    sa.Column('promo_id', sa.String(length=32), nullable=False),
    sa.Column('sku_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['promo_id'], ['promotion.promo_id'], name=op.f('fk_promotion_sku_promo_id_promotion')),
    sa.ForeignKeyConstraint(['sku_id'], ['product.sku_id'], name=op.f('fk_promotion_sku_sku_id_product')),
    sa.PrimaryKeyConstraint('promo_id', 'sku_id', name=op.f('pk_promotion_sku'))
    )
    op.create_table('demo_truth_promotion',
    sa.Column('promo_id', sa.String(length=32), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('lift', sa.Float(), nullable=False),
    sa.Column('incremental_cases', sa.Float(), nullable=False),
    sa.Column('incremental_cases_per_account', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['promo_id'], ['promotion.promo_id'], name=op.f('fk_demo_truth_promotion_promo_id_promotion')),
    sa.PrimaryKeyConstraint('promo_id', name=op.f('pk_demo_truth_promotion'))
    )
    op.create_index('ix_order_line_promo', 'order_line', ['promo_id'], unique=False)


def downgrade() -> None:
    coupons = op.get_bind().exec_driver_sql("SELECT COUNT(*) FROM promotion WHERE mechanic = 'coupon'").scalar()
    if coupons:  # the old schema has no word for them: say so instead of a CHECK failure half-way
        raise RuntimeError(
            f"Cannot downgrade below 0004: {coupons} promotion(s) use the coupon mechanic, which revision 0003 "
            "does not know. Re-label or delete them first."
        )
    op.drop_index('ix_order_line_promo', table_name='order_line')
    op.drop_table('demo_truth_promotion')
    op.drop_table('promotion_sku')
    _mechanics(OLD)
    with op.batch_alter_table('promotion') as batch:
        batch.drop_column('coupon_face_value')
