"""CLI: a full review on the command line, --json output, errors and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.review import CHECKLIST

ALL = "chair,reviewer,reviewer2,reviewer3,reviewer4,reviewer5,reviewer6"


def _run(*args: str, user: str | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    argv = list(args) + (["--as", user, "--password", "sandbox-demo"] if user else [])
    return CliRunner().invoke(app, argv, input=input)


def _json(*args: str, user: str | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    result = _run(*args, "--json", user=user, input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_full_review_on_the_cli(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trial = str(world.trials["social"])
    opened = _json("review", "open", trial, "--impact", "rights=2,scale=3,vulnerable=3,mitigation=1", user="chair")
    rid = str(opened["review_id"])
    assert opened["tier"] == "III"
    quorum = _json("review", "attend", rid, "--present", ALL, user="chair")
    assert quorum["voting_present"] == 7 and quorum["categories"] == ["伦理", "其他", "法律", "科技"]
    for item in CHECKLIST:
        _json("review", "answer", rid, item, "yes", "--explanation", "符合", user="reviewer")
    for username in ALL.split(","):
        assert _json("review", "vote", rid, "修改后批准", user=username)["choice"] == "修改后批准"
    decided = _json("review", "decide", rid, "修改后批准", "--reasons", "证据充分",
                    "--condition", "保留人工复核|vendor_a|2027-03-31", user="chair")
    rec = decided["record_id"]
    for username, meaning in [("chair", "approved"), ("reviewer", "reviewed"), ("vendor_a", "acknowledged")]:
        signed = _json("review", "sign", rec, "--meaning", meaning, user=username, input="sandbox-demo\n")
        assert len(signed["fingerprint"]) == 64
    shown = _json("review", "show", rid, user="vendor_a")
    assert [s["meaning"] for s in shown["records"][0]["signatures"]] == ["approved", "reviewed", "acknowledged"]
    assert _json("review", "list", user="chair")[0]["status"] == "signed"
    outputs = {}
    for fmt in ("json", "md", "pdf"):
        outputs[fmt] = tmp_path / f"record.{fmt}"
        exported = _json("review", "export", rid, "--format", fmt, "--out", str(outputs[fmt]), user="chair")
        assert exported["record_id"] == rec and outputs[fmt].stat().st_size > 1000
    assert "修改后批准" in outputs["md"].read_text(encoding="utf-8")
    assert _json("verify", str(outputs["json"])) == {"ok": True, "records": 1, "signatures": 3, "votes": 7,
                                                 "condition_steps": 0}
    assert _json("verify", "--all")["signatures"] == 3
    human = _run("verify", "--all")
    assert human.exit_code == 0 and "核验通过：1 份记录，3 个签名" in human.output


def test_cli_errors_and_failed_verification(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rid = str(_json("review", "open", str(world.trials["pension"]), user="chair")["review_id"])
    result = _run("review", "attend", rid, "--present", "chair,reviewer,reviewer2,reviewer3", user="chair")
    assert result.exit_code == 1
    assert "出席且有表决权的委员只有 4 名" in result.stderr
    result = _run("--lang", "en", "review", "vote", rid, "批准", "--json", user="reviewer")
    assert result.exit_code == 1 and result.stdout == "" and "no attendance with a quorum" in result.stderr
    result = _run("review", "decide", rid, "修改后批准", "--condition", "保留人工复核|vendor_b|2027-03-31",
                  "--condition", "补充审计|vendor_b|2027/06/30", user="chair")
    assert result.exit_code == 1 and "条件第 2 行的期限 2027/06/30 不是有效日期" in result.stderr
    assert _run("review", "open", "999", user="chair").exit_code == 1
    assert _run("review", "open", str(world.trials["social"]), user="reviewer").exit_code == 1  # not allowed
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}', encoding="utf-8")
    result = _run("verify", str(bad), "--json")
    assert result.exit_code == 3 and json.loads(result.stdout)["field"] == "format"
    assert _run("verify", str(tmp_path / "missing.json")).exit_code == 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_renders_in_chinese(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sandbox.review import export_record, sign_record

    rec = world.to_decision()["record_id"]
    sign_record(actor=world.actor("chair"), record_id=rec, password=world.password, meaning="approved")
    out = tmp_path / "r.pdf"
    export_record(actor=world.actor("chair"), record_id=rec, fmt="pdf", out=out)
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiZenHei" in fonts and " yes " in fonts  # embedded
    text_ = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for phrase in ("伦理审查签署记录", "决定：修改后批准", "附加条件", "审查清单", "签名", "公钥指纹", "签名表决", "导出时链头"):
        assert phrase in text_
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5000
