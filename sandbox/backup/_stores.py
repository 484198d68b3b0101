"""The stores a backup copies: SQLite online backups, ``pg_dump``/``pg_restore``, chain heads."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any, Literal

from sandbox.errors import ConfigError

__all__ = [
    "StoreKind",
    "chain_heads",
    "libpq_url",
    "pg_dump",
    "pg_is_empty",
    "pg_restore",
    "pg_wipe",
    "sqlite_file",
    "sqlite_snapshot",
    "store_kind",
]

StoreKind = Literal["sqlite", "postgresql"]


def store_kind(url: str) -> StoreKind:
    """``sqlite`` or ``postgresql``; anything else is refused with a clear message."""
    if url.startswith("sqlite:///"):
        return "sqlite"
    if url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres"):
        return "postgresql"
    raise ConfigError("backup.store_unsupported", url=_redact(url))


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as libpq understands it (``postgresql+psycopg://`` → ``postgresql://``)."""
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0]
    return f"{'postgresql' if base == 'postgres' else base}://{rest}"


def _redact(url: str) -> str:
    return re.sub(r"://[^@/]*@", "://***@", url)


def sqlite_snapshot(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the online backup API; writers keep going)."""
    if not source.is_file():
        raise ConfigError("backup.store_missing", path=str(source))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigError("backup.tool_missing", tool=name)
    return found


def _major(text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", text)
    return int(match.group(1)) if match else 0


def _server_major(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def _run(args: list[str], *, what: str, url: str) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ConfigError("backup.pg_failed", tool=what, url=_redact(url),
                          reason=(proc.stderr.strip().splitlines() or ["?"])[-1])


def pg_dump(url: str, target: Path) -> None:
    """``pg_dump`` (custom format, no owners) of the database at ``url``; refuses an older pg_dump than the server."""
    tool = _tool("pg_dump")
    client = _major(subprocess.run([tool, "--version"], capture_output=True, text=True, check=False).stdout)
    server = _server_major(url)
    if client < server:
        raise ConfigError("backup.pg_version", tool="pg_dump", client=client, server=server)
    _run([tool, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={libpq_url(url)}"],
         what="pg_dump", url=url)


def pg_restore(url: str, source: Path) -> None:
    """``pg_restore`` into the (empty) database at ``url`` in one transaction: all or nothing."""
    _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={libpq_url(url)}", str(source)], what="pg_restore", url=url)


def pg_is_empty(url: str) -> bool:
    """Whether the database has no tables of its own (a restore may fill it)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(text(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            )).scalar_one()
    finally:
        engine.dispose()
    return int(count) == 0


def pg_wipe(url: str) -> None:
    """Empty a database this restore filled (only called when it was empty before)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


_HEADS = ("SELECT c.id, c.name, e.seq, e.entry_hash FROM review_entries e JOIN committees c ON c.id = e.committee_id "
          "WHERE e.seq = (SELECT max(seq) FROM review_entries x WHERE x.committee_id = e.committee_id) ORDER BY c.id")


def chain_heads(*, sqlite_path: Path | None = None, url: str | None = None) -> dict[str, dict[str, Any]]:
    """The newest entry (seq and hash) of every committee's record chain, by committee id."""
    if sqlite_path is not None:
        con = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
        try:
            has = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'review_entries'").fetchone()
            rows = con.execute(_HEADS).fetchall() if has else []
        finally:
            con.close()
    else:
        from sqlalchemy import create_engine, inspect, text

        engine = create_engine(url or "")
        try:
            with engine.connect() as conn:
                rows = conn.execute(text(_HEADS)).fetchall() if inspect(conn).has_table("review_entries") else []
        finally:
            engine.dispose()
    return {str(r[0]): {"committee": r[1], "seq": int(r[2]), "hash": r[3]} for r in rows}
