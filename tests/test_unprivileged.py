"""A deployment run by an unprivileged service account, as README 部署 says, and a second account that tries to look.

Everything before ran as root. Here root only does what a city's root does —
creates a service account (``useradd --system``, no home), ``mkdir`` + ``chown``
of the data home (0755, as ``mkdir`` leaves it) — and every command then runs
as that account through ``runuser``, in a clean environment (``HOME=/nonexistent``):
``sandbox init``, a vendor's model submitted and scored inside bubblewrap
(unprivileged: no uid switch of our own), an audit, a PII scan (jieba's cache),
a backup, the workbench answering on HTTP, a restore into another folder.
A second account then tries to read the store, the secrets and the backup.

The machine's Python may sit where no other account can enter (pyenv under
/root, 0700: CI here). Then each command runs in a private mount namespace
where the folder in the way is replaced by an empty tmpfs holding only the
Python runtime and this checkout (read as they are; no host permission
changes), as a system Python would be reachable on a city's server.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._servers import free_port, stop_group, wait_for_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[1]
ADMIN_PW = "city-admin-pw-1"
PW = "member-pw-2027"


def _require_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("creates two accounts with useradd and runs the sandbox as them: needs root (CI runs as "
                    "root); as a developer's own unprivileged account, `make run` is this journey by hand")
    for tool in ("useradd", "userdel", "runuser", "unshare", "mount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: cannot create or switch to an unprivileged account")


@contextlib.contextmanager
def _account(prefix: str) -> Iterator[pwd.struct_passwd]:
    """A system account without a home (as ``useradd --system`` makes a service account); removed afterwards."""
    name = f"{prefix}{os.getpid() % 100000}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                    "/usr/sbin/nologin", name], check=True, capture_output=True)
    account = pwd.getpwnam(name)
    try:
        yield account
    finally:
        subprocess.run(["userdel", name], check=False, capture_output=True)
        shutil.rmtree(Path(tempfile.gettempdir()) / f"algorithm-sandbox-{account.pw_uid}", ignore_errors=True)


def _walls(needed: list[Path]) -> dict[Path, list[Path]]:
    """For each folder other accounts cannot enter on the way to a needed path: the needed paths below it."""
    walls: dict[Path, list[Path]] = {}
    for path in needed:
        for folder in [*reversed(path.parents), path]:
            if not folder.stat().st_mode & stat.S_IXOTH:
                if folder == path:
                    pytest.skip(f"{path} itself is closed to other accounts (mode {oct(folder.stat().st_mode)})")
                walls.setdefault(folder, []).append(path)
                break
    return walls


def _reach(stage: Path) -> list[str]:
    """A command prefix that makes the runtime and this checkout reachable for another account (see module doc)."""
    runtime = {Path(os.path.realpath(p)) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)} | {ROOT}
    needed = sorted(p for p in runtime if not any(p != q and p.is_relative_to(q) for q in runtime))
    walls = _walls(needed)
    if not walls:
        return []
    lines = ["set -e"]
    moves = []
    for wall, paths in walls.items():
        for path in paths:
            slot = stage / str(len(moves))
            lines.append(f"mkdir -p {slot} && mount --bind {shlex.quote(str(path))} {slot}")
            moves.append((slot, path))
        lines.append(f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(wall))}")
    for slot, path in moves:
        lines.append(f"mkdir -p {shlex.quote(str(path))} && mount --bind {slot} {shlex.quote(str(path))} "
                     f"&& umount {slot}")
    lines.append('exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "\n".join(lines), "sh"]


class Host:
    """Runs commands as one account, in a clean environment like a systemd unit's."""

    def __init__(self, account: pwd.struct_passwd, stage: Path, env: dict[str, str]) -> None:
        self.account, self.stage, self.env = account, stage, env

    def argv(self, *command: str, env: dict[str, str] | None = None) -> list[str]:
        clean = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent",
                 **self.env, **(env or {})}
        return [*_reach(self.stage), "runuser", "-u", self.account.pw_name, "--", "env", "-i",
                *(f"{k}={v}" for k, v in clean.items()), *command]

    def run(self, *command: str, env: dict[str, str] | None = None, codes: tuple[int, ...] = (0,),
            cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(self.argv(*command, env=env), capture_output=True, text=True, timeout=600,
                                check=False, cwd=cwd)
        assert result.returncode in codes, f"{command} as {self.account.pw_name}: {result.returncode}\n{result.stderr}"
        return result

    def sandbox(self, *args: str, user: str | None = None, password: str = PW,
                codes: tuple[int, ...] = (0,)) -> object:
        env = {"SANDBOX_PASSWORD": password}
        result = self.run(sys.executable, "-m", "sandbox", "--lang", "en", *args, "--json",
                          *(["--as", user] if user else []), env=env, codes=codes)
        assert "Traceback" not in result.stderr and "Permission denied" not in result.stderr, result.stderr
        return json.loads(result.stdout)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder the service account can reach (pytest's temporary folders are root's, 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="sandbox-unpriv-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_service_account_journey_and_a_second_account(demo_home_path: Path, base: Path) -> None:
    _require_tools()
    from sandbox.demo.accounts import DEMO_VENDORS

    demo = demo_home_path / "demo" / "pension"
    scenario = json.loads((demo / "scenario.json").read_text(encoding="utf-8"))
    vendor = next(v for v in DEMO_VENDORS if v["name"] == scenario["vendor"])
    stage = base / ".reach"
    stage.mkdir(mode=0o700)
    with _account("sbxsvc") as svc, _account("sbxother") as other:
        srv = base / "srv"
        home = srv / "sandbox"
        home.mkdir(parents=True)  # root: mkdir + chown, as README says (mode 0755, as mkdir leaves it)
        for folder in (srv, home):
            os.chown(folder, svc.pw_uid, svc.pw_gid)
        upload = base / "upload"  # what the vendor handed over
        shutil.copytree(demo / "model", upload / "model")
        for name in ("card.yaml", "data.csv"):
            shutil.copy(demo / name, upload / name)
        lines = (demo / "data.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        (upload / "small.csv").write_text("".join(lines[:301]), encoding="utf-8")
        for path in [upload, *upload.rglob("*")]:
            os.chown(path, svc.pw_uid, svc.pw_gid)
        host = Host(svc, stage, {"SANDBOX_HOME": str(home)})

        assert host.sandbox("init", "--admin", "boss", password=ADMIN_PW)["admin"] == "boss"
        host.sandbox("vendors", "add", vendor["name"], "--uscc", vendor["uscc"], user="boss", password=ADMIN_PW)
        for name, role in (("vend", "vendor"), ("li", "reviewer"), ("wu", "steward")):
            extra = ["--vendor", vendor["name"]] if role == "vendor" else []
            host.sandbox("users", "add", name, "--role", role, *extra, "--new-password", PW, user="boss",
                         password=ADMIN_PW)
        submitted = host.sandbox("models", "submit", str(upload / "model"), "--card", str(upload / "card.yaml"),
                                 user="vend")
        assert submitted["isolation"] == "bwrap"  # bubblewrap ran the smoke test
        ref = f"{submitted['name']}/{submitted['version']}"
        audit = host.sandbox("audit", "run", "--model", ref, "--data", str(upload / "data.csv"), "--label",
                             scenario["label"], "--age", scenario["age"], "--district", scenario["district"],
                             "--replicates", "100", user="li", codes=(0, 3, 4))  # 20,000 rows through bwrap
        assert audit["isolation"] == "bwrap" and audit["n_rows"] == len(lines) - 1
        scan = host.sandbox("pii", "scan", str(upload / "small.csv"), user="wu")
        assert "PERSON" in json.dumps(scan)

        # the home is the service account's alone, whatever mkdir left
        assert _mode(home) == 0o700
        assert [_mode(home / s) for s in ("secrets", "keys", "work")] == [0o700] * 3
        assert _mode(home / "secrets" / "pseudonym-default.key") == 0o600
        cache = Path(tempfile.gettempdir()) / f"algorithm-sandbox-{svc.pw_uid}"
        assert (cache / "jieba" / "jieba.cache").is_file() and cache.stat().st_uid == svc.pw_uid

        archive = base / "backups" / "city.tar.gz"
        (base / "backups").mkdir(mode=0o700)
        os.chown(base / "backups", svc.pw_uid, svc.pw_gid)
        made = host.sandbox("backup", str(archive))
        assert made["stores"] == {"sandbox": "sqlite", "mlflow": "sqlite"} and _mode(archive) == 0o600

        # the workbench, started by the service account, answers; its HOME is a folder it may not enter (on
        # this machine /nonexistent existed, 0700 root's: Streamlit crashed reading ~/.streamlit/secrets.toml)
        closed = base / "nonexistent"
        closed.mkdir(mode=0o700)
        port = free_port()
        server = subprocess.Popen(
            host.argv(sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address",
                      "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
                      "--browser.gatherUsageStats", "false", env={"HOME": str(closed)}),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for_port(port, timeout=120, process=server)  # type: ignore[arg-type]
            for path in ("/_stcore/health", "/"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
                    assert response.status == 200
        finally:
            stop_group(server)  # type: ignore[arg-type]
        assert server.stdout is not None
        with server.stdout:
            log = server.stdout.read().decode("utf-8", "replace")
        assert "Traceback" not in log and "Permission denied" not in log, log

        # a second local account can read nothing of it
        looker = Host(other, stage, {})
        for target in (home / "sandbox.db", home / "mlflow.db", home / "secrets" / "pseudonym-default.key",
                       archive):
            tried = looker.run("cat", str(target), codes=(1,))
            assert "Permission denied" in tried.stderr
        assert "Permission denied" in looker.run("ls", str(home), codes=(2,)).stderr
        assert "Permission denied" in looker.run("ls", str(cache), codes=(2,)).stderr

        # restored by the service account into another folder, everything there and verified
        restored_home = srv / "restored"
        restored = Host(svc, stage, {"SANDBOX_HOME": str(restored_home)})
        result = restored.sandbox("restore", str(archive))
        assert result["ok"] and result["relocated"]["moves"][0] == [str(home), str(restored_home)]
        assert _mode(restored_home) == 0o700 and _mode(restored_home / "secrets") == 0o700
        assert restored.sandbox("verify", "--all")["ok"]
        shown = restored.sandbox("audit", "list", user="li")
        assert [a["audit_id"] for a in shown] == [audit["audit_id"]]
        scored = restored.sandbox("models", "score", ref, "--data", str(upload / "small.csv"), "--out",
                                  str(srv / "scores.csv"), user="li")
        assert scored["rows"] == 300

        # root's disaster recovery into a folder that does not exist yet (the disk was replaced): refused unless
        # root names the account; with --owner everything restored is the service account's, which runs there
        lost = srv / "new-disk" / "sandbox"
        as_root = {**{k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "MLFLOW_"))},
                   "SANDBOX_HOME": str(lost)}
        refused = subprocess.run([sys.executable, "-m", "sandbox", "--lang", "en", "restore", str(archive)],
                                 env=as_root, capture_output=True, text=True, cwd=ROOT, timeout=600, check=False)
        assert refused.returncode == 1 and f"--owner {svc.pw_name}" in refused.stderr, refused.stderr
        assert not (srv / "new-disk").exists()
        handed = subprocess.run([sys.executable, "-m", "sandbox", "restore", str(archive), "--owner", svc.pw_name,
                                 "--json"], env=as_root, capture_output=True, text=True, cwd=ROOT, timeout=600,
                                check=False)
        assert handed.returncode == 0, handed.stderr
        assert json.loads(handed.stdout)["owner"] == svc.pw_name
        assert {p.stat().st_uid for p in [lost, *lost.rglob("*")]} == {svc.pw_uid}
        assert _mode(lost) == 0o700
        recovered = Host(svc, stage, {"SANDBOX_HOME": str(lost)})
        recovered.sandbox("users", "add", "zhao", "--role", "reviewer", "--new-password", PW, user="boss",
                          password=ADMIN_PW)  # the service account writes its restored database
        assert recovered.sandbox("verify", "--all")["ok"]
