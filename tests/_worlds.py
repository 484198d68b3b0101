"""Private copies of the session's demo world.

The demo world stores absolute paths (MLflow artifact locations, run and
model-version URIs, file paths in the sandbox database). A plain copy would
still point into the original, so a test writing through it would change the
shared world. :func:`relocated_copy` copies the folder and rewrites the old
home path to the new one in every SQLite text column and every small text file.
:func:`shared_build` builds a world once for several pytest processes (CI runs
three side by side); each then works on its own relocated copy.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["relocated_copy", "shared_build"]

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


def shared_build(root: Path, build: Callable[[Path], dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """The world in ``root/home``, built by ``build`` (which returns its answer) once for all processes.

    The first process to ask builds it while holding ``root/.lock``; the others
    wait on the lock and read the answer from ``root/build.json`` (written
    last, by a rename). A build that failed leaves no ``build.json``: the
    processes after it fail too instead of using a half-built world. Nobody
    may change ``root/home`` after the build; copy it (:func:`relocated_copy`).
    """
    root.mkdir(parents=True, exist_ok=True)
    home, done = root / "home", root / "build.json"
    with (root / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if done.is_file():
                return home, json.loads(done.read_text(encoding="utf-8"))
            if home.exists():
                raise RuntimeError(
                    f"the shared world {home} was left half-built by a process whose build failed: "
                    "see that process's output"
                )
            answer = build(home)
            partial = root / "build.json.partial"
            partial.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
            os.replace(partial, done)
            return home, answer
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
