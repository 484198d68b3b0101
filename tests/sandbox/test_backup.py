"""Backups that restore: a demo world goes through ``sandbox backup`` and ``sandbox restore`` unchanged.

Real SQLite online backups, a real MLflow store and artifacts, real
verification. The kill test kills a real backup process with SIGKILL while
it writes the archive.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import signal
import sqlite3
import stat
import subprocess
import sys
import tarfile
import textwrap
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests._worlds import relocated_copy

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _activate(home: Path) -> None:
    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()
    set_language(None)


@pytest.fixture
def world(demo_home_path: Path, tmp_path: Path) -> Iterator[Path]:
    previous = os.environ.get("SANDBOX_HOME")
    home = relocated_copy(demo_home_path, tmp_path / "city" / "home")
    _activate(home)
    yield home
    _activate(Path(previous) if previous else demo_home_path)


def _rows(db: Path) -> dict[str, list[str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {t: sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{t}"')) for t in tables}
    conn.close()
    return out


def _state(home: Path) -> dict[str, Any]:
    """Everything a restore must bring back, read through the services and the stores themselves."""
    from models.registry import Registry
    from privacy.demo import DEMO_DATASET
    from privacy.ledger import budget_status
    from privacy.release import list_releases
    from sandbox.review import list_records, verify_all
    from sandbox.users import actor_for, list_users

    admin, steward, chair = actor_for("admin"), actor_for("steward"), actor_for("chair")
    budget = budget_status(actor=steward, dataset=DEMO_DATASET)
    registry = Registry()
    aliases = registry.aliases()
    name, versions = next((n, a) for n, a in sorted(aliases.items()) if a)
    return {
        "tables": _rows(home / "sandbox.db"),
        "users": list_users(admin),
        "aliases": aliases,
        "tags": registry.version_tags(name, next(iter(versions.values()))),
        "epsilon_remaining": budget["epsilon_remaining"],
        "releases": list_releases(actor=steward),
        "records": list_records(actor=chair),
        "verify": verify_all(actor=None),
        "secret": (home / "secrets" / "pseudonym-default.key").read_bytes()
        if (home / "secrets" / "pseudonym-default.key").exists() else None,
    }


# the account running the tests restores for itself (root must name the owner of a home that does not exist yet)
ME = ["--owner", pwd.getpwuid(os.geteuid()).pw_name]


def _cli(*args: str) -> Any:
    from sandbox.cli import app

    return CliRunner().invoke(app, ["--lang", "en", *args, *(ME if args[0] == "restore" else [])],
                              catch_exceptions=False)


def test_backup_then_restore_into_an_empty_home_brings_everything_back(world: Path, tmp_path: Path) -> None:
    from sandbox.review import add_member, show_committee
    from sandbox.store import reset_engines
    from sandbox.users import actor_for, add_user

    # a membership change: the newest entry of the record chain, so the archive's head is that change
    add_user(username="new_member", password="new-member-pw-1", role="reviewer")
    joined = add_member(actor=actor_for("admin"), reason="新聘委员", member={
        "username": "new_member", "category": "法律", "sex": "女", "affiliation": "市律师协会", "is_chair": False})
    changes = show_committee(actor=actor_for("chair"))["changes"]
    before = _state(world)
    assert before["verify"]["ok"] and before["records"] and before["releases"]
    archive = tmp_path / "backups" / "city.tar.gz"
    made = _cli("backup", str(archive), "--json")
    assert made.exit_code == 0, made.stderr
    summary = json.loads(made.stdout)
    assert summary["stores"] == {"sandbox": "sqlite", "mlflow": "sqlite"} and summary["chain_heads"]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        body = tar.extractfile("home/secrets/pseudonym-default.key").read()  # type: ignore[union-attr]
    assert {"stores/sandbox.db", "stores/mlflow.db", "manifest.json"} <= names
    assert any(n.startswith("home/mlartifacts/") for n in names)
    assert manifest["files"]["home/secrets/pseudonym-default.key"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert manifest["chain_heads"] == summary["chain_heads"]
    head = summary["chain_heads"][str(joined["head"]["committee"])]
    assert (head["seq"], head["hash"]) == (joined["seq"], joined["hash"])
    # disaster: the data home is gone; the same path is restored from the archive
    reset_engines()
    world.rename(world.with_name("lost"))
    restored = _cli("restore", str(archive), "--json")
    assert restored.exit_code == 0, restored.stderr
    result = json.loads(restored.stdout)
    assert result["ok"] and result["verify"]["ok"] and result["heads_missing"] == []
    assert result["chain_heads"] == summary["chain_heads"]
    after = _state(world)
    assert after == before
    assert after["verify"]["membership"] == 1
    assert show_committee(actor=actor_for("chair"))["changes"] == changes and changes[0]["username"] == "new_member"
    assert stat.S_IMODE((world / "secrets" / "pseudonym-default.key").stat().st_mode) == 0o600
    # refused the second time: the home is no longer empty, and nothing changes
    again = _cli("restore", str(archive))
    assert again.exit_code == 1 and "is not empty" in again.stderr
    assert _rows(world / "sandbox.db") == after["tables"]


def _mentions(root: Path, old: str) -> list[str]:
    """Files under ``root`` whose bytes name ``old`` (plain or as in a file URI), databases included."""
    forms = {old.encode(), urllib.parse.quote(old).encode()}
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and any(f + b"/" in p.read_bytes() or p.read_bytes().endswith(f) for f in forms))


def test_restore_into_another_path_moves_every_path_along(world: Path, tmp_path: Path) -> None:
    """Backed up on one machine, restored into another folder: the world works there and forgets the old path."""
    from audits.service import list_audits, show_audit
    from models.registry import Registry
    from models.service import score_version
    from privacy.release import list_releases
    from sandbox.cli import app
    from sandbox.review import verify_all
    from sandbox.store import reset_engines
    from sandbox.users import actor_for

    chair = actor_for("chair")
    demo = world / "demo" / "pension"
    name = next(n for n, a in Registry().aliases().items() if "pension" in n and a)
    sample = tmp_path / "sample.csv"
    sample.write_text("".join(demo.joinpath("data.csv").read_text(encoding="utf-8-sig").splitlines(True)[:31]),
                      encoding="utf-8")
    before = score_version(actor=chair, name=name, version="1", data=sample)  # a score row holds its folder
    audit_id = list_audits(actor=chair)[0]["audit_id"]
    report = show_audit(actor=chair, audit_id=audit_id)
    archive = tmp_path / "b.tar.gz"
    assert _cli("backup", str(archive)).exit_code == 0
    reset_engines()
    old = str(world)
    world.rename(world.with_name("gone"))  # the first machine is gone: nothing may still point there
    target = tmp_path / "另一台 机器" / "home"
    _activate(target)
    restored = _cli("restore", str(archive), "--json")
    assert restored.exit_code == 0, restored.stderr
    result = json.loads(restored.stdout)
    assert result["ok"] and result["verify"]["ok"] and result["home"] == str(target)
    moved = result["relocated"]
    assert moved["moves"] == [[old, str(target)]] and moved["files"] == ["demo/world.json"]
    assert {"mlflow:runs.artifact_uri", "mlflow:experiments.artifact_location", "sandbox:releases.path",
            "sandbox:model_scores.path"} <= set(moved["changed"]) and moved["history"] == {}
    # the restored world works from its new place
    again = score_version(actor=chair, name=name, version="1", data=sample)
    assert again["预测"].tolist() == before["预测"].tolist()
    assert Path(again.attrs["path"]).is_relative_to(target)
    assert show_audit(actor=chair, audit_id=audit_id)["checks"] == report["checks"]
    html = Registry().download_run_artifacts(report["run_id"], "audit_report.html", tmp_path / "dl")
    assert html.read_text(encoding="utf-8").startswith("<")
    assert all(Path(r["path"]).is_dir() and Path(r["path"]).is_relative_to(target)
               for r in list_releases(actor=actor_for("steward")))
    assert verify_all(actor=None)["ok"]
    assert _mentions(target, old) == []
    # and in Chinese the CLI says where the paths went (a second restore elsewhere)
    reset_engines()
    _activate(tmp_path / "third")
    said = CliRunner().invoke(app, ["--lang", "zh", "restore", str(archive), *ME])
    assert said.exit_code == 0, said.stderr
    assert f"备份来自 {old}，已将存储中的路径改写为 {tmp_path / 'third'}" in said.stderr + said.stdout


def test_restore_elsewhere_refuses_artifacts_that_were_never_backed_up(world: Path, tmp_path: Path) -> None:
    """A run whose artifacts live outside the data home cannot be moved: refused, nothing written."""
    from sandbox.store import reset_engines

    with sqlite3.connect(world / "mlflow.db") as conn:
        run = conn.execute("SELECT run_uuid FROM runs ORDER BY run_uuid LIMIT 1").fetchone()[0]
        conn.execute("UPDATE runs SET artifact_uri = 'file:///srv/elsewhere/artifacts' WHERE run_uuid = ?", (run,))
    conn.close()
    archive = tmp_path / "b.tar.gz"
    assert _cli("backup", str(archive)).exit_code == 0
    reset_engines()
    _activate(tmp_path / "elsewhere" / "home")
    out = _cli("restore", str(archive))
    assert out.exit_code == 1
    assert f"MLflow runs {run} keeps its artifacts at file:///srv/elsewhere/artifacts" in out.stderr
    assert "Nothing was written" in out.stderr
    assert not (tmp_path / "elsewhere" / "home").exists()
    assert [p.name for p in (tmp_path / "elsewhere").iterdir()] == []


_KILL_IN_BACKUP = textwrap.dedent("""
    import os, signal, sys, tarfile
    from sandbox.backup import backup

    real, count = tarfile.TarFile.addfile, [0]
    def dying(self, info, fileobj=None, **kw):
        real(self, info, fileobj, **kw)
        count[0] += 1
        if count[0] == 5:
            os.kill(os.getpid(), signal.SIGKILL)  # mid-archive: some members written, no manifest yet
    tarfile.TarFile.addfile = dying
    backup(sys.argv[1])
