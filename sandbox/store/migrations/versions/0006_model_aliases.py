"""models: the alias mirror (``@trial``, ``@approved`` per registered model), the read path of listings.

MLflow stays the system of record; :mod:`models.aliases` writes both in one
service call. A data home upgraded from 0005 gets the table empty and
``models.aliases.ensure_mirror`` fills it from MLflow once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_model_aliases"
down_revision = "0005_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_aliases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("registered_name", sa.String(255), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("registered_name", "alias", name="uq_model_aliases_registered_name"),
    )


def downgrade() -> None:
    op.drop_table("model_aliases")
