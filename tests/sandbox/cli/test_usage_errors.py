"""Parser (usage) errors in the user's language, exit code 2, for every kind of mistake."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import pytest
import typer
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.cli._usage import SandboxGroup
from sandbox.i18n import t
from sandbox.settings import reset_settings_cache

runner = CliRunner()
CJK = re.compile(r"[\u3400-\u9fff]")


def _usage(*argv: str, env: dict[str, str] | None = None, target: typer.Typer = app) -> str:
    result = runner.invoke(target, list(argv), env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Error" not in result.output, result.output
    return result.stderr.strip()


def test_epsilon_text_exact_message_in_both_languages() -> None:
    argv = ["release", "histogram", "data.csv", "--by", "街道镇", "--epsilon", "一点", "--dataset", "d"]
    assert _usage("--lang", "zh", *argv).splitlines() == [
        "--epsilon 的值「一点」不是数字：请输入大于 0 的数，例如 0.5",
        "运行 sandbox release histogram --help 查看用法。",
    ]
    assert _usage("--lang", "en", *argv).splitlines()[0] == (
        "The value “一点” of --epsilon is not a number: enter a number greater than 0, e.g. 0.5")


def test_language_comes_from_the_environment_without_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_LANG", "en")
    reset_settings_cache()
    assert _usage("users", "frobnicate").startswith("There is no command “frobnicate”: the commands are list, add")
    monkeypatch.setenv("SANDBOX_LANG", "zh")
    reset_settings_cache()
    assert _usage("users", "frobnicate").startswith("没有命令「frobnicate」：可用的命令有 list, add")
    monkeypatch.delenv("SANDBOX_LANG")
    reset_settings_cache()


@pytest.mark.parametrize(("argv", "zh", "en"), [
    (["release", "histogram", "f.csv", "--epsilon", "1", "--dataset", "d"],
     "缺少必填选项 --by", "The required option --by is missing"),
    (["models", "show"], "缺少参数 ref", "The argument ref is missing"),
    (["whoami", "--frob"], "没有选项 --frob：请检查拼写", "There is no option --frob"),
    (["whoami", "--a"], "您是否想用 --as？", "did you mean --as?"),
    (["models", "transition", "abc", "in_trial"], "trial_id 的值「abc」不是整数", "of trial_id is not a whole number"),
    (["audit", "run", "--replicates", "5"], "--replicates 的值「5」超出允许范围：请输入 ≥ 100 的值",
     "enter a value ≥ 100"),
    (["release", "histogram", "f.csv", "--epsilon"], "选项 --epsilon 后面缺少值", "The option --epsilon needs a value"),
    (["whoami", "extra", "words"], "多余的参数：extra words", "Unexpected extra arguments: extra words"),
    (["nonsense"], "没有命令「nonsense」", "There is no command “nonsense”"),
])
def test_each_kind_of_usage_error(argv: list[str], zh: str, en: str) -> None:
    in_zh = _usage("--lang", "zh", *argv)
    in_en = _usage("--lang", "en", *argv)
    assert zh in in_zh and CJK.search(in_zh), in_zh
    assert en in in_en and not CJK.search(in_en.replace("「", "").split("：")[0]), in_en
    assert "--help" in in_zh.splitlines()[-1] and "--help" in in_en.splitlines()[-1]


def test_bad_language_and_missing_command() -> None:
    assert _usage("--lang", "fr", "whoami").startswith("--lang 的值「fr」不是可选项：请从 zh | en 中选一个")
    assert _usage("--lang", "en").startswith("A sub-command is missing: pick one of demo, whoami")


def test_bad_choice_of_a_literal_option() -> None:
    demo = typer.Typer(cls=SandboxGroup)

    @demo.command("export")
    def export(fmt: Annotated[Literal["pdf", "md", "json"], typer.Option("--format")] = "pdf") -> None:
        typer.echo(fmt)

    @demo.command("other")
    def other() -> None:
        """A second command, so the app is a group."""

    message = _usage("export", "--format", "docx", env={"SANDBOX_LANG": "zh"}, target=demo)
    assert message.splitlines()[0] == "--format 的值「docx」不是可选项：请从 pdf | md | json 中选一个"
    assert runner.invoke(demo, ["export", "--format", "md"]).stdout == "md\n"


def test_help_still_works_and_errors_use_the_catalog() -> None:
    result = runner.invoke(app, ["release", "histogram", "--help"])
    assert result.exit_code == 0 and "--epsilon" in result.stdout
    assert runner.invoke(app, ["--help"]).exit_code == 0
    no_args = runner.invoke(app, ["users"])
    assert "list" in no_args.output and "add" in no_args.output
    for key in ("cli.usage.not_a_number", "cli.usage.missing_option", "cli.usage.no_such_command"):
        assert t(key, "zh") != key and t(key, "en") != key
