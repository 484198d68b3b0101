"""privacy: tables owned by the `privacy` area (filled in by that area's issue)."""

from __future__ import annotations

revision = "0004_privacy"
down_revision = "0003_audits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
