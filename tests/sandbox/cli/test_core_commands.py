"""CLI core commands: demo, users, whoami — output, --json, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD
from tests._worlds import relocated_copy

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *args], capture_output=True, text=True, env=full_env,
        cwd=ROOT, timeout=300, check=False,
    )


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("demo", "users", "whoami"):
        assert command in result.stdout


def test_whoami_json_for_each_role(demo_home: Path) -> None:
    for username, role in [("vendor_a", "vendor"), ("reviewer", "reviewer"), ("steward", "steward"),
                           ("chair", "chair"), ("admin", "admin")]:
        result = runner.invoke(app, ["whoami", "--as", username, "--password", DEMO_PASSWORD, "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["username"] == username and data["role"] == role
    data = json.loads(runner.invoke(app, ["whoami", "--as", "vendor_a", "--password", DEMO_PASSWORD, "--json"]).stdout)
    assert data["vendor"] == "智联政务科技有限公司"


def test_unknown_user_and_wrong_password_exit_1_with_message(demo_home: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "whoami", "--as", "nobody", "--password", "x"])
    assert result.exit_code == 1
    assert "User nobody does not exist" in result.stderr
    result = runner.invoke(app, ["whoami", "--as", "reviewer", "--password", "wrong-password"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "用户 reviewer 的密码错误。"


def test_password_from_environment(demo_home: Path) -> None:
    result = runner.invoke(app, ["whoami", "--as", "steward", "--json"], env={"SANDBOX_PASSWORD": DEMO_PASSWORD})
    assert result.exit_code == 0
    result = runner.invoke(app, ["--lang", "en", "whoami", "--as", "steward"], env={"SANDBOX_PASSWORD": ""})
    assert result.exit_code == 1
    assert "needs a password" in result.stderr


def test_users_list_json_and_human(demo_home: Path) -> None:
    result = runner.invoke(app, ["users", "list", "--json", "--as", "admin", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {r["username"] for r in rows} >= {"admin", "chair", "reviewer", "steward", "vendor_a", "vendor_b"}
    human = runner.invoke(app, ["users", "list", "--as", "chair", "--password", DEMO_PASSWORD])
    assert "vendor_b" in human.stdout and "数安城市科技有限公司" in human.stdout
    denied = runner.invoke(app, ["users", "list", "--as", "vendor_a", "--password", DEMO_PASSWORD])
    assert denied.exit_code == 1 and "无权执行" in denied.stderr
    anonymous = runner.invoke(app, ["--lang", "en", "users", "list"])
    assert anonymous.exit_code == 1 and "--as" in anonymous.stderr


def test_users_add_needs_admin_and_valid_role(home: Path) -> None:
    from sandbox.demo.people import seed_people

    seed_people()
    base = ["users", "add", "newbie", "--new-password", "long-enough-1"]
    denied = runner.invoke(app, [*base, "--role", "reviewer", "--as", "vendor_a", "--password", DEMO_PASSWORD])
    assert denied.exit_code == 1
    assert "无权执行" in denied.stderr
    bad_role = runner.invoke(app, ["--lang", "en", *base, "--role", "boss", "--as", "admin", "--password", DEMO_PASSWORD])
    assert bad_role.exit_code == 1
    assert "Unknown role boss" in bad_role.stderr
    ok = runner.invoke(app, [*base, "--role", "reviewer", "--as", "admin", "--password", DEMO_PASSWORD, "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"username": "newbie", "role": "reviewer", "vendor": None}
    again = runner.invoke(app, [*base, "--role", "reviewer", "--as", "admin", "--password", DEMO_PASSWORD])
    assert again.exit_code == 1
    assert "已存在" in again.stderr


def test_usage_error_exits_2() -> None:
    result = _run("users", "frobnicate")
    assert result.returncode == 2


def test_missing_home_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = _run("init", "--admin", "boss", env={"SANDBOX_HOME": str(blocker / "home"),
                                                  "SANDBOX_PASSWORD": "a-long-enough-password"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "数据目录" in result.stderr or "SANDBOX_HOME" in result.stderr
    assert "Set SANDBOX_HOME" in result.stderr or "not a folder" in result.stderr


@pytest.mark.parametrize("command", [("users", "list", "--as", "admin", "--password", DEMO_PASSWORD),
                                     ("verify", "--all"), ("backup", "{tmp}/b.tar.gz")])
def test_a_home_never_initialised_is_refused_and_not_created(tmp_path: Path, command: tuple[str, ...]) -> None:
    """A mistyped SANDBOX_HOME used to become a new home with new secrets: 'verify --all' then passed over zero
    records, 'users list' said the admin did not exist, and a later restore into that folder was refused."""
    home = tmp_path / "typo"
    result = _run(*(part.format(tmp=tmp_path) for part in command), env={"SANDBOX_HOME": str(home)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"数据目录 {home} 还没有初始化" in result.stderr and "sandbox restore" in result.stderr
    assert "核验通过" not in result.stdout + result.stderr
    assert not home.exists() and not (tmp_path / "b.tar.gz").exists()


@pytest.mark.slow
def test_demo_command_is_idempotent_and_json(demo_home_path: Path, demo_build: dict, tmp_path: Path) -> None:
    """``sandbox demo --json`` built the session's world in an empty home (tests/conftest.py); run again, as a
    real process on a copy of that world, it reports the world instead of building a second one."""
    assert demo_build["built"] is True and demo_build["home"] == str(demo_home_path)
    home = relocated_copy(demo_home_path, tmp_path / "h")
    second = _run("demo", "--json", env={"SANDBOX_HOME": str(home)})
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["built"] is False and again["home"] == str(home)
    assert again["areas"] == demo_build["areas"]
    assert [{**d, "path": None} for d in again["datasets"]] == [{**d, "path": None} for d in demo_build["datasets"]]
