"""sources.removed_at: a source gone from sources.toml is kept (its history and articles) but marked

Rows of sources already gone are marked at the next start, when the rows are synced with the file.

Revision ID: 0005_sources_removed
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sources_removed"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("removed_at")
