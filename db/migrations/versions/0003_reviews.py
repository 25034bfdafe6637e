"""analyst reviews of detected changes (web review interface)

Revision ID: 0003
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("commitment_id", sa.String(length=120), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("old_kind", sa.String(length=20), nullable=False),
        sa.Column("new_kind", sa.String(length=20), nullable=True),
        sa.Column("old_status", sa.String(length=20), nullable=True),
        sa.Column("new_status", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["changes.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_change_id"), ["change_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_commitment_id"), ["commitment_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # the article list's order (newest first, undated last): PostgreSQL cannot read
        # ix_articles_sort backwards for NULLS LAST. SQLite's descending scan already fits.
        op.execute("CREATE INDEX IF NOT EXISTS ix_articles_recent ON articles "
                   "(published_at DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_articles_recent")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_commitment_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_change_id"))
    op.drop_table("reviews")
