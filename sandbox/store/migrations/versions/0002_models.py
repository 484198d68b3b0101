"""models: tables owned by the `models` area (filled in by that area's issue)."""

from __future__ import annotations

revision = "0002_models"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
