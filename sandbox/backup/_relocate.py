"""Moving a restored world to another path: ``sandbox restore`` into a different ``SANDBOX_HOME``.

The stores hold absolute paths: MLflow's experiment and run artifact
locations (``file:///…/mlartifacts/…``, percent-encoded), model-version
storage locations, the sandbox database's release and score folders, review
states that carry evidence (JSON, non-ASCII escaped), the demo world's
``world.json``. A restore elsewhere rewrites each old path prefix to the new
one in every text column of every *mutable* table of both stores, in the
three forms a path is written in (plain, JSON-escaped, file-URI-quoted), and
only at a path boundary (``/old/home`` never matches ``/old/home2``).

Append-only tables (the record chain, activity log, audits, key history) are
history: they are never changed; the rows that still name the old path are
counted and reported (a signed record keeps the text it was signed with, and
nothing is located through it). After the rewrite, every MLflow artifact
location of a run or model version that is a local file must lie in the new
home or the new artifact folder, or the restore stops
(``backup.location_outside``): those artifacts were never in the archive.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import urllib.parse
from pathlib import Path

from sqlalchemy import JSON, String, Text, create_engine, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from sandbox.errors import ConflictError

__all__ = ["PathMove", "check_locations", "history_mentions", "relocate_files", "relocate_store"]

PathMove = tuple[str, str]
"""``(old, new)`` absolute paths, no trailing slash."""

_ENDS = ("/", '"', "'")
_FILES = ("demo/world.json",)


def _pairs(moves: list[PathMove]) -> list[tuple[str, str]]:
    """Every (old, new) text pair to replace: ``file://`` URI (percent-encoded), JSON-escaped, plain."""
    pairs: dict[str, str] = {}
    for old, new in moves:
        pairs["file://" + urllib.parse.quote(old)] = "file://" + urllib.parse.quote(new)
        if json.dumps(old)[1:-1] != old:  # non-ASCII: json.dumps wrote it as \uXXXX
            pairs[json.dumps(old)[1:-1]] = json.dumps(new)[1:-1]
        pairs.setdefault(old, new)
    return list(pairs.items())


def _mentions(path: str) -> list[str]:
    return list(dict.fromkeys((path, json.dumps(path)[1:-1], urllib.parse.quote(path))))


def _append_only(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        rows = conn.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                 "AND sql LIKE '%append-only%'"))
    else:
        rows = conn.execute(text("SELECT event_object_table FROM information_schema.triggers "
                                 "WHERE action_statement LIKE '%sandbox_append_only%'"))
    return {r[0] for r in rows}


def _text_columns(conn: Connection) -> list[tuple[str, str, bool]]:
    """(table, column, is_json) for every text-like column."""
    found = []
    inspector = inspect(conn)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            kind = column["type"]
            if isinstance(kind, JSON) or isinstance(kind, String | Text):
                found.append((table, column["name"], isinstance(kind, JSON)))
    return found


def _contains(conn: Connection) -> str:
    return "instr({v}, :{p}) > 0" if conn.dialect.name == "sqlite" else "strpos({v}, :{p}) > 0"


def _rewrite_column(conn: Connection, table: str, column: str, *, is_json: bool,
                    pairs: list[tuple[str, str]], token: str) -> int:
    """Replace each old prefix at a path boundary in one column; rows changed.

    Two steps through unique tokens, so a new path that contains an old one
    (``/srv/a`` → ``/srv/a/b``) is never rewritten twice.
    """
    cast = is_json and conn.dialect.name == "postgresql"
    value = f'CAST("{column}" AS TEXT)' if cast else f'"{column}"'

    def update(expr: str, where: str, params: dict[str, str]) -> int:
        expr = f"CAST({expr} AS JSON)" if cast else expr
        return int(conn.execute(text(f'UPDATE "{table}" SET "{column}" = {expr} WHERE {where}'), params).rowcount)

    params: dict[str, str] = {f"end{j}": end for j, end in enumerate(_ENDS)} | {"token": token}
    contains = _contains(conn)
    anywhere = " OR ".join(contains.format(v=value, p=f"old{i}") for i in range(len(pairs)))
    params |= {f"old{i}": old for i, (old, _new) in enumerate(pairs)}
    if not conn.execute(text(f'SELECT count(*) FROM "{table}" WHERE {anywhere}'), params).scalar_one():
        return 0  # untouched (PostgreSQL would still type-check a token against a short column)
    expr = value
    for i, (old, new) in enumerate(pairs):
        params |= {f"old{i}": old, f"new{i}": new, f"tok{i}": f"{token}{i}#"}
        if not cast:  # a whole value that is the path; never a JSON document, and PostgreSQL type-checks
            update(f":tok{i}", f"{value} = :old{i}", params)  # CAST(token AS JSON) even when no row matches
        for j in range(len(_ENDS)):
            expr = f"replace({expr}, :old{i} || :end{j}, :tok{i} || :end{j})"
    update(expr, anywhere, params)
    expr = value
    for i in range(len(pairs)):
        expr = f"replace({expr}, :tok{i}, :new{i})"
    return update(expr, contains.format(v=value, p="token"), params)


