"""``sandbox backup OUT.tar.gz``: one consistent archive of a running sandbox.

Order matters for consistency while people keep working: the sandbox
database first, then the MLflow store, then files. Every later copy is then
at least as new as what the earlier one refers to (a trial's MLflow version,
a release's files), never older. The archive is written under a temporary
name beside ``OUT`` and renamed at the end: a killed backup leaves no archive.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sandbox.activity import log_activity
from sandbox.backup._stores import chain_heads, pg_dump, sqlite_file, sqlite_snapshot, store_kind
from sandbox.errors import ConfigError, InputError
from sandbox.files import atomic_path, raise_if_disk_full
from sandbox.settings import Settings, get_settings

__all__ = ["FORMAT", "backup"]

FORMAT = "sandbox-backup/1"
_SKIP_SUFFIXES = ("-wal", "-shm", "-journal")
_TEMP_MARKS = (".tmp", ".partial-", "sandbox-backup-", "write-probe", ".restore-")
# Scratch folders of running operations under work/ (models.scoring, models.service intake, the workbench's
# uploads, weak isolation): a vendor model's copy, an uploaded table; created and removed while a backup runs.
_SCRATCH = ("score-", "intake-", "upload-", "isolated-")


class _Hashing(io.RawIOBase):
    """Reads through to ``raw`` while hashing what was read."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _store_paths(settings: Settings) -> set[Path]:
    """Database files copied through the online backup API, never as plain files."""
    out = set()
    for url in (settings.db_url, settings.mlflow_tracking_uri, settings.mlflow_backend_uri or ""):
        if url.startswith("sqlite:///"):
            out.add(sqlite_file(url).resolve())
    return out


def _temporary(rel: Path) -> bool:
    """Half-written things of other processes (atomic temp files, partial folders, other backups' stages),
    and the scratch folders of operations under way (``work/score-…``: transient copies, never state)."""
    if len(rel.parts) > 2 and rel.parts[0] == "work" and rel.parts[1].startswith(_SCRATCH):
        return True
    return any(part.startswith(".") and any(mark in part for mark in _TEMP_MARKS) for part in rel.parts)


# Not the home's state but copies of it: the MLflow store as it was before `sandbox upgrade` migrated it
# (models._mlflow_store). Carried along, every later backup grew by every earlier upgrade's copy.
_COPIES = ("upgrade-backups",)


def _home_files(root: Path, skip: set[Path]) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_symlink() or not path.is_file() or _temporary(rel) or rel.parts[0] in _COPIES:
            continue
        resolved = path.resolve()
        if resolved in skip or any(resolved.name.endswith(s) and resolved.with_name(resolved.name[: -len(s)]) in skip
                                   for s in _SKIP_SUFFIXES):
            continue
        files.append(path)
    return files


def _mlflow_store(settings: Settings) -> str | None:
    """The MLflow backend store URL to copy (None when MLflow keeps no store of its own we can reach)."""
    tracking = settings.mlflow_tracking_uri
    if tracking.startswith("sqlite:///"):
        return tracking
    if settings.mlflow_backend_uri:
        return settings.mlflow_backend_uri
    raise ConfigError("backup.mlflow_backend_unknown", uri=tracking)


def backup(out: str | Path) -> dict[str, Any]:
    """Write the backup archive ``out`` (``.tar.gz``) and return its manifest summary.

    Contents: ``stores/sandbox.db`` or ``stores/sandbox.pgdump``; the MLflow
    store (``stores/mlflow.db`` or ``stores/mlflow.pgdump``); every file of
    the data home under ``home/`` (MLflow artifacts, secrets, keys, releases,
    demo data); an ``mlflow server``'s artifact folder under
    ``mlflow-artifacts/``; ``manifest.json`` with each file's sha256 and the
    record-chain head of every committee.
    """
    settings = get_settings()
    from sandbox.store import get_engine

    get_engine()  # the database is migrated and reachable before anything is written
    out = Path(out).expanduser().resolve()
    if out.is_dir():
        raise ConfigError("backup.out_is_dir", path=str(out))
    if out.is_relative_to(settings.home):  # the next backup would hold this one; and one disk loses both
        raise InputError("backup.out_inside_home", path=str(out), home=str(settings.home))
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        return _write(settings, out)
    except (OSError, sqlite3.Error) as exc:  # the stage beside OUT filled its disk: say which
        raise_if_disk_full(exc, out)
        raise


def _write(settings: Settings, out: Path) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix=".sandbox-backup-", dir=out.parent) as tmp, atomic_path(out) as part:
        stage = Path(tmp)
        stores: dict[str, Any] = {}
        kind = store_kind(settings.db_url)
        if kind == "sqlite":
            sqlite_snapshot(sqlite_file(settings.db_url), stage / "sandbox.db")
            heads = chain_heads(sqlite_path=stage / "sandbox.db")
            stores["sandbox"] = {"kind": kind, "member": "stores/sandbox.db"}
        else:
            heads = chain_heads(url=settings.db_url)  # before the dump: the dump holds at least these entries
            pg_dump(settings.db_url, stage / "sandbox.pgdump")
            stores["sandbox"] = {"kind": kind, "member": "stores/sandbox.pgdump"}
        ml_url = _mlflow_store(settings)
        if store_kind(ml_url) == "sqlite":
            sqlite_snapshot(sqlite_file(ml_url), stage / "mlflow.db")
            stores["mlflow"] = {"kind": "sqlite", "member": "stores/mlflow.db"}
        else:
            pg_dump(ml_url, stage / "mlflow.pgdump")
            stores["mlflow"] = {"kind": "postgresql", "member": "stores/mlflow.pgdump"}
        members: list[tuple[str, Path]] = [(s["member"], stage / Path(s["member"]).name) for s in stores.values()]
        skip = _store_paths(settings) | {out, part.resolve()}
        members += [(f"home/{p.relative_to(settings.home).as_posix()}", p)
                    for p in _home_files(settings.home, skip)]
        artifacts = settings.mlflow_artifacts_dir
        if artifacts is not None and artifacts.is_dir() and not artifacts.is_relative_to(settings.home):
            members += [(f"mlflow-artifacts/{p.relative_to(artifacts).as_posix()}", p)
                        for p in _home_files(artifacts, skip)]
        vanished: list[str] = []
        with tarfile.open(part, "w:gz", compresslevel=6) as tar:
            for name, path in members:
                try:
                    handle = path.open("rb")
                except FileNotFoundError:  # removed since the listing by a process still working: not state
                    vanished.append(name)
                    continue
                with handle:
                    # size and mode of the file as opened: a file replaced (atomic rename) since the listing is
                    # read whole, never cut to the old size or padded
                    info = tar.gettarinfo(arcname=name, fileobj=handle)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    reader = _Hashing(handle)
                    tar.addfile(info, reader)
                files[name] = {"sha256": reader.digest.hexdigest(), "size": reader.size, "mode": info.mode & 0o777}
            manifest = {
                "format": FORMAT, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "home": str(settings.home), "stores": stores,
                "mlflow_artifacts": str(artifacts) if artifacts else None,
                "chain_heads": heads, "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
        os.chmod(part, 0o600)  # it holds the secrets and the sealed keys
    from sandbox.store import session_scope

    with session_scope() as s:
        log_activity(s, None, "home.backup", out.name, files=len(files))
    return {"archive": str(out), "files": len(files), "bytes": out.stat().st_size, "chain_heads": heads,
            "stores": {k: v["kind"] for k, v in stores.items()}, "vanished": vanished}
