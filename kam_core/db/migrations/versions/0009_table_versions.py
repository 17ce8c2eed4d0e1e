"""table_version and input_part: per-table data versions and the stored scorecard input parts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00

docs/methods_account_month.md (targeted recompute).
"""
import datetime

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = sorted(set(sa.inspect(op.get_bind()).get_table_names()) - {'alembic_version', 'scorecard_store', 'audit_log', 'import_log'})
    versions = op.create_table('table_version',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_table_version'))
    )
    # one row per table at version 0: a write only ever updates its row (kam_core.db.table_versions)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    op.bulk_insert(versions, [{'name': n, 'version': 0, 'changed_at': now} for n in existing])
    op.create_table('input_part',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('part', sa.String(length=40), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=False),
    sa.Column('window_end', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_input_part'))
    )
    with op.batch_alter_table('input_part', schema=None) as batch_op:
        batch_op.create_index('ix_input_part_part', ['part', 'window_start', 'window_end'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('input_part', schema=None) as batch_op:
        batch_op.drop_index('ix_input_part_part')
    op.drop_table('input_part')
    op.drop_table('table_version')
