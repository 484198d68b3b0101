"""A run stopped half-way leaves nothing half-written: SIGTERM cleans up; what SIGKILL left is swept next time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from sandbox.cli._common import Terminated, cli_command, terminate
from sandbox.files import atomic_dir, atomic_path, sweep_stale


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_what_a_killed_run_left_is_swept_by_the_next_write_and_a_live_run_is_left_alone(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getpid()
    target = tmp_path / "低保.deid.csv"
    left = [tmp_path / f".低保.deid.csv.{dead}-abc.tmp",                       # atomic_path's temporary
            tmp_path / f"..低保.deid.csv.{dead}-d8.csv.{dead}-x1.tmp"]           # a staged file's own temporary
    for path in left:
        path.write_text("半个文件")
    running = tmp_path / f".低保.deid.csv.{alive}-def.tmp"
    running.write_text("still being written")
    other = tmp_path / f".其他.csv.{dead}-abc.tmp"
    other.write_text("another target")
    with atomic_path(target) as tmp:
        tmp.write_text("完整")
    assert target.read_text() == "完整"
    assert not any(p.exists() for p in left)
    assert running.exists() and other.exists()
    folder = tmp_path / "out"
    stale = tmp_path / f".out.partial-{dead}-q1"
    stale.mkdir()
    (stale / "低保.deid.csv").write_text("半个文件")
    with atomic_dir(folder) as tmp:
        (tmp / "x").write_text("ok")
    assert not stale.exists() and (folder / "x").exists()
    assert sweep_stale(target) == []


def test_sigterm_inside_a_write_removes_the_temporary(tmp_path: Path) -> None:
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        with pytest.raises(Terminated), atomic_dir(tmp_path / "out") as tmp:
            (tmp / "低保.deid.csv").write_text("半个")
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()  # never reached: the handler raises
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []

    @cli_command(needs_home=False)
    def stopped() -> None:
        raise Terminated

    with pytest.raises(typer.Exit) as caught:
        stopped()
    assert caught.value.exit_code == 143


def test_the_cli_process_turns_sigterm_into_clean_up(tmp_path: Path) -> None:
    """``sandbox.cli.main`` installs the handler: without it Python dies on SIGTERM and the temporary stays."""
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import sandbox.cli as cli\n"
        "from sandbox.files import atomic_dir\n"
        "def app():\n"
        "    with atomic_dir(Path(sys.argv[1]) / 'out') as tmp:\n"
        "        (tmp / 'data.csv').write_text('half')\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        signal.pause()\n"
        "cli.app = app\n"
        "cli.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and done.returncode != -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_leaves_nothing_half_written_and_says_which_disk(home: Path, tmp_path: Path) -> None:
    """A de-identification and a backup onto a 1 MB filesystem. Before: a raw `OSError: [Errno 28]` traceback.
    The filesystem is a tmpfs mounted in a private mount namespace of the command (the host is not changed)."""
    import shutil

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("mounting a small tmpfs for the command needs root and unshare")
    from typer.testing import CliRunner

    from benchmarks._province import chunk
    from sandbox.cli import app

    pw = {"SANDBOX_PASSWORD": "boss-password-1"}
    assert CliRunner().invoke(app, ["init", "--admin", "boss"], env=pw).exit_code == 0
    assert CliRunner().invoke(app, ["users", "add", "wu", "--role", "steward", "--new-password", "boss-password-1",
                                    "--as", "boss"], env=pw).exit_code == 0
    table = tmp_path / "低保.csv"
    chunk(20_000, 0).to_csv(table, index=False)  # ~2 MB of names, 身份证号, phones
    small = tmp_path / "small"
    small.mkdir()
    for args, target in ((["deid", str(table), "--out", str(small / "低保.deid.csv"), "--as", "wu"], "低保.deid.csv"),
                         (["backup", str(small / "b.tar.gz")], "b.tar.gz")):
        script = (f"mount -t tmpfs -o size=1m tmpfs {small} && {sys.executable} -m sandbox --lang en "
                  + " ".join(f"'{a}'" for a in args) + f"; echo rc=$?; ls -A {small}")
        done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                              capture_output=True, text=True, timeout=600, check=False,
                              env={**os.environ, **pw, "SANDBOX_HOME": str(home)})
        assert done.stdout.strip().splitlines() == ["rc=1"], (done.stdout, done.stderr[-2000:])  # nothing left
        assert f"The disk is full: no space left while writing {small / target}" in done.stderr, done.stderr
        assert "磁盘已满" in done.stderr and "Traceback" not in done.stderr
