"""A city's server has no internet after installation: the operator's day runs with no network at all.

Each command runs in a new network namespace (``unshare -n``: loopback only, brought up as a server has
it) and, inside the Python process, under an audit hook that records every socket connection and name lookup
that is not this machine (``sys.addaudithook``: ``socket.connect``, ``socket.getaddrinfo``,
``socket.gethostbyname``, ``urllib.Request``). A library that phones home and swallows the failure (telemetry,
a model hub, a suffix list refresh) is caught by the hook; one that needs the network fails the command.
Tried by hand with ``strace -f -e connect,sendto`` over the demo, a scan, a de-identification, a review list,
a Spark scan, a backup, a restore and the workbench: only 127.0.0.1 and the local nscd socket (notes/s9).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PW = "offline-admin-1"

# Loaded by every Python process of a command (the CLI, the audit's MLflow helper, Spark's Python workers) as
# sitecustomize: appends every non-local network attempt to $OFFLINE_LOG.
HOOK = r'''
import json, os, sys
_LOCAL = ("127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1", "0.0.0.0", "")
_LOG = os.environ.get("OFFLINE_LOG")


def _note(event, target):
    with open(_LOG, "a") as handle:
        handle.write(json.dumps([event, str(target), os.getpid(), sys.argv[:3]]) + "\n")


def _hook(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and str(address[0]) not in _LOCAL and not str(address[0]).startswith("127."):
            _note(event, address[0])
    elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        if str(args[0]) not in _LOCAL and not str(args[0]).startswith("127."):
            _note(event, args[0])
    elif event == "urllib.Request":
        _note(event, args[0])


if _LOG:
    sys.addaudithook(_hook)
'''


def _offline(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in args)
    script = f"ip link set lo up && exec {sys.executable} -m sandbox {quoted}"
    return subprocess.run(["unshare", "--net", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                          timeout=900, check=False, env=env)


def test_the_operators_day_needs_no_network(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("a network namespace needs root, unshare and ip")
    from benchmarks._province import chunk

    table = tmp_path / "低保.csv"
    chunk(2_000, 1).to_csv(table, index=False)
    log = tmp_path / "network.jsonl"
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    home = tmp_path / "home"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SANDBOX_", "MLFLOW_"))}
    env = {**clean, "SANDBOX_HOME": str(home), "SANDBOX_PASSWORD": PW, "OFFLINE_LOG": str(log),
           "SANDBOX_LANG": "en", "SANDBOX_SPARK_MASTER": "local[1]",
           "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT), clean.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    probe = subprocess.run(  # the hook sees what a library's lookup would do, and the namespace refuses it
        ["unshare", "--net", sys.executable, "-c",
         "import socket\ntry:\n    socket.getaddrinfo('pypi.org', 443)\nexcept OSError:\n    print('refused')"],
        capture_output=True, text=True, timeout=120, check=False, env=env)
    assert probe.stdout.strip() == "refused" and "pypi.org" in log.read_text(encoding="utf-8"), probe.stderr
    log.unlink()
    steps = [
        ["init", "--admin", "boss"],
        ["users", "add", "wu", "--role", "steward", "--new-password", PW, "--as", "boss"],
        ["users", "add", "li", "--role", "reviewer", "--new-password", PW, "--as", "boss"],
        ["pii", "scan", str(table), "--as", "wu", "--json"],
        ["deid", str(table), "--out", str(tmp_path / "out" / "低保.deid.csv"), "--as", "wu", "--json"],
        ["audit", "run", "--predictions", str(table), "--data", str(table), "--label", "符合条件", "--prediction",
         "模型判定", "--age", "年龄", "--district", "区县", "--replicates", "100", "--as", "li", "--json"],
        ["audit", "list", "--as", "li", "--json"],
        ["review", "list", "--as", "li", "--json"],
        ["deid", str(table), "--engine", "spark", "--out", str(tmp_path / "spark-out"), "--as", "wu", "--json"],
        ["backup", str(tmp_path / "b.tar.gz")],
    ]
    for args in steps:
        done = _offline(args, env)
        assert done.returncode in (0, 3, 4), (args, done.stderr[-3000:])  # 3/4: the audit's verdict
        assert "Traceback" not in done.stderr, (args, done.stderr[-3000:])
    me = pwd.getpwuid(os.geteuid()).pw_name
    restored = _offline(["restore", str(tmp_path / "b.tar.gz"), "--owner", me, "--json"],
                        {**env, "SANDBOX_HOME": str(tmp_path / "restored")})
    assert restored.returncode == 0, restored.stderr[-3000:]
    assert json.loads(restored.stdout)["ok"]
    attempts = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert attempts == [], attempts
