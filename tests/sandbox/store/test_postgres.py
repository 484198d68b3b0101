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
