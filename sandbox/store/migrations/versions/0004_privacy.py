"""privacy: budget ledger (budgets, append-only spends) and release packages."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sandbox.store.ddl import append_only

revision = "0004_privacy"
down_revision = "0003_audits"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "privacy_budgets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(200), nullable=False, unique=True),
        sa.Column("epsilon_total", sa.Float, nullable=False),
        sa.Column("delta_total", sa.Float, nullable=False),
        sa.Column("policy", sa.String(120), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "privacy_spends",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("budget_id", sa.Integer, sa.ForeignKey("privacy_budgets.id"), nullable=False, index=True),
        sa.Column("epsilon", sa.Float, nullable=False),
        sa.Column("delta", sa.Float, nullable=False),
        sa.Column("query", sa.String(64), nullable=False),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("at", _TZ, nullable=False),
    )
    append_only("privacy_spends")
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset", sa.String(200), nullable=False, index=True),
        sa.Column("trial_id", sa.Integer, nullable=True),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("k_reached", sa.Integer, nullable=True),
        sa.Column("epsilon_spent", sa.Float, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("policy", sa.String(120), nullable=False),
        sa.Column("scan", sa.JSON, nullable=False),
        sa.Column("approver", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("releases")
    op.drop_table("privacy_spends")
    op.drop_table("privacy_budgets")
