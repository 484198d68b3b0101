"""The real ``sandbox audit run`` process: MLflow helper started first, the run recorded, a fast exit.

``python -m sandbox`` (not CliRunner) so :mod:`sandbox.__main__` starts the
helper, runs the command with its garbage-collector setting and leaves through
``_leave``: the JSON on stdout must be complete, the report file in place, the
audit row committed with the MLflow run's id, and the MLflow run must carry
the params, metrics, tags and both report files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox.demo.people import DEMO_PASSWORD


def test_recorded_run_in_its_own_process(audit_files: tuple[Path, Path], reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from audits import show_audit
    from models.registry import Registry

    data, preds = audit_files
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "audit", "run", "--data", str(data), "--predictions", str(preds),
         "--label", "符合救助", "--prediction", "预测", "--age", "年龄", "--district", "街道镇", "--replicates", "200",
         "--domain", "社会救助", "--as", "reviewer", "--json", "--out", str(out)],
        env={**os.environ, "SANDBOX_PASSWORD": DEMO_PASSWORD}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)  # complete although the process skipped its teardown
    assert report["verdict"] == "fail" and report["audit_id"] == 1 and report["run_id"]
    html = out.read_text(encoding="utf-8")
    assert "算法公平性审计报告" in html

    stored = show_audit(actor=reviewer, audit_id=1)
    assert stored["run_id"] == report["run_id"] and stored["summary"] == report["summary"]
    registry = Registry()
    run = registry.client.get_run(report["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params["replicates"] == "200" and run.data.params["domain"] == "社会救助"
    assert run.data.metrics["checks_fail"] == report["summary"]["fail"]
    assert run.data.tags["sandbox.verdict"] == "fail"
    assert json.loads(registry.run_text(report["run_id"], "audit_report.json"))["checks"] == report["checks"]
    assert registry.run_text(report["run_id"], "audit_report.html") == html  # rendered once, same file


def test_dry_run_process_records_nothing(audit_files: tuple[Path, Path], reviewer) -> None:  # type: ignore[no-untyped-def]
    from audits import list_audits

    data, preds = audit_files
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "audit", "run", "--data", str(data), "--predictions", str(preds),
         "--label", "符合救助", "--prediction", "预测", "--age", "年龄", "--district", "街道镇", "--replicates", "200",
         "--as", "reviewer", "--json", "--dry-run"],
        env={**os.environ, "SANDBOX_PASSWORD": DEMO_PASSWORD}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert json.loads(done.stdout)["audit_id"] is None
    assert list_audits(actor=reviewer) == []
