"""Engine, migrations on start, and transactional sessions.

``session_scope()`` is the only way services write: one transaction, committed
on success and rolled back on any exception. On SQLite ``immediate=True``
takes the write lock at BEGIN (``BEGIN IMMEDIATE``) so that check-then-write
sequences (budget ledger, record chain) are serialised across processes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from sandbox.errors import ConfigError
from sandbox.settings import get_settings

__all__ = ["get_engine", "reset_engines", "session_scope", "sqlite_path"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_path(url: str) -> Path | None:
    """The database file of an ``sqlite:///`` URL (None for any other store)."""
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None


def _check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database without touching it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError as exc:
        raise ConfigError("errors.db_corrupt", path=str(path), reason=exc.strerror or str(exc)) from exc
    if header != b"SQLite format 3\x00":
        raise ConfigError("errors.db_corrupt", path=str(path), reason="not an SQLite file")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ConfigError("errors.db_corrupt", path=str(path), reason=str(exc)) from exc
    if result is None or result[0] != "ok":
        raise ConfigError("errors.db_corrupt", path=str(path), reason=str(result))


def _make_engine(url: str) -> Engine:
    sqlite_file = sqlite_path(url)
    get_settings().close_home()  # any store: a home other accounts may enter is closed on every start
    if sqlite_file is not None:
        if sqlite_file.parent == get_settings().home:
            get_settings().ensure_home()
        try:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                "errors.home_unusable", path=str(sqlite_file.parent), reason=exc.strerror or str(exc)
            ) from exc
        _check_sqlite_file(sqlite_file)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql(conn.info.get("begin_mode", "BEGIN"))

        return engine
    return create_engine(url, pool_pre_ping=True)


_REVISION = re.compile(r'^(down_)?revision\s*(?::[^=]*)?=\s*(?:"([^"]*)"|\'([^\']*)\'|None)', re.MULTILINE)


def _revision_graph() -> tuple[set[str], set[str]]:
    """Known revisions and heads, read from the migration files without importing Alembic.

    Returns
    -------
    (known, heads) : tuple of set of str
        Every ``revision`` and those no other file names as ``down_revision``.
    """
    known: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        for match in _REVISION.finditer(path.read_text(encoding="utf-8")):
            value = match.group(2) or match.group(3)
            if value:
                (parents if match.group(1) else known).add(value)
    return known, known - parents


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        current = None
        if engine.dialect.has_table(conn, "alembic_version"):
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            current = row[0] if row else None
        conn.rollback()
    return current


def _up_to_date(engine: Engine, url: str) -> bool:
    """Whether the database is at the single head already (the start-up fast path: no Alembic import)."""
    known, heads = _revision_graph()
    if len(heads) != 1:
        return False
    try:
        current = _current_revision(engine)
    except DatabaseError:
        return False  # let the full path below report it
    if current is not None and current not in known:
        raise ConfigError("errors.db_newer", path=str(sqlite_path(url) or url), revision=current)
    return current in heads


def _migrate(engine: Engine, url: str) -> None:
    if _up_to_date(engine, url):
        return
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    known = {rev.revision for rev in script.walk_revisions()}
    where = str(sqlite_path(url) or url)
    try:
        with engine.connect() as conn:
            conn.info["begin_mode"] = "BEGIN IMMEDIATE"
            current = None
            if engine.dialect.has_table(conn, "alembic_version"):
                row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
                current = row[0] if row else None
            conn.rollback()
            if current is not None and current not in known:
                raise ConfigError("errors.db_newer", path=where, revision=current)
            if current == script.get_current_head():
                return
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
    except ConfigError:
        raise
    except OperationalError as exc:
        if sqlite_path(url) is None:
            raise ConfigError("errors.db_unreachable", url=_redact(url), reason=str(exc.orig)) from exc
        raise ConfigError("errors.db_corrupt", path=where, reason=str(exc.orig)) from exc
    except DatabaseError as exc:
        raise ConfigError("errors.db_corrupt", path=where, reason=str(exc.orig)) from exc


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


_ENGINES: dict[str, Engine] = {}


def get_engine() -> Engine:
    """The migrated engine for the configured ``SANDBOX_DB_URL``."""
    url = get_settings().db_url
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _make_engine(url)
        _migrate(engine, url)
        _ENGINES[url] = engine
    return engine


def reset_engines() -> None:
    """Dispose cached engines (tests switching data homes call this)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(*, immediate: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error.

    Parameters
    ----------
    immediate : bool, default False
        On SQLite, take the write lock at BEGIN (serialises check-then-write
        across processes). Other databases use ``SELECT … FOR UPDATE`` in the
        service that needs it.
    """
    engine = get_engine()
    with engine.connect() as conn:
        conn.info["begin_mode"] = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        session = Session(bind=conn, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            conn.info.pop("begin_mode", None)
