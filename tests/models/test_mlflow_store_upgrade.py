"""MLflow's own store after MLflow's version changed: detected, copied, migrated, or refused — never half-done.

The older store is made without the network the way an older MLflow made it: MLflow's initial tables, then
the installed MLflow's own migration scripts up to an older revision (``OLD``); an experiment with a run is
written at that schema. MLflow 3 alone migrated such a store silently (a table of the new release missing:
no copy kept) or refused it ("out-of-date database schema"). Real SQLite and, with the ``server`` marker, real
PostgreSQL on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, Table, create_engine, insert, text
from typer.testing import CliRunner

from sandbox.cli import app

STEPS_BACK = 25  # revisions before the installed MLflow's head (about a year of MLflow releases)


def _old_revision() -> str:
    from models._mlflow_store import _script_directory

    revisions = list(_script_directory().walk_revisions())  # head first
    return str(revisions[STEPS_BACK].revision)


def _make_old_store(url: str, *, planted_table: str | None = None) -> str:
    """An MLflow store at an older schema revision with one experiment; returns that revision."""
    from alembic import command
    from mlflow.store.db.utils import _get_alembic_config
    from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

    old = _old_revision()
    engine = create_engine(url)
    try:
        InitialBase.metadata.create_all(engine)
        config = _get_alembic_config(url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, old)
        experiments = Table("experiments", MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(insert(experiments).values(name="vendor-history", artifact_location="/srv/old/artifacts",
                                                    lifecycle_stage="active"))
            if planted_table:  # a table a later migration creates: that migration fails for real
                conn.execute(text(f"CREATE TABLE {planted_table} (x INTEGER)"))
    finally:
        engine.dispose()
    _new_process(url)
    return old


def _new_process(url: str) -> None:
    """What a restart after installing the new release is: no client or engine of the old store kept."""
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    from models.registry import _client

    _client.cache_clear()
    for store in (SqlAlchemyStore, RegistryStore):
        engine = getattr(store, "_engine_map", {}).pop(url, None)
        if engine is not None:
            engine.dispose()


def _revision(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())
    finally:
        engine.dispose()


def _schema(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = sorted(r[0] or "" for r in conn.execute("SELECT sql FROM sqlite_master"))
    conn.close()
    return rows


def _sandbox(*args: str, lang: str = "en") -> object:
    return CliRunner().invoke(app, ["--lang", lang, *args], catch_exceptions=False)


@pytest.fixture
def initialised(home: Path) -> Iterator[Path]:
    made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"})
    assert made.exit_code == 0, made.stderr
    yield home


def test_an_older_local_store_is_copied_then_migrated_on_first_use(initialised: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    from models._mlflow_store import installed_head, schema_state
    from models.registry import Registry

    db = initialised / "mlflow.db"
    db.unlink()
    url = f"sqlite:///{db}"
    old = _make_old_store(url)
    assert schema_state(url)[0] == "older"
    with sqlite3.connect(db) as conn:
        kept = str(conn.execute("SELECT experiment_id FROM experiments WHERE name = 'vendor-history'").fetchone()[0])
    conn.close()
    with caplog.at_level("WARNING", logger="sandbox.models"):
        experiment = Registry().experiment_id("vendor-history")  # what any page or command does first
    assert experiment == kept  # found, not created again: the old store's content is there
    assert Registry().client.get_experiment(kept).artifact_location == "/srv/old/artifacts"
    assert _revision(url) == installed_head() != old
    copies = list((initialised / "upgrade-backups").iterdir())
    assert len(copies) == 1 and copies[0].name.startswith(f"mlflow-{old}-") and copies[0].suffix == ".db"
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600
    assert _revision(f"sqlite:///{copies[0]}") == old  # the copy is the store as it was
    assert old in caplog.text and str(copies[0]) in caplog.text
    from sandbox.activity import recent_activity

    assert any(a["action"] == "mlflow.store_upgraded" for a in recent_activity(limit=20))
    again = _sandbox("upgrade")
    assert again.exit_code == 0 and "needs no migration" in again.stderr, again.stderr


def test_a_failing_migration_puts_the_store_back_and_says_where_the_copy_is(initialised: Path) -> None:
    from models._mlflow_store import _script_directory

    db = initialised / "mlflow.db"
    db.unlink()
    url = f"sqlite:///{db}"
    newest = next(iter(_script_directory().walk_revisions()))
    created = _created_tables(newest.module)
    old = _make_old_store(url, planted_table=created)
    before = _schema(db)
    for lang, said in (("en", "could not be migrated"), ("zh", "无法从结构版本")):
        failed = _sandbox("upgrade", lang=lang)
        assert failed.exit_code == 1, failed.output
        assert said in failed.stderr and old in failed.stderr and "upgrade-backups" in failed.stderr, failed.stderr
        assert _schema(db) == before and _revision(url) == old  # not half-migrated
    copies = sorted((initialised / "upgrade-backups").iterdir())
    assert copies and all(_revision(f"sqlite:///{c}") == old for c in copies)


def _created_tables(module: object) -> str:
    """The first table the newest migration creates (read from its source, as alembic runs it)."""
    import inspect
    import re

    found = re.search(r"op\.create_table\(\s*[\"'](\w+)[\"']", inspect.getsource(module))  # type: ignore[arg-type]
    if not found:
        pytest.skip("the newest MLflow migration creates no table: no real migration failure to plant")
    return found.group(1)


def test_a_store_made_by_a_newer_mlflow_is_refused_untouched(initialised: Path) -> None:
    db = initialised / "mlflow.db"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfeedbeef'")
    conn.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    refused = _sandbox("upgrade", "--json")
    assert refused.exit_code == 1
    assert "made by a newer MLflow (schema revision f00dfeedbeef" in refused.stderr, refused.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert not (initialised / "upgrade-backups").exists()


@pytest.mark.server
def test_an_mlflow_servers_postgresql_store_is_dumped_then_migrated(initialised: Path) -> None:
    """The README's deployment: `mlflow server` over PostgreSQL (stopped for the upgrade); `sandbox upgrade`
    reads MLFLOW_BACKEND_STORE_URI, keeps a pg_dump, migrates with MLflow's migrations."""
    from models._mlflow_store import installed_head
    from sandbox.settings import reset_settings_cache
    from tests._servers import postgres_server

    with postgres_server() as base:
        engine = create_engine(base, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text('CREATE DATABASE "mlflow_old"'))
        engine.dispose()
        url = base.rsplit("/", 1)[0] + "/mlflow_old"
        old = _make_old_store(url)
        saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_BACKEND_STORE_URI")}
        os.environ.update({"MLFLOW_TRACKING_URI": "http://127.0.0.1:9", "MLFLOW_BACKEND_STORE_URI": url})
        reset_settings_cache()
        try:
            done = _sandbox("upgrade", "--json")
        finally:
            for key, value in saved.items():
                os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
            reset_settings_cache()
        assert done.exit_code == 0, done.stderr
        result = json.loads(done.stdout)["mlflow"]
        assert result["from"] == old and result["to"] == installed_head() == _revision(url)
        dump = Path(result["backup"])
        assert dump.suffix == ".pgdump" and dump.stat().st_size > 0 and dump.is_relative_to(initialised)
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM experiments")).scalars().all() == ["vendor-history"]
        engine.dispose()