""")


def test_kill_during_backup_leaves_no_archive(world: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "backup.tar.gz"
    out.parent.mkdir()
    proc = subprocess.run([sys.executable, "-c", _KILL_IN_BACKUP, str(out)], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "SANDBOX_HOME": str(world)}, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir() if not p.name.startswith(".")] == []
    assert sum(p.stat().st_size for p in out.parent.rglob("*") if p.is_file()) > 0  # it had started writing


def test_small_home_round_trip_and_refusals(home: Path, tmp_path: Path) -> None:
    """A home made by ``sandbox init`` alone: backup, refusals, restore (no demo world needed)."""
    from sandbox.cli import app
    from sandbox.store import reset_engines
    from sandbox.users import authenticate

    made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"})
    assert made.exit_code == 0, made.stderr
    inside = _cli("backup", str(home / "backups" / "b.tar.gz"))
    assert inside.exit_code == 1 and "inside the data home" in inside.stderr
    assert not (home / "backups").exists()
    copy = home / "upgrade-backups" / "mlflow-abc123-20261207T000000Z.db"  # what `sandbox upgrade` keeps
    copy.parent.mkdir()
    copy.write_bytes(b"an older copy of the MLflow store")
    archive = tmp_path / "b.tar.gz"
    assert _cli("backup", str(archive)).exit_code == 0
    with tarfile.open(archive) as tar:  # a copy of a store is not the home's state: not carried by every backup
        names = tar.getnames()
    assert any(n.startswith("home/") for n in names) and not any("upgrade-backups" in n for n in names)
    reset_engines()
    home.rename(tmp_path / "gone")
    restored = _cli("restore", str(archive), "--json")
    assert restored.exit_code == 0, restored.stderr
    assert json.loads(restored.stdout)["chain_heads"] == {}
    assert authenticate("boss", "boss-password-1").role == "admin"


def test_backup_while_operations_run_skips_their_scratch_and_files_removed_meanwhile(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A live deployment: a scoring run's scratch folder (the vendor model's copy, an uploaded table) is no state
    and is not archived; a file another process removes between the backup's listing and its reading is
    skipped and named (before: FileNotFoundError, no archive); a file replaced by an atomic rename meanwhile is
    read whole as opened."""
    from sandbox.backup import _write
    from sandbox.backup import backup as make_backup
    from sandbox.cli import app
    from sandbox.store import reset_engines

    made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": "boss-password-1"})
    assert made.exit_code == 0, made.stderr
    scratch = home / "work" / "score-k2j4h1" / "artifact"
    scratch.mkdir(parents=True)
    (scratch / "model.pkl").write_bytes(b"\x80" * 1000)
    release = home / "work" / "releases" / "r1"
    release.mkdir(parents=True)
    (release / "table.csv").write_text("区县,人数\n城关街道,12\n", encoding="utf-8")
    (release / "gone.csv").write_text("a\n", encoding="utf-8")
    (release / "report.json").write_text('{"v": 1}', encoding="utf-8")
    listed = _write._home_files

    def listing_then_others_work(root: Path, skip: set[Path]) -> list[Path]:
        files = listed(root, skip)
        if root == home:  # what other processes do right after the listing
            (release / "gone.csv").unlink()
            replacement = release / ".report.json.tmp"
            replacement.write_text('{"v": 2, "rows": 12345}', encoding="utf-8")
            os.replace(replacement, release / "report.json")
        return files

    monkeypatch.setattr(_write, "_home_files", listing_then_others_work)
    archive = tmp_path / "live.tar.gz"
    summary = make_backup(archive)
    assert summary["vanished"] == ["home/work/releases/r1/gone.csv"]
    # the operator reading the human output (a cron mail) is told too, not only --json
    (release / "gone.csv").write_text("a\n", encoding="utf-8")
    for lang, said in (("en", "1 file(s) were removed by an operation still running"), ("zh", "有 1 个文件被仍在运行的操作删除")):
        told = CliRunner().invoke(app, ["--lang", lang, "backup", str(tmp_path / f"told-{lang}.tar.gz")])
        assert told.exit_code == 0, told.stderr
        assert said in told.stderr and "home/work/releases/r1/gone.csv" in told.stderr, told.stderr
        (release / "gone.csv").write_text("a\n", encoding="utf-8")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        report = tar.extractfile("home/work/releases/r1/report.json").read()  # type: ignore[union-attr]
    assert "home/work/releases/r1/table.csv" in names
    assert not [n for n in names if "score-" in n or n.endswith("gone.csv")]
    assert json.loads(report) == {"v": 2, "rows": 12345}
    reset_engines()
    home.rename(tmp_path / "gone")
    restored = _cli("restore", str(archive), "--json")
    assert restored.exit_code == 0, restored.stderr
    assert json.loads(restored.stdout)["ok"]
    assert (home / "work" / "releases" / "r1" / "table.csv").is_file() and not (home / "work" / "score-k2j4h1").exists()
