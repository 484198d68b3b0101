"""``sandbox init`` and the account commands: output, --json, errors, nothing changed on refusal."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app

runner = CliRunner()
BOSS_PW = "first-admin-pw-1"


def _invoke(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)


def _as(user: str, pw: str) -> list[str]:
    return ["--as", user, "--password", pw, "--json"]


@pytest.fixture
def initialised(home: Path) -> Path:
    result = _invoke("init", "--admin", "boss", "--name", "城市管理员", "--json", env={"SANDBOX_PASSWORD": BOSS_PW})
    assert result.exit_code == 0, result.output
    return home


def test_init_creates_home_admin_and_private_secrets(initialised: Path) -> None:
    from sandbox.users import authenticate, list_users

    boss = authenticate("boss", BOSS_PW)
    assert boss.role == "admin" and boss.display_name == "城市管理员"
    assert [u["username"] for u in list_users(boss)] == ["boss"]
    secret = initialised / "secrets" / "pseudonym-default.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((initialised / "secrets").stat().st_mode) == 0o700
    assert (initialised / "sandbox.db").exists() and (initialised / "mlflow.db").exists()
    assert not (initialised / "demo" / ".built").exists()


def test_init_is_refused_when_users_exist(initialised: Path) -> None:
    result = _invoke("--lang", "en", "init", "--admin", "other", env={"SANDBOX_PASSWORD": "whatever-123"})
    assert result.exit_code == 1
    assert "already has 1 accounts" in result.stderr and "sandbox users add" in result.stderr
    from sandbox.users import count_users

    assert count_users() == 1


def test_init_reads_the_password_twice(home: Path) -> None:
    mismatch = _invoke("--lang", "en", "init", "--admin", "boss", stdin="password-one\npassword-two\n")
    assert mismatch.exit_code == 1 and "The two passwords differ" in mismatch.stderr
    empty = _invoke("--lang", "en", "init", "--admin", "boss", stdin="")
    assert empty.exit_code == 1 and "SANDBOX_PASSWORD" in empty.stderr
    from sandbox.users import count_users

    assert count_users() == 0
    result = _invoke("init", "--admin", "boss", "--json", stdin="password-one\npassword-one\n")
    assert result.exit_code == 0, result.output
    assert "password-one" not in result.stdout
    assert json.loads(result.stdout)["admin"] == "boss"


def test_init_short_password_is_refused(home: Path) -> None:
    result = _invoke("--lang", "en", "init", "--admin", "boss", env={"SANDBOX_PASSWORD": "short"})
    assert result.exit_code == 1 and "at least 8 characters" in result.stderr
    assert not (home / "secrets" / "pseudonym-default.key").exists()


def test_account_commands_journey(initialised: Path) -> None:
    add = _invoke("users", "add", "li", "--role", "reviewer", "--new-password", "li-password-1", *_as("boss", BOSS_PW))
    assert add.exit_code == 0, add.output
    off = _invoke("users", "disable", "li", *_as("boss", BOSS_PW))
    assert json.loads(off.stdout) == {"username": "li", "active": False, "changed": True}
    refused = _invoke("--lang", "en", "whoami", "--as", "li", "--password", "li-password-1")
    assert refused.exit_code == 1 and "disabled" in refused.stderr
    listed = json.loads(_invoke("users", "list", *_as("boss", BOSS_PW)).stdout)
    assert {u["username"]: u["active"] for u in listed} == {"boss": True, "li": False}
    assert _invoke("users", "enable", "li", *_as("boss", BOSS_PW)).exit_code == 0
    self_off = _invoke("--lang", "en", "users", "disable", "boss", "--as", "boss", "--password", BOSS_PW)
    assert self_off.exit_code == 1 and "cannot disable your own account" in self_off.stderr
    # the reviewer changes their password; the old one stops working
    changed = _invoke("users", "passwd", "--new-password", "li-password-2", *_as("li", "li-password-1"))
    assert json.loads(changed.stdout) == {"username": "li", "resealed": None}
    assert _invoke("whoami", "--as", "li", "--password", "li-password-1").exit_code == 1
    # own key rotation: wrong password refused, right one gives a new key
    wrong = _invoke("--lang", "en", "users", "rotate-key", "--as", "li", "--password", "not-li-password")
    assert wrong.exit_code == 1 and "Wrong password" in wrong.stderr
    rotated = _invoke("users", "rotate-key", *_as("li", "li-password-2"))
    first = json.loads(rotated.stdout)
    assert first["retired"] is None and len(first["fingerprint"]) == 64
    again = json.loads(_invoke("users", "rotate-key", "--note", "lost laptop", *_as("li", "li-password-2")).stdout)
    assert again["retired"] == first["fingerprint"]
    keys = json.loads(_invoke("users", "keys", *_as("li", "li-password-2")).stdout)
    assert [(k["status"], k["reason"]) for k in keys] == [("retired", "compromised"), ("live", None)]
    assert keys[0]["note"] == "lost laptop"
    # admin reset retires the live key
    reset = json.loads(_invoke("users", "reset-password", "li", "--new-password", "li-password-3",
                               *_as("boss", BOSS_PW)).stdout)
    assert reset == {"username": "li", "retired_key": again["fingerprint"]}
    human = _invoke("--lang", "en", "users", "keys", "li", "--as", "boss", "--password", BOSS_PW)
    assert human.stdout.count("retired") == 2 and "password reset" in human.stdout
    # a non-admin may not reset others
    denied = _invoke("users", "reset-password", "boss", "--new-password", "x" * 10, *_as("li", "li-password-3"))
    assert denied.exit_code == 1


def test_reset_password_asks_twice(initialised: Path) -> None:
    _invoke("users", "add", "li", "--role", "reviewer", "--new-password", "li-password-1", *_as("boss", BOSS_PW))
    result = _invoke("users", "reset-password", "li", *_as("boss", BOSS_PW), stdin="li-password-9\nli-password-9\n")
    assert result.exit_code == 0, result.output
    from sandbox.users import authenticate

    assert authenticate("li", "li-password-9").username == "li"
