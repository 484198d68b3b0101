"""``sandbox restore ARCHIVE``: fill an empty data home from a backup, then verify.

Nothing is written before the whole archive has been read and checked
against its manifest (every member listed, every sha256 right, only plain
files with safe relative names) and the target is known to be empty. Files
are extracted beside the home under a hidden name and moved in at the end;
PostgreSQL dumps load in one transaction each. The restore ends with
``verify --all`` and a check that the restored chains hold the heads the
manifest recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox.backup._relocate import (
    PathMove,
    check_locations,
    history_mentions,
    relocate_files,
    relocate_store,
)
from sandbox.backup._stores import (
    chain_heads,
    pg_is_empty,
    pg_restore,
    pg_wipe,
    sqlite_file,
    store_kind,
)
from sandbox.backup._write import FORMAT
from sandbox.errors import ConfigError, ConflictError, InputError
from sandbox.settings import Settings, get_settings

__all__ = ["check_archive", "restore"]

_PREFIXES = ("stores/", "home/", "mlflow-artifacts/")
_CHUNK = 1 << 20


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (not path.is_absolute() and ".." not in path.parts and "\x00" not in name and "\\" not in name
            and name.startswith(_PREFIXES))


def _read_pass(archive: Path) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    """Read every member once: (manifest, {name: (sha256, size)}); raises on anything unreadable or unsafe."""
    seen: dict[str, tuple[str, int]] = {}
    manifest: dict[str, Any] | None = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for info in tar:
                if info.name == "manifest.json" and info.isfile():
                    manifest = json.loads(tar.extractfile(info).read().decode("utf-8"))  # type: ignore[union-attr]
                    continue
                if not info.isfile() or not _safe_name(info.name) or info.name in seen:
                    raise InputError("backup.member_unsafe", archive=archive.name, member=info.name)
                digest, handle = hashlib.sha256(), tar.extractfile(info)
                while chunk := handle.read(_CHUNK):  # type: ignore[union-attr]
                    digest.update(chunk)
                seen[info.name] = (digest.hexdigest(), info.size)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise InputError("backup.archive_unreadable", archive=archive.name, reason=str(exc) or type(exc).__name__) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError("backup.manifest_bad", archive=archive.name, reason=str(exc)) from None
    if manifest is None:
        raise InputError("backup.manifest_missing", archive=archive.name)
    return manifest, seen


def check_archive(archive: str | Path) -> dict[str, Any]:
    """The manifest of ``archive`` after checking every member against it (writes nothing).

    Raises
    ------
    InputError
        Truncated or unreadable archive, missing or foreign manifest, a member
        missing, extra, changed (sha256) or unsafe (absolute, ``..``, link).
    """
    archive = Path(archive)
    if not archive.is_file():
        raise InputError("backup.archive_missing", archive=str(archive))
    manifest, seen = _read_pass(archive)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise InputError("backup.manifest_bad", archive=archive.name, reason=f"format {manifest.get('format')!r}")
    listed = manifest["files"]
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise InputError("backup.member_missing", archive=archive.name, member=name)
        if name not in listed:
            raise InputError("backup.member_extra", archive=archive.name, member=name)
        if seen[name][0] != listed[name].get("sha256"):
            raise InputError("backup.member_changed", archive=archive.name, member=name)
    return manifest


def _home_is_empty(home: Path) -> bool:
    return not home.exists() or (home.is_dir() and not any(home.iterdir()))


def _check_target(settings: Settings, manifest: dict[str, Any]) -> None:
    """Refuse (nothing written) unless every place the backup fills is empty and of the archived kind."""
    if not _home_is_empty(settings.home):
        raise ConflictError("backup.home_not_empty", home=str(settings.home))
    stores = manifest["stores"]
    targets = {"sandbox": settings.db_url,
               "mlflow": settings.mlflow_tracking_uri if settings.mlflow_tracking_uri.startswith("sqlite:///")
               else settings.mlflow_backend_uri or ""}
    for name, url in targets.items():
        if not url:
            raise ConfigError("backup.mlflow_backend_unknown", uri=settings.mlflow_tracking_uri)
        kind = store_kind(url)
        if kind != stores[name]["kind"]:
            raise ConflictError("backup.store_kind_mismatch", store=name, archived=stores[name]["kind"], target=kind)
        if kind == "sqlite" and sqlite_file(url).exists():
            raise ConflictError("backup.home_not_empty", home=str(sqlite_file(url)))
        if kind == "postgresql" and not pg_is_empty(url):
            raise ConflictError("backup.db_not_empty", store=name)
    artifacts = settings.mlflow_artifacts_dir
    if any(n.startswith("mlflow-artifacts/") for n in manifest["files"]):
        if artifacts is None:
            raise ConfigError("backup.artifacts_target_unknown")
        if not _home_is_empty(artifacts):
            raise ConflictError("backup.home_not_empty", home=str(artifacts))


def _moves(settings: Settings, manifest: dict[str, Any]) -> list[PathMove]:
    """The absolute paths that change: the data home, and an ``mlflow server``'s artifact folder."""
    moves = []
    if Path(manifest["home"]) != settings.home:
        moves.append((str(manifest["home"]).rstrip("/"), str(settings.home)))
    old_artifacts, new_artifacts = manifest.get("mlflow_artifacts"), settings.mlflow_artifacts_dir
    if old_artifacts and new_artifacts is not None and Path(old_artifacts) != new_artifacts:
        moves.append((str(old_artifacts).rstrip("/"), str(new_artifacts)))
    return moves


