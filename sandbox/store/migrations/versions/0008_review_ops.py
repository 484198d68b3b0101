"""review: signed votes as chain entries, condition status and history, follow-up scheduling."""

from __future__ import annotations

from alembic import op

revision = "0008_review_ops"
down_revision = "0007_accounts"
branch_labels = None
depends_on = None


# Signed votes and condition steps are entries of the existing append-only chain (review_entries, kinds
# "vote" and "condition"): no new table. The follow-up lists select entries by kind across the chains.


def upgrade() -> None:
    op.create_index("ix_review_entries_kind", "review_entries", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_review_entries_kind", table_name="review_entries")
