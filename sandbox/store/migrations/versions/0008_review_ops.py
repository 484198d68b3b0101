"""review: signed votes as chain entries, condition status and history, follow-up scheduling."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0008_review_ops"
down_revision = "0007_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
