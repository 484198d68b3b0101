"""Private copies of the session's demo world.

The demo world stores absolute paths (MLflow artifact locations, run and
model-version URIs, file paths in the sandbox database). A plain copy would
still point into the original, so a test writing through it would change the
shared world. :func:`relocated_copy` copies the folder and rewrites the old
home path to the new one in every SQLite text column and every small text file.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

__all__ = ["relocated_copy"]

_TEXT_LIMIT = 1 << 20


def _rewrite_sqlite(path: Path, old: str, new: str) -> None:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                try:
                    conn.execute(
                        f'UPDATE "{table}" SET "{column}" = replace("{column}", ?, ?) '
                        f'WHERE typeof("{column}") = \'text\' AND instr("{column}", ?) > 0',
                        (old, new, old),
                    )
                except sqlite3.DatabaseError:
                    pass  # an append-only table refuses updates: its history keeps the old path
        conn.commit()
    finally:
        conn.close()


def relocated_copy(source: Path, target: Path) -> Path:
    """Copy the data home ``source`` to ``target`` with its absolute paths moved along."""
    shutil.copytree(source, target, symlinks=True)
    old, new = str(source), str(target)
    for path in target.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.name.endswith(("-wal", "-shm")):
            continue
        with path.open("rb") as handle:
            head = handle.read(16)
        if head == b"SQLite format 3\x00":
            _rewrite_sqlite(path, old, new)
        elif path.stat().st_size <= _TEXT_LIMIT:
            data = path.read_bytes()
            if old.encode() in data and b"\x00" not in data:
                path.write_bytes(data.replace(old.encode(), new.encode()))
    return target
