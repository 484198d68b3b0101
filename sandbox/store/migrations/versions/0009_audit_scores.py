"""audits: score thresholds, sweeps and calibration results."""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0009_audit_scores"
down_revision = "0008_review_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
