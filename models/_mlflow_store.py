"""MLflow's own store when MLflow's version changes: detected, backed up, migrated by MLflow's migrations.

A private helper of :mod:`models.registry` (the one place that opens MLflow).
MLflow 3 itself treats an older store two ways: when a table of the new
release is missing it migrates silently (no copy kept, not transactional on
SQLite); when only columns changed it refuses with "out-of-date database
schema … run mlflow db upgrade". Here the store's Alembic revision is compared
with the installed MLflow's head *before* MLflow opens it: an older store is
copied first (SQLite online backup / ``pg_dump``, into
``<home>/upgrade-backups/``), then migrated with MLflow's own
``_upgrade_db``; a store made by a newer MLflow, or a migration that fails, is
refused with a clear message (a failed SQLite migration is put back from the copy).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sandbox.errors import ConfigError
from sandbox.settings import get_settings

__all__ = ["StoreState", "mlflow_store_url", "schema_state", "upgrade_store"]

StoreState = Literal["empty", "current", "older", "newer"]


def mlflow_store_url() -> str | None:
    """The database MLflow keeps for this deployment: the local SQLite store, or an ``mlflow server``'s
    ``MLFLOW_BACKEND_STORE_URI`` (SQLite or PostgreSQL); None when neither is known (a remote server)."""
    settings = get_settings()
    for url in (settings.mlflow_tracking_uri, settings.mlflow_backend_uri or ""):
        if url.startswith("sqlite:///") or url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
            return url
    return None


@functools.cache
def _script_directory() -> Any:
    from alembic.script import ScriptDirectory

    from models.registry import mlflow_alembic_config  # only models.registry imports mlflow

    return ScriptDirectory.from_config(mlflow_alembic_config())


def installed_head() -> str:
    """The schema revision the installed MLflow expects."""
    return str(_script_directory().get_current_head())


def _current(url: str) -> str | None:
    """The store's revision; None for an empty database (MLflow creates it). Reads only, creates nothing."""
    from sqlalchemy import create_engine, inspect, text

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:  # empty (MLflow creates it)
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def schema_state(url: str) -> tuple[StoreState, str | None, str]:
    """``(state, store revision, installed head)`` of the MLflow store at ``url``."""
    head = installed_head()
    current = _current(url)
    if current is None:
        return "empty", None, head
    if current == head:
        return "current", current, head
    try:
        known = _script_directory().get_revision(current) is not None
    except Exception:  # alembic: "No such revision"
        known = False
    return ("older" if known else "newer"), current, head


@contextlib.contextmanager
def _upgrade_lock() -> Iterator[None]:
    """One migration at a time (the workbench and a CLI command starting together)."""
    home = get_settings().ensure_home()
    with open(home / ".mlflow-upgrade.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _redact(url: str) -> str:
    import re

    return re.sub(r"://[^@/]*@", "://***@", url)


def _copy(url: str, revision: str) -> Path:
    """The store copied before it is migrated: ``<home>/upgrade-backups/mlflow-<revision>-<UTC>.db|.pgdump``."""
    from sandbox.backup._stores import pg_dump, sqlite_snapshot

    folder = get_settings().home / "upgrade-backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.startswith("sqlite:///"):
        target = folder / f"mlflow-{revision}-{stamp}.db"
        sqlite_snapshot(Path(url.removeprefix("sqlite:///")), target)
    else:
        target = folder / f"mlflow-{revision}-{stamp}.pgdump"
        pg_dump(url, target)
    os.chmod(target, 0o600)
    return target


def _put_back(url: str, copy: Path) -> None:
    """A failed SQLite migration (not transactional) is undone from the copy; PostgreSQL rolled back itself."""
    from sandbox.backup._stores import sqlite_snapshot

    if url.startswith("sqlite:///"):
        db = Path(url.removeprefix("sqlite:///"))
        staged = db.with_name(f".{db.name}.{os.getpid()}-putback.tmp")
        sqlite_snapshot(copy, staged)
        os.replace(staged, db)


def upgrade_store(url: str | None = None) -> dict[str, Any] | None:
    """Migrate an older MLflow store to the installed MLflow's schema, its copy taken first.

    Returns None when there is nothing to do (no store known, empty, current), else
    ``{"store", "from", "to", "backup"}``. Raises ``models.mlflow_store_newer`` (a store made by a newer
    MLflow: nothing changed) and ``models.mlflow_store_upgrade_failed`` (the copy's path and what to do).
    """
    url = url or mlflow_store_url()
    if url is None:
        return None
    state, current, head = schema_state(url)
    if state in ("empty", "current"):
        return None
    if state == "newer":
        raise ConfigError("models.mlflow_store_newer", store=_redact(url), revision=str(current), head=head)
    with _upgrade_lock():
        state, current, head = schema_state(url)  # another process may have done it meanwhile
        if state != "older":
            return None
        copy = _copy(url, str(current))
        from sqlalchemy import create_engine

        from models.registry import mlflow_upgrade_db

        engine = create_engine(url)
        try:
            mlflow_upgrade_db(engine)
        except Exception as exc:
            engine.dispose()
            _put_back(url, copy)
            raise ConfigError("models.mlflow_store_upgrade_failed", store=_redact(url), revision=str(current),
                              head=head, backup=str(copy), error=f"{type(exc).__name__}: {exc}"[:500]) from exc
        finally:
            engine.dispose()
    return {"store": _redact(url), "from": current, "to": head, "backup": str(copy)}
