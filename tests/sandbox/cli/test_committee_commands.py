"""``sandbox committee``: create from a members file, list, show, declare-interest; refusals change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.review import DEMO_COMMITTEE, DEMO_MEMBERS

runner = CliRunner()
BOSS_PW = "first-admin-pw-1"
PW = "member-password-1"


def _invoke(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def _as(user: str, pw: str = PW) -> list[str]:
    return ["--as", user, "--password", pw, "--json"]


def members_yaml(path: Path, members: list[dict[str, Any]] | None = None) -> Path:
    """The demo committee written as a city admin would (``chair: true`` rather than ``is_chair``)."""
    rows = []
    for m in members if members is not None else DEMO_MEMBERS:
        row = {k: v for k, v in m.items() if k != "is_chair"}
        if m.get("is_chair"):
            row["chair"] = True
        rows.append(row)
    path.write_text(yaml.safe_dump({"members": rows}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def accounts(home: Path) -> Path:
    """An initialised home with the admin and the seven people of the demo committee (no committee yet)."""
    assert _invoke("init", "--admin", "boss", "--json", env={"SANDBOX_PASSWORD": BOSS_PW}).exit_code == 0
    for m in DEMO_MEMBERS:
        role = "chair" if m.get("is_chair") else "reviewer"
        added = _invoke("users", "add", m["username"], "--role", role, "--new-password", PW, *_as("boss", BOSS_PW))
        assert added.exit_code == 0, added.output
    added = _invoke("users", "add", "steward", "--role", "steward", "--new-password", PW, *_as("boss", BOSS_PW))
    assert added.exit_code == 0, added.output
    return home


def _committees() -> list[dict[str, Any]]:
    listed = _invoke("committee", "list", *_as("chair"))
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.stdout)


def test_create_list_show_and_declare(accounts: Path, tmp_path: Path) -> None:
    file = members_yaml(tmp_path / "members.yaml")
    made = _invoke("committee", "create", DEMO_COMMITTEE, "--members", str(file), *_as("boss", BOSS_PW))
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["members"] == 7
    [row] = _committees()
    assert row["name"] == DEMO_COMMITTEE and [m["username"] for m in row["members"] if m["is_chair"]] == ["chair"]
    shown = json.loads(_invoke("committee", "show", *_as("reviewer")).stdout)
    by_name = {m["username"]: m for m in shown["members"]}
    assert by_name["reviewer6"]["interests"] == ["曾为数安城市科技有限公司提供咨询服务（2025年）"]
    assert by_name["reviewer3"]["category"] == "法律" and by_name["reviewer3"]["affiliation"] == "市司法局"
    human = _invoke("--lang", "en", "committee", "list", "--as", "chair", "--password", PW)
    assert "7 members\tchair chair" in human.stdout

    own = _invoke("committee", "declare-interest", "2026年持有某数据公司股份", *_as("reviewer2"))
    assert json.loads(own.stdout) == {"committee": DEMO_COMMITTEE, "username": "reviewer2",
                                      "interests": ["2026年持有某数据公司股份"], "added": True, "recused_in": []}
    again = _invoke("--lang", "en", "committee", "declare-interest", "2026年持有某数据公司股份",
                    "--as", "reviewer2", "--password", PW)
    assert again.exit_code == 0 and "already declared" in again.stderr
    for_other = _invoke("committee", "declare-interest", "配偶任职于某公司", "--member", "reviewer4",
                        *_as("boss", BOSS_PW))
    assert json.loads(for_other.stdout)["interests"] == ["配偶任职于某公司"]
    refused = _invoke("--lang", "en", "committee", "declare-interest", "x", "--member", "reviewer4",
                      "--as", "reviewer2", "--password", PW)
    assert refused.exit_code != 0 and "reviewer2" in refused.stderr
    not_member = _invoke("--lang", "en", "committee", "declare-interest", "x", "--as", "steward", "--password", PW)
    assert not_member.exit_code != 0 and "Not members of this committee: steward" in not_member.stderr
    shown = json.loads(_invoke("committee", "show", DEMO_COMMITTEE, *_as("chair")).stdout)
    assert {m["username"]: m["interests"] for m in shown["members"]}["reviewer4"] == ["配偶任职于某公司"]


def test_too_few_members_in_both_languages(accounts: Path, tmp_path: Path) -> None:
    file = members_yaml(tmp_path / "six.yaml", list(DEMO_MEMBERS[:6]))
    zh = _invoke("--lang", "zh", "committee", "create", "小委员会", "--members", str(file), *_as("boss", BOSS_PW))
    assert zh.exit_code != 0 and "委员会只有 6 名委员" in zh.stderr and "至少 7 名" in zh.stderr
    en = _invoke("--lang", "en", "committee", "create", "小委员会", "--members", str(file), *_as("boss", BOSS_PW))
    assert en.exit_code != 0 and "only 6 members" in en.stderr and "at least 7" in en.stderr
    assert _committees() == []


def test_refusals_change_nothing(accounts: Path, tmp_path: Path) -> None:
    def refused(members: list[dict[str, Any]] | Path, *, user: str = "boss", pw: str = BOSS_PW) -> str:
        file = members if isinstance(members, Path) else members_yaml(tmp_path / "m.yaml", members)
        result = _invoke("--lang", "en", "committee", "create", "委员会", "--members", str(file),
                         "--as", user, "--password", pw)
        assert result.exit_code != 0, result.output
        return result.stderr

    demo = [dict(m) for m in DEMO_MEMBERS]
    no_law = [{**m, "category": "伦理"} if m["category"] == "法律" else m for m in demo]
    assert "lacks members with this background: 法律" in refused(no_law)
    assert "User nobody does not exist" in refused([*demo, {**demo[1], "username": "nobody"}])
    assert "steward has the role steward" in refused([*demo, {**demo[1], "username": "steward"}])
    assert "listed more than once" in refused([*demo, demo[1]])
    assert "invalid category 科学" in refused([{**demo[0], "category": "科学"}, *demo[1:]])
    assert 'User chair (chair) may not do "committee.manage"' in refused(demo, user="chair", pw=PW)
    missing = tmp_path / "bad.yaml"
    missing.write_text("members:\n  - username: chair\n    category: 伦理\n", encoding="utf-8")
    assert "member 1: field sex is missing" in refused(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("members:\n  - username: chair\n   category: [伦理\n", encoding="utf-8")
    assert "not valid YAML near line" in refused(broken)
    assert "not found" in refused(tmp_path / "absent.yaml")
    assert _committees() == []
