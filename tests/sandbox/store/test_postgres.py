"""The same store on a real PostgreSQL server (SANDBOX_DB_URL), started on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sandbox.activity import recent_activity
from sandbox.settings import reset_settings_cache
from sandbox.store import get_engine, reset_engines, session_scope
from sandbox.users import add_user, authenticate
from tests._servers import postgres_server

pytestmark = pytest.mark.server


def test_store_on_postgres(home: Path) -> None:
    with postgres_server() as url:
        os.environ["SANDBOX_DB_URL"] = url
        try:
            reset_settings_cache()
            reset_engines()
            assert get_engine().dialect.name == "postgresql"
            add_user(username="pg_admin", password="password-1", role="admin", display_name="管理员")
            assert authenticate("pg_admin", "password-1").display_name == "管理员"
            assert recent_activity(limit=1)[0]["target"] == "pg_admin"
            with pytest.raises(DBAPIError, match="append-only"), session_scope() as session:
                session.execute(text("DELETE FROM activity_log"))
            assert len(recent_activity(limit=5)) == 1
            reset_engines()  # restart: migrations find the schema current
            assert authenticate("pg_admin", "password-1").role == "admin"
            assert not (home / "sandbox.db").exists()
        finally:
            os.environ.pop("SANDBOX_DB_URL", None)
            reset_engines()
            reset_settings_cache()


def test_migration_0011_carries_logged_membership_changes_on_postgres(home: Path) -> None:
    """A PostgreSQL database at 0010 whose committee changed once (activity log): the upgrade makes it a chain
    entry; the chain stays append-only and verifies."""
    import json

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from sandbox.review import show_committee, verify_all
    from sandbox.review._crypto import GENESIS, canonical, sha256_text
    from sandbox.store import engine as store_engine
    from sandbox.users import actor_for

    with postgres_server() as url:
        config = Config()
        config.set_main_option("script_location", str(store_engine._MIGRATIONS))
        engine = create_engine(url)
        members = [{"username": f"m{i}", "name": f"委员{i}", "category": ("科技", "伦理", "法律")[i % 3],
                    "sex": "女" if i % 2 else "男", "affiliation": "市大数据局", "is_chair": i == 0, "voting": True}
                   for i in range(8)]
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0010_engines")
            cid = conn.execute(text("INSERT INTO committees (name, created_at) VALUES ('伦理委员会', now()) "
                                    "RETURNING id")).scalar_one()
            for m in members:
                conn.execute(text("INSERT INTO committee_members (committee_id, username, name, category, sex, "
                                  "affiliation, interests, is_chair, voting) VALUES (:c, :username, :name, :category, "
                                  ":sex, :affiliation, '[]', :is_chair, :voting)"), {"c": cid, **m})
            details = {"committee": cid, "change": "joined", "username": "m7", "reason": "新聘委员", "by": "admin",
                       "at": "2026-11-01T08:00:00+00:00", "before": members[:7], "after": members,
                       "chain_seq": 0, "chain_hash": GENESIS, "prev": GENESIS}
            details["hash"] = sha256_text(canonical(details))
            conn.execute(text("INSERT INTO activity_log (at, actor, role, action, target, details, note) VALUES "
                              "(now(), 'admin', 'admin', 'review.membership', '伦理委员会', :d, '')"),
                         {"d": json.dumps(details, ensure_ascii=False)})
        engine.dispose()
        os.environ["SANDBOX_DB_URL"] = url
        try:
            reset_settings_cache()
            reset_engines()
            add_user(username="pg_admin", password="password-1", role="admin")  # the engine upgrades to 0011
            result = verify_all(actor=None)
            assert result["ok"] and result["membership"] == 1 and result["entries"] == 1, result
            changes = show_committee(actor=actor_for("pg_admin"))["changes"]
            assert [(c["number"], c["username"], c["seq"], c["chain_seq"]) for c in changes] == [(1, "m7", 1, 0)]
            with pytest.raises(DBAPIError, match="append-only"), session_scope() as session:
                session.execute(text("UPDATE review_entries SET payload = 'x'"))
            with session_scope() as session:
                assert session.execute(text("SELECT review_id FROM review_entries")).scalar_one() is None
        finally:
            os.environ.pop("SANDBOX_DB_URL", None)
            reset_engines()
            reset_settings_cache()
