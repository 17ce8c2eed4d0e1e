"""import_log.details: the data-health record of each import (JSON text)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:00:00

Imports logged before this revision keep ``details`` empty; the Data page says they left no record.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('import_log', sa.Column('details', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('import_log', 'details')
