"""``sandbox audit run|list|show|policies``: --json, exit codes, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.demo.people import DEMO_PASSWORD

from .conftest import synthetic

runner = CliRunner()
AS = ["--as", "reviewer", "--password", DEMO_PASSWORD]


def _args(data: Path, preds: Path, *extra: str) -> list[str]:
    return ["audit", "run", "--data", str(data), "--predictions", str(preds), "--label", "符合救助",
            "--prediction", "预测", "--age", "年龄", "--district", "街道镇", "--replicates", "200", *AS, *extra]


def test_run_json_fail_exit_3_then_list_and_show(audit_files: tuple[Path, Path], reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    out = tmp_path / "report.html"
    result = runner.invoke(app, _args(data, preds, "--json", "--out", str(out), "--domain", "社会救助"))
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "fail" and report["audit_id"] == 1
    assert any(c["verdict"] == "fail" for c in report["checks"])
    assert "算法公平性审计报告" in out.read_text(encoding="utf-8")
    listed = runner.invoke(app, ["audit", "list", *AS, "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["audit_id"] == 1
    shown = runner.invoke(app, ["--lang", "en", "audit", "show", "1", *AS])
    assert shown.exit_code == 0 and "Audit verdict: Fail" in shown.stdout


def test_insufficient_only_exits_4_and_pass_exits_0(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    small = synthetic(60, seed=1, planted=False)  # every group below the minimum size
    data = tmp_path / "small.csv"
    small.to_csv(data, index=False)
    result = runner.invoke(app, ["audit", "run", "--data", str(data), "--predictions", str(data), "--label", "符合救助",
                                 "--prediction", "预测", "--age", "年龄", "--district", "街道镇", *AS, "--json"])
    assert result.exit_code == 4, result.output
    assert json.loads(result.stdout)["summary"]["fail"] == 0
    pattern = [(1, 1)] * 4 + [(1, 0)] + [(0, 0)] * 4 + [(0, 1)]  # same confusion counts in every cell
    rows = [(a, d, y, p) for a in (30, 50) for d in ("甲街道", "乙街道") for _ in range(150) for y, p in pattern]
    fair = pd.DataFrame(rows, columns=["年龄", "街道镇", "符合救助", "预测"])
    fair_path = tmp_path / "fair.parquet"
    fair.to_parquet(fair_path)
    ok = runner.invoke(app, ["audit", "run", "--data", str(fair_path), "--predictions", str(fair_path),
                             "--label", "符合救助", "--prediction", "预测", "--age", "年龄", "--district", "街道镇",
                             "--replicates", "200", *AS])
    assert ok.exit_code == 0, ok.output
    assert "审计结论：通过" in ok.stdout


def test_errors_are_clear_and_exit_1(audit_files: tuple[Path, Path], reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    result = runner.invoke(app, ["--lang", "en", "audit", "run", "--data", str(data), "--predictions", str(preds),
                                 "--label", "街道镇", "--prediction", "预测", "--age", "年龄", "--district", "街道镇", *AS])
    assert result.exit_code == 1
    assert "is not a binary label" in result.stderr
    missing_age = runner.invoke(app, ["audit", "run", "--data", str(data), "--predictions", str(preds), "--label",
                                      "符合救助", "--prediction", "预测", "--district", "街道镇", *AS, "--json"])
    assert missing_age.exit_code == 1 and missing_age.stdout == ""
    assert "请指定年龄列（--age）或身份证号列（--id-card）。" in missing_age.stderr
    dry = runner.invoke(app, _args(data, preds, "--dry-run", "--json"))
    assert dry.exit_code == 3 and json.loads(dry.stdout)["audit_id"] is None
    bad_out = runner.invoke(app, _args(data, preds, "--out", str(tmp_path / "r.docx")))
    assert bad_out.exit_code == 1 and "r.docx" in bad_out.stderr
    policies = runner.invoke(app, ["audit", "policies", "--json"])
    assert {p["name"] for p in json.loads(policies.stdout)} == {"standard", "strict"}
