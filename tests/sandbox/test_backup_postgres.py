"""Restoring a PostgreSQL deployment into another folder, and the empty database a restore needs.

Found by restoring a backup made by an older release (session 5's demo world on PostgreSQL) with today's code:
1. the relocation failed on ``reviews.state`` ("invalid input syntax for type json"): for a JSON column
   PostgreSQL type-checked the whole-value replacement ``CAST(token AS JSON)`` even though no row matched;
2. ``sandbox verify --all`` run on the new, empty database before the restore migrated it (the account count
   ran the migrations), so the restore then refused a database that was "not empty".
Real PostgreSQL on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from sandbox.backup._relocate import relocate_store
from sandbox.backup._stores import pg_is_empty
from sandbox.cli import app
from tests._servers import postgres_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def pg() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _database(base: str, name: str) -> str:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def test_relocation_rewrites_paths_inside_json_columns(pg: str) -> None:
    url = _database(pg, "relocate_json")
    old, new = "/srv/old home", "/srv/新 home"
    state = {"evidence": {"release": f"{old}/work/releases/r1", "名称": "街道"}, "other": "/srv/old home2/x"}
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE reviews (id int PRIMARY KEY, state json, note varchar(200))"))
        conn.execute(text("INSERT INTO reviews VALUES (1, CAST(:s AS JSON), :n), (2, CAST('{}' AS JSON), NULL)"),
                     {"s": json.dumps(state), "n": old})
    engine.dispose()
    changed = relocate_store(url, [(old, new)])
    assert changed == {"reviews.state": 1, "reviews.note": 1}
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT CAST(state AS TEXT), note FROM reviews WHERE id = 1")).one()
    engine.dispose()
    moved = json.loads(row[0])
    assert moved["evidence"]["release"] == f"{new}/work/releases/r1" and moved["evidence"]["名称"] == "街道"
    assert moved["other"] == "/srv/old home2/x"  # another folder that only starts with the same letters
    assert row[1] == new


def test_a_command_before_restore_leaves_an_empty_database_empty(pg: str, tmp_path: Path) -> None:
    url = _database(pg, "not_yet_restored")
    env = {"SANDBOX_HOME": str(tmp_path / "home"), "SANDBOX_DB_URL": url}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    try:
        reset_settings_cache()
        reset_engines()
        result = CliRunner().invoke(app, ["--lang", "en", "verify", "--all"], catch_exceptions=False)
        assert result.exit_code == 1 and "has not been initialised" in result.stderr
        from sandbox.accounts import first_run

        assert first_run()
        assert pg_is_empty(url)  # sandbox restore can still fill it
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        reset_engines()
        reset_settings_cache()


def test_a_postgresql_deployment_closes_its_data_home_too(pg: str, tmp_path: Path) -> None:
    """With the store on PostgreSQL the home holds the secrets, keys, scores and releases; a restore (or an older
    release) left it 0755 — only the SQLite store's start used to close it."""
    import stat

    url = _database(pg, "closed_home")
    home = tmp_path / "home"
    env = {"SANDBOX_HOME": str(home), "SANDBOX_DB_URL": url}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    try:
        reset_settings_cache()
        reset_engines()
        made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"},
                                  catch_exceptions=False)
        assert made.exit_code == 0, made.stderr
        for folder in (home, home / "secrets", home / "work"):
            folder.chmod(0o755)
        reset_engines()
        result = CliRunner().invoke(app, ["whoami", "--as", "boss", "--password", "boss-password-1"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert [stat.S_IMODE(f.stat().st_mode) for f in (home, home / "secrets", home / "work")] == [0o700] * 3
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        reset_engines()
        reset_settings_cache()