def relocate_store(url: str, moves: list[PathMove]) -> dict[str, int]:
    """Rewrite ``moves`` in every mutable table of the database at ``url`` (one transaction).

    Returns
    -------
    dict
        ``{"table.column": rows changed}`` for the columns that changed.
    """
    changed: dict[str, int] = {}
    pairs = _pairs(moves)
    token = f"\u2e28{secrets.token_hex(4)}-"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            frozen = _append_only(conn)
            for table, column, is_json in _text_columns(conn):
                if table in frozen:
                    continue
                try:
                    rows = _rewrite_column(conn, table, column, is_json=is_json, pairs=pairs, token=token)
                except DBAPIError as exc:  # e.g. the new path does not fit a short column
                    raise ConflictError("backup.relocate_failed", table=table, column=column,
                                        reason=str(exc.orig).splitlines()[0]) from None
                if rows:
                    changed[f"{table}.{column}"] = rows
    finally:
        engine.dispose()
    if changed and url.startswith("sqlite:///"):  # free pages would still hold the old text
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        try:
            conn.execute("VACUUM")
        finally:
            conn.close()
    return changed


def history_mentions(url: str, paths: list[str]) -> dict[str, int]:
    """Rows of append-only tables that still name one of ``paths`` (kept as history), by table."""
    found: dict[str, int] = {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            frozen = _append_only(conn)
            for table, column, is_json in _text_columns(conn):
                if table not in frozen:
                    continue
                value = f'CAST("{column}" AS TEXT)' if is_json and conn.dialect.name == "postgresql" else f'"{column}"'
                for path in paths:
                    for form in _mentions(path):
                        where = _contains(conn).format(v=value, p="old")
                        count = conn.execute(text(f'SELECT count(*) FROM "{table}" WHERE {where}'),
                                             {"old": form}).scalar_one()
                        if count:
                            found[table] = found.get(table, 0) + int(count)
    finally:
        engine.dispose()
    return found


def _local_path(location: str) -> Path | None:
    if location.startswith("file:"):
        return Path(urllib.parse.unquote(urllib.parse.urlparse(location).path))
    if location.startswith("/"):
        return Path(location)
    return None


_LOCATIONS = (("runs", "run_uuid", "artifact_uri"), ("model_versions", "name || ' v' || version", "storage_location"),
              ("model_versions", "name || ' v' || version", "source"),
              ("logged_models", "model_id", "artifact_location"))


def check_locations(url: str, roots: list[Path]) -> None:
    """Refuse when an MLflow run or model version keeps its artifacts outside ``roots``.

    Raises
    ------
    ConflictError
        ``backup.location_outside`` naming the table, the row and the location.
    """
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            for table, key, column in _LOCATIONS:
                if table not in tables:
                    continue
                for row_key, location in conn.execute(text(f'SELECT {key}, "{column}" FROM "{table}"')):
                    path = _local_path(location or "")
                    if path is not None and not any(path.is_relative_to(root) for root in roots):
                        raise ConflictError("backup.location_outside", table=table, row=str(row_key),
                                            location=location)
    finally:
        engine.dispose()


def relocate_files(home: Path, moves: list[PathMove]) -> list[str]:
    """Rewrite ``moves`` in the product's own small text files under ``home`` (``demo/world.json``)."""
    changed = []
    for name in _FILES:
        path = home / name
        if not path.is_file():
            continue
        data = original = path.read_text(encoding="utf-8")
        token = f"\u2e28{secrets.token_hex(4)}-"
        pairs = _pairs(moves)
        for i, (old, _new) in enumerate(pairs):
            for end in _ENDS:
                data = data.replace(old + end, f"{token}{i}#{end}")
        for i, (_old, new) in enumerate(pairs):
            data = data.replace(f"{token}{i}#", new)
        if data != original:
            path.write_text(data, encoding="utf-8")
            changed.append(name)
    return changed
