"""review: committees, reviews, votes, the signed record chain, signing keys."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sandbox.store.ddl import append_only

revision = "0005_review"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "committees",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", _TZ, nullable=False),
    )
    op.create_table(
        "committee_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("committee_id", sa.Integer, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("sex", sa.String(8), nullable=False),
        sa.Column("affiliation", sa.String(200), nullable=False),
        sa.Column("interests", sa.JSON, nullable=False),
        sa.Column("is_chair", sa.Boolean, nullable=False),
        sa.Column("voting", sa.Boolean, nullable=False),
        sa.UniqueConstraint("committee_id", "username", name="uq_committee_members_committee_id"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("committee_id", sa.Integer, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("trial_id", sa.Integer, sa.ForeignKey("trials.id"), nullable=False),
        sa.Column("vendor_id", sa.Integer, sa.ForeignKey("vendors.id"), nullable=False),
        sa.Column("model_name", sa.String(200), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("record_no", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("supersedes", sa.String(48), nullable=True),
        sa.Column("review_type", sa.String(24), nullable=False),
        sa.Column("procedure", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
    )
    op.create_table(
        "review_votes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("choice", sa.String(16), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.UniqueConstraint("review_id", "version", "username", name="uq_review_votes_review_id"),
    )
    op.create_table(
        "review_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("committee_id", sa.Integer, sa.ForeignKey("committees.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("record_id", sa.String(48), nullable=False, index=True),
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id"), nullable=False),
        sa.Column("vendor_id", sa.Integer, sa.ForeignKey("vendors.id"), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.UniqueConstraint("committee_id", "seq", name="uq_review_entries_committee_id"),
    )
    append_only("review_entries")
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("private_key_enc", sa.Text, nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
    )
    append_only("signing_keys")


def downgrade() -> None:
    for table in ("signing_keys", "review_entries", "review_votes", "reviews", "committee_members", "committees"):
        op.drop_table(table)
