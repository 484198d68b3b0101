"""audits: tables owned by the `audits` area (filled in by that area's issue)."""

from __future__ import annotations

revision = "0003_audits"
down_revision = "0002_models"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
