"""Recording (MLflow run + database), permissions, evidence, reports; bad input records nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audits import ColumnMap, list_audits, run_audit, show_audit
from audits._tables import Audit, AuditCheck
from audits.report import render_html, write_report
from sandbox.demo.people import DEMO_PASSWORD
from sandbox.errors import InputError, NotFoundError, PermissionDenied
from sandbox.store import session_scope
from sandbox.users import authenticate

COLUMNS = dict(label="符合救助", prediction="预测", score="评分", age="年龄", district="街道镇")


def _count() -> tuple[int, int]:
    with session_scope() as s:
        return s.scalar(select(func.count()).select_from(Audit)), s.scalar(select(func.count()).select_from(AuditCheck))


def test_run_records_audit_run_and_checks(audit_files: tuple[Path, Path], reviewer) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    stages: list[str] = []
    result = run_audit(actor=reviewer, data=data, predictions=preds, columns=ColumnMap(**COLUMNS),
                       domain="社会救助", replicates=200, what_if=True, progress=lambda f, s: stages.append(s))
    assert stages[0] == "read" and stages[-1] == "done"
    assert result["audit_id"] == 1 and len(result["run_id"]) == 32
    assert result["verdict"] in {"fail", "insufficient"}
    assert _count() == (1, len(result["checks"]))
    shown = show_audit(actor=reviewer, audit_id=1)
    assert shown["verdict"] == result["verdict"] and shown["policy"]["label"] == "standard@2026.1"
    assert list_audits(actor=reviewer)[0]["audit_id"] == 1
    whatif = result["what_if"]
    assert whatif["advice_only"] is True and set(whatif["after"]) == {"demographic_parity", "equalized_odds"}
    from models.registry import Registry

    run = Registry().client.get_run(result["run_id"])
    assert run.data.params["policy_version"] == "2026.1"
    assert run.data.params["dataset_sha256"] == result["dataset_sha256"]
    assert run.data.tags["sandbox.verdict"] == result["verdict"]
    from sandbox.home import home_summary

    assert home_summary(reviewer)["counts"]["audits"] == 1


def test_bad_input_records_nothing(audit_files: tuple[Path, Path], reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    bad = tmp_path / "bad.csv"
    bad.write_text(data.read_text(encoding="utf-8-sig").replace(",是", ",也许"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        run_audit(actor=reviewer, data=bad, predictions=preds, columns=ColumnMap(**COLUMNS))
    assert err.value.key == "audits.errors.label_not_binary"
    with pytest.raises(InputError) as err:
        run_audit(actor=reviewer, data=data, columns=ColumnMap(**COLUMNS))
    assert err.value.key == "audits.errors.need_source"
    with pytest.raises(InputError) as err:
        run_audit(actor=reviewer, data=data, predictions=preds, columns=ColumnMap(**COLUMNS), policy="lenient")
    assert err.value.key == "audits.errors.policy_unknown"
    assert _count() == (0, 0)


def test_vendors_cannot_run_and_see_only_their_own(audit_files: tuple[Path, Path], reviewer) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    vendor = authenticate("vendor_a", DEMO_PASSWORD)
    with pytest.raises(PermissionDenied):
        run_audit(actor=vendor, data=data, predictions=preds, columns=ColumnMap(**COLUMNS))
    run_audit(actor=reviewer, data=data, predictions=preds, columns=ColumnMap(**COLUMNS), replicates=50)
    assert list_audits(actor=vendor) == []
    with pytest.raises(NotFoundError):
        show_audit(actor=vendor, audit_id=1)
    with pytest.raises(NotFoundError):
        show_audit(actor=reviewer, audit_id=99)


def test_reports_print_values_in_heatmap_cells(audit_files: tuple[Path, Path], reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, preds = audit_files
    result = run_audit(actor=reviewer, data=data, predictions=preds, columns=ColumnMap(**COLUMNS), replicates=50,
                       record=False)
    assert result["audit_id"] is None and _count() == (0, 0)
    html = render_html(result)
    heat = result["heatmap"]
    first = next(v for v in heat["values"][0] if v is not None)
    assert f"{first:.3f}" in html and "n=" in html and "算法公平性审计报告" in html
    assert json.loads(write_report(result, tmp_path / "r.json").read_text(encoding="utf-8"))["verdict"]
    assert write_report(result, tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    csv = write_report(result, tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0].startswith("检查,维度,群体")
    with pytest.raises(InputError) as err:
        write_report(result, tmp_path / "r.docx")
    assert err.value.key == "audits.errors.out_suffix"
