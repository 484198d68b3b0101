"""Store: migrations on start, transactions, append-only log, corrupt files untouched."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from sandbox.activity import log_activity, recent_activity
from sandbox.errors import ConfigError, ConflictError
from sandbox.store import get_engine, reset_engines, session_scope
from sandbox.store.tables import ActivityLog, User
from sandbox.users import add_user, add_vendor


def test_migrations_create_every_table_and_are_idempotent(home: Path) -> None:
    engine = get_engine()
    with engine.connect() as conn:
        tables = {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {"users", "vendors", "trials", "activity_log", "alembic_version"} <= tables
    reset_engines()
    get_engine()  # second start: no error, same revision
    with get_engine().connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == version


def test_failed_transaction_leaves_nothing(home: Path) -> None:
    with pytest.raises(RuntimeError), session_scope() as session:
        add_user(username="alice", password="password-1", role="reviewer", session=session)
        raise RuntimeError("boom")
    with session_scope() as session:
        assert session.scalar(select(User).where(User.username == "alice")) is None
        assert session.scalars(select(ActivityLog)).all() == []


def test_duplicate_user_is_a_conflict_and_first_stays(home: Path) -> None:
    add_user(username="bob", password="password-1", role="steward")
    with pytest.raises(ConflictError) as caught:
        add_user(username="bob", password="password-2", role="admin")
    assert caught.value.key == "errors.user_exists"
    with session_scope() as session:
        assert session.scalar(select(User.role).where(User.username == "bob")) == "steward"


def test_activity_log_is_append_only_in_the_database(home: Path) -> None:
    with session_scope() as session:
        log_activity(session, None, "test.action", "t1", n=1)
    assert recent_activity(limit=5)[0]["action"] == "test.action"
    for statement in ("UPDATE activity_log SET action='x'", "DELETE FROM activity_log"):
        with pytest.raises(IntegrityError), session_scope() as session:
            session.execute(text(statement))
    assert recent_activity(limit=5)[0]["action"] == "test.action"


def test_vendor_needs_a_valid_uscc(home: Path) -> None:
    from sandbox.errors import InputError

    with pytest.raises(InputError) as caught, session_scope() as session:
        add_vendor(session, name="坏公司", uscc="91330110MA2H0QXJ7D")
    assert caught.value.key == "errors.uscc_invalid"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_corrupt_database_file_is_refused_and_left_untouched(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    db = home / "sandbox.db"
    db.write_bytes(b"this is not a database" * 100)
    before = _digest(db)
    with pytest.raises(ConfigError) as caught:
        get_engine()
    assert caught.value.key == "errors.db_corrupt"
    assert "sandbox.db" in caught.value.render("en")
    assert _digest(db) == before


def test_truncated_sqlite_file_is_refused_and_left_untouched(home: Path) -> None:
    get_engine()
    add_user(username="carol", password="password-1", role="admin")
    reset_engines()
    db = home / "sandbox.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2] + b"\x00" * 100 + data[len(data) // 2 + 100 :][:4096])
    before = _digest(db)
    with pytest.raises(ConfigError) as caught:
        get_engine()
    assert caught.value.key == "errors.db_corrupt"
    assert _digest(db) == before


def test_database_from_a_newer_version_is_refused(home: Path) -> None:
    get_engine()
    with session_scope() as session:
        session.execute(text("UPDATE alembic_version SET version_num='9999_future'"))
    reset_engines()
    with pytest.raises(ConfigError) as caught:
        get_engine()
    assert caught.value.key == "errors.db_newer"
