"""The data home and the caches are private to the account that runs the sandbox.

A second local account could copy ``sandbox.db`` (password hashes, sealed
signing keys, audits, reviews), ``mlflow.db`` and the vendors' models out of a
home made with the default umask (0755/0644); and jieba loaded whatever
``/tmp/jieba.cache`` another account had planted. The journey as real
unprivileged accounts is ``tests/test_unprivileged.py``.
"""

from __future__ import annotations

import marshal
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app

ROOT = Path(__file__).resolve().parents[2]
PW = "first-admin-pw-1"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_closes_a_home_an_administrator_made_with_mkdir(home: Path) -> None:
    home.chmod(0o755)  # `mkdir /srv/sandbox && chown sandbox /srv/sandbox`
    result = CliRunner().invoke(app, ["init", "--admin", "boss", "--json"], env={"SANDBOX_PASSWORD": PW},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert _mode(home) == 0o700
    for sub in ("secrets", "keys", "work"):
        assert _mode(home / sub) == 0o700, sub
    assert _mode(home / "secrets" / "pseudonym-default.key") == 0o600


def test_an_open_home_of_an_older_release_is_closed_on_the_next_command(home: Path) -> None:
    result = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": PW},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for folder in (home, home / "secrets", home / "keys", home / "work"):
        folder.chmod(0o755)  # what releases before this one left (home, work) or an administrator's chmod
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    reset_engines()
    reset_settings_cache()
    whoami = CliRunner().invoke(app, ["whoami", "--as", "boss", "--password", PW, "--json"], catch_exceptions=False)
    assert whoami.exit_code == 0, whoami.output
    assert [_mode(f) for f in (home, home / "secrets", home / "keys", home / "work")] == [0o700] * 4


def test_a_home_of_another_account_is_left_as_it_is(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a folder to another account")
    from sandbox.settings import _make_private

    other = tmp_path / "other"
    other.mkdir(mode=0o755)
    os.chown(other, 65534, 65534)
    _make_private(other)  # not ours: never chmod someone else's folder
    assert _mode(other) == 0o755


def test_private_cache_dir_skips_a_folder_another_account_planted(tmp_path: Path, monkeypatch) -> None:
    from sandbox.files import private_cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = private_cache_dir("jieba")
    assert mine == tmp_path / "cache" / "algorithm-sandbox" / "jieba"
    assert _mode(mine) == 0o700 and _mode(mine.parent) == 0o700 and mine.stat().st_uid == os.geteuid()

    # no usable cache home (a service account's HOME=/nonexistent): the per-account folder in the temp folder,
    # unless someone else made it first (world-writable here; owned by another account when run as root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file-not-folder"))
    (tmp_path / "file-not-folder").write_text("x")
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr("tempfile.tempdir", None)
    planted = tmp_path / "tmp" / f"algorithm-sandbox-{os.geteuid()}"
    (planted / "jieba").mkdir(parents=True)
    planted.chmod(0o777)
    if os.geteuid() == 0:
        os.chown(planted, 65534, 65534)
    fallback = private_cache_dir("jieba")
    assert not fallback.is_relative_to(planted)
    assert fallback.parent == tmp_path / "tmp" and _mode(fallback) == 0o700
    planted.chmod(0o700)
    if os.geteuid() != 0:
        assert private_cache_dir("jieba") == planted / "jieba"  # our own, private: used


def test_jieba_never_loads_a_dictionary_planted_in_the_temp_folder(tmp_path: Path) -> None:
    """jieba loads ``<tmp>/jieba.cache`` whenever it exists: a planted one changed how every name was split."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    planted = tmp / "jieba.cache"
    planted.write_bytes(marshal.dumps(({"张": 1, "三": 1}, 2)))  # a dictionary of two characters
    before = planted.read_bytes()
    env = {**os.environ, "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    code = ("from privacy.nlp import quiet_jieba; quiet_jieba(); import jieba; "
            "print(len(jieba.dt.FREQ), jieba.dt.tmp_dir)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    words, folder = out.stdout.split()
    assert int(words) > 300_000  # jieba's own dictionary, not the planted one
    assert Path(folder) == tmp_path / "cache" / "algorithm-sandbox" / "jieba"
    assert (Path(folder) / "jieba.cache").is_file()  # the cache is kept there (the next start is fast)
    assert planted.read_bytes() == before
    assert "Traceback" not in out.stderr


def test_settings_switch_off_onnxruntime_telemetry(monkeypatch) -> None:
    """onnxruntime 1.32 (the name model) has telemetry on Linux too; a service account saw its warnings."""
    from sandbox.settings import get_settings, reset_settings_cache

    monkeypatch.delenv("ORT_DISABLE_TELEMETRY", raising=False)
    reset_settings_cache()
    get_settings()
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"


def test_importing_the_name_model_runtime_writes_nothing_in_home(tmp_path: Path) -> None:
    """onnxruntime wrote ~/.cache/Microsoft/DeveloperTools/.onnxruntime at import (as root with HOME=/nonexistent:
    a root-only /nonexistent, the home of every system account)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", "import privacy, onnxruntime"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    assert list(tmp_path.iterdir()) == []


def test_root_is_refused_on_the_service_accounts_home(home: Path, tmp_path: Path) -> None:
    """An administrator's `sudo sandbox restore/score/...` on the service account's home left root-owned files
    (scores, MLflow runs, WAL) the workbench could no longer read; refused before anything is touched."""
    if os.geteuid() != 0:
        pytest.skip("needs root to give the home to another account")
    import pwd

    made = CliRunner().invoke(app, ["init", "--admin", "boss"], env={"SANDBOX_PASSWORD": PW}, catch_exceptions=False)
    assert made.exit_code == 0, made.output
    from sandbox.store import reset_engines

    reset_engines()
    for path in [home, *home.rglob("*")]:
        os.chown(path, 65534, 65534, follow_symlinks=False)
    before = sorted((p.relative_to(home), p.stat().st_mtime_ns) for p in home.rglob("*"))
    owner = pwd.getpwuid(65534).pw_name
    for args in (["whoami", "--as", "boss", "--password", PW], ["demo"], ["restore", str(tmp_path / "x.tar.gz")],
                 ["init", "--admin", "other"]):
        result = CliRunner().invoke(app, ["--lang", "en", *args], env={"SANDBOX_PASSWORD": PW},
                                    catch_exceptions=False)
        assert result.exit_code == 1, (args, result.output)
        assert f"belongs to the account {owner}" in result.stderr and f"runuser -u {owner} --" in result.stderr
    assert sorted((p.relative_to(home), p.stat().st_mtime_ns) for p in home.rglob("*")) == before


def test_root_restoring_a_home_that_does_not_exist_must_name_its_owner(home: Path, tmp_path: Path) -> None:
    """Root's restore into a home that does not exist yet made every file root's (the service account's workbench
    then could not open its own database): root must name the account; nothing is created before that."""
    if os.geteuid() != 0:
        pytest.skip("the refusal is root's")
    import pwd
    import shutil

    srv = tmp_path / "srv"
    srv.mkdir()
    os.chown(srv, 65534, 65534)  # `install -d -o sandbox /srv/…` done for the parent only
    target = srv / "sandbox"
    os.environ["SANDBOX_HOME"] = str(target)
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    reset_settings_cache()
    reset_engines()
    try:
        archive = tmp_path / "x.tar.gz"
        archive.write_bytes(b"not even read")
        nobody = pwd.getpwuid(65534).pw_name
        refused = CliRunner().invoke(app, ["--lang", "en", "restore", str(archive)], catch_exceptions=False)
        assert refused.exit_code == 1, refused.output
        assert f"--owner {nobody}" in refused.stderr and "Nothing was changed" in refused.stderr, refused.stderr
        zh = CliRunner().invoke(app, ["--lang", "zh", "restore", str(archive)], catch_exceptions=False)
        assert f"runuser -u {nobody} -- sandbox restore" in zh.stderr and "未做任何更改" in zh.stderr, zh.stderr
        unknown = CliRunner().invoke(app, ["--lang", "en", "restore", str(archive), "--owner", "no-such-account-x"],
                                     catch_exceptions=False)
        assert unknown.exit_code == 1, unknown.output
        assert "no account no-such-account-x" in unknown.stderr, unknown.stderr
        assert list(srv.iterdir()) == []
    finally:
        shutil.rmtree(srv, ignore_errors=True)
        os.environ["SANDBOX_HOME"] = str(home)
        reset_settings_cache()
        reset_engines()


def test_root_initialising_a_new_home_hands_it_over_or_says_it_is_roots(home: Path, tmp_path: Path) -> None:
    """`sandbox init` as root into a home that does not exist made a root-owned home without a word (the service
    account's workbench could not open it). `--owner ACCOUNT` hands every file over; without it root is told."""
    if os.geteuid() != 0:
        pytest.skip("root's")
    import pwd
    import shutil

    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    nobody = pwd.getpwuid(65534).pw_name
    try:
        for name, extra in (("for-nobody", ["--owner", nobody]), ("roots", [])):
            target = tmp_path / name / "home"
            os.environ["SANDBOX_HOME"] = str(target)
            reset_settings_cache()
            reset_engines()
            made = CliRunner().invoke(app, ["--lang", "en", "init", "--admin", "boss", *extra],
                                      env={"SANDBOX_PASSWORD": PW}, catch_exceptions=False)
            assert made.exit_code == 0, made.output
            reset_engines()
            owners = {p.stat().st_uid for p in [target, *target.rglob("*")]}
            if extra:
                assert owners == {65534} and f"now belongs to the account {nobody}" in made.stderr
                assert "created by root" not in made.stderr
            else:
                assert owners == {0} and "created by root" in made.stderr and "--owner ACCOUNT" in made.stderr
    finally:
        shutil.rmtree(tmp_path / "for-nobody", ignore_errors=True)
        os.environ["SANDBOX_HOME"] = str(home)
        reset_settings_cache()
        reset_engines()
