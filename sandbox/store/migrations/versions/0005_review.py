"""review: tables owned by the `review` area (filled in by that area's issue)."""

from __future__ import annotations

revision = "0005_review"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