def _mlflow_url(settings: Settings) -> str:
    tracking = settings.mlflow_tracking_uri
    return tracking if tracking.startswith("sqlite:///") else settings.mlflow_backend_uri or ""


def _extract(archive: Path, manifest: dict[str, Any], stage: Path) -> None:
    """Second pass: write each member under ``stage`` (hashes checked again while writing)."""
    with tarfile.open(archive, "r:gz") as tar:
        for info in tar:
            if info.name == "manifest.json":
                continue
            entry = manifest["files"].get(info.name)
            if entry is None or not info.isfile() or not _safe_name(info.name):
                raise InputError("backup.member_unsafe", archive=archive.name, member=info.name)
            target = stage / info.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, source = hashlib.sha256(), tar.extractfile(info)
            with target.open("xb") as out:
                while chunk := source.read(_CHUNK):  # type: ignore[union-attr]
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != entry["sha256"]:
                raise InputError("backup.member_changed", archive=archive.name, member=info.name)
            os.chmod(target, int(entry.get("mode", 0o600)) & 0o777)


def _move_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        os.replace(child, target / child.name)


def restore(archive: str | Path, *, owner: str | None = None) -> dict[str, Any]:
    """Fill the configured (empty) data home and stores from ``archive``; returns what was restored and verified.

    ``owner``: the account that will run the sandbox on this home. Root must name it when the home does not
    exist yet (``accounts.root_new_home``); everything restored under the home (and a local MLflow artifact
    folder) is then handed to that account once the restore has verified.
    """
    settings = get_settings()
    from sandbox.accounts import new_home_owner, require_own_home

    ids = new_home_owner(owner)
    require_own_home(owner_uid=ids[0] if ids else None)  # root restoring into the service account's home
    archive = Path(archive).expanduser().resolve()
    manifest = check_archive(archive)
    _check_target(settings, manifest)
    home = settings.home
    home.parent.mkdir(parents=True, exist_ok=True)
    created_home = not home.exists()
    stage = Path(tempfile.mkdtemp(prefix=f".{home.name}.restore-", dir=home.parent))
    filled: list[str] = []
    moves = _moves(settings, manifest)
    relocated: dict[str, Any] = {"moves": [list(m) for m in moves], "changed": {}, "files": []}
    try:
        _extract(archive, manifest, stage)
        stores = manifest["stores"]
        urls = {"mlflow": _mlflow_url(settings), "sandbox": settings.db_url}
        for name in ("mlflow", "sandbox"):
            if stores[name]["kind"] == "postgresql":
                pg_restore(urls[name], stage / stores[name]["member"])
                filled.append(urls[name])
            else:  # the staged copy is changed, never a database in place
                urls[name] = f"sqlite:///{stage / stores[name]['member']}"
            if moves:
                changed = relocate_store(urls[name], moves)
                relocated["changed"].update({f"{name}:{k}": v for k, v in changed.items()})
        if moves and (stage / "home").is_dir():
            relocated["files"] = relocate_files(stage / "home", moves)
        roots = [home] + ([settings.mlflow_artifacts_dir] if settings.mlflow_artifacts_dir else [])
        check_locations(urls["mlflow"], roots)
        if (stage / "home").is_dir():
            _move_tree(stage / "home", home)
        home.mkdir(parents=True, exist_ok=True)
        if (stage / "mlflow-artifacts").is_dir():
            _move_tree(stage / "mlflow-artifacts", settings.mlflow_artifacts_dir)  # type: ignore[arg-type]
        if stores["mlflow"]["kind"] == "sqlite":
            os.replace(stage / stores["mlflow"]["member"], sqlite_file(_mlflow_url(settings)))
        if stores["sandbox"]["kind"] == "sqlite":
            os.replace(stage / stores["sandbox"]["member"], sqlite_file(settings.db_url))
    except BaseException:
        for url in filled:
            pg_wipe(url)
        if created_home:
            shutil.rmtree(home, ignore_errors=True)
        elif home.exists():
            for child in home.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    if moves:
        relocated["history"] = history_mentions(settings.db_url, [old for old, _ in moves])
    result = {**_after(settings, manifest, archive), "relocated": relocated if moves else None, "owner": None}
    if ids is not None:
        from sandbox.accounts import hand_over_home

        hand_over_home(ids)
        result["owner"] = owner
    return result


def _entry_hash(committee_id: int, seq: int) -> str | None:
    from sqlalchemy import select

    from sandbox.review._tables import ReviewEntry
    from sandbox.store import session_scope

    with session_scope() as s:
        return s.scalar(select(ReviewEntry.entry_hash).where(ReviewEntry.committee_id == committee_id,
                                                             ReviewEntry.seq == seq))


def _after(settings: Settings, manifest: dict[str, Any], archive: Path) -> dict[str, Any]:
    from sandbox.review import verify_all
    from sandbox.store import reset_engines

    reset_engines()
    verified = verify_all(actor=None)
    kind = manifest["stores"]["sandbox"]["kind"]
    heads = chain_heads(sqlite_path=sqlite_file(settings.db_url)) if kind == "sqlite" else chain_heads(url=settings.db_url)
    missing = [c for c, h in manifest["chain_heads"].items() if _entry_hash(int(c), int(h["seq"])) != h["hash"]]
    return {"archive": str(archive), "home": str(settings.home), "files": len(manifest["files"]),
            "created_at": manifest["created_at"], "chain_heads": heads, "heads_missing": missing,
            "verify": verified, "ok": bool(verified["ok"]) and not missing}
