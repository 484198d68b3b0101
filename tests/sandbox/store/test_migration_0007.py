"""Migration 0007 moves sealed private keys out of the append-only key table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError


def test_existing_seals_move_and_the_key_still_signs(home: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from sandbox.review._crypto import fingerprint, generate_keypair
    from sandbox.review._keys import private_key_for
    from sandbox.store import engine as store_engine
    from sandbox.store import get_engine, reset_engines, session_scope
    from sandbox.users import add_user

    url = f"sqlite:///{home / 'sandbox.db'}"
    config = Config()
    config.set_main_option("script_location", str(store_engine._MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0006_model_aliases")
        public, sealed = generate_keypair("old-password-1")
        conn.execute(text("INSERT INTO signing_keys (username, fingerprint, public_key, private_key_enc, created_at) "
                          "VALUES ('chair', :fp, :pub, :enc, '2026-01-01 00:00:00')"),
                     {"fp": fingerprint(public), "pub": public, "enc": sealed})
    engine.dispose()
    reset_engines()
    get_engine()  # upgrades to head
    with session_scope() as s:
        assert s.execute(text("SELECT private_key_enc FROM signing_keys")).scalar_one() == ""
        assert s.execute(text("SELECT private_key_enc FROM signing_key_seals")).scalar_one() == sealed
    add_user(username="chair", password="old-password-1", role="chair")
    with session_scope() as s:
        assert private_key_for(s, username="chair", password="old-password-1")[2] == fingerprint(public)
    with pytest.raises(DatabaseError, match="append-only"), session_scope() as s:  # still append-only
        s.execute(text("UPDATE signing_keys SET private_key_enc = 'x'"))
