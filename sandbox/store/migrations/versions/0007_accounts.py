"""core: accounts over time (disabled flag, signing-key history with retired keys)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sandbox.store.ddl import append_only

revision = "0007_accounts"
down_revision = "0006_model_aliases"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _unsealed_signing_keys() -> None:
    """Move every sealed private key out of the append-only ``signing_keys``.

    A password change must re-seal the key so the old password no longer
    opens it; an append-only row would keep the old seal forever. The seals
    move to ``signing_key_seals`` (one row per live key, replaced on re-seal,
    deleted on retirement) and ``signing_keys.private_key_enc`` is blanked.
    """
    op.execute(
        "INSERT INTO signing_key_seals (fingerprint, username, private_key_enc, sealed_at) "
        "SELECT fingerprint, username, private_key_enc, created_at FROM signing_keys WHERE private_key_enc <> ''"
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER signing_keys_no_update")
        op.execute("UPDATE signing_keys SET private_key_enc = ''")
        op.execute(
            "CREATE TRIGGER signing_keys_no_update BEFORE UPDATE ON signing_keys "
            "BEGIN SELECT RAISE(ABORT, 'signing_keys is append-only'); END"
        )
    elif dialect == "postgresql":
        op.execute("ALTER TABLE signing_keys DISABLE TRIGGER signing_keys_append_only")
        op.execute("UPDATE signing_keys SET private_key_enc = ''")
        op.execute("ALTER TABLE signing_keys ENABLE TRIGGER signing_keys_append_only")
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        op.execute("UPDATE signing_keys SET private_key_enc = ''")


def upgrade() -> None:
    op.create_table(
        "signing_key_seals",
        sa.Column("fingerprint", sa.String(64), sa.ForeignKey("signing_keys.fingerprint"), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("private_key_enc", sa.Text, nullable=False),
        sa.Column("sealed_at", _TZ, nullable=False),
    )
    op.create_table(
        "signing_key_retirements",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(64), sa.ForeignKey("signing_keys.fingerprint"), nullable=False,
                  unique=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("retired_by", sa.String(64), nullable=False),
        sa.Column("retired_at", _TZ, nullable=False),
    )
    append_only("signing_key_retirements")
    _unsealed_signing_keys()


def downgrade() -> None:
    op.drop_table("signing_key_retirements")
    op.drop_table("signing_key_seals")
