"""What a committee member sees while a review is open and the world moves: the vendor registers a newer version
(the trial alias moves to it) and a new audit is recorded after the meeting's evidence was gathered (reviewer,
session 9)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.i18n import t
from sandbox.review import open_review, record_attendance, show_review

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
runner = CliRunner()


def _card(version: str) -> dict:
    return {
        "vendor_name": "智联政务科技有限公司", "vendor_uscc": "91330110MA2H0QXJ7E",
        "model_name": "relief-screening", "model_version": version, "service_domain": "社会救助",
        "intended_use": "社会救助初筛", "out_of_scope_uses": ["自动拒绝"], "automated_decision": True,
        "human_in_the_loop": True, "algorithm_type": "调度决策类", "filing_number": None,
        "training_data": "合成数据", "personal_information_sources": ["救助申请表"],
        "input_features": ["年龄", "街道镇"], "sensitive_attributes": ["年龄", "街道镇"], "known_limitations": [],
        "contact": {"name": "张伟", "phone": "0571-88886666", "email": "zhangwei@example.cn"}, "risk_tier": "III",
    }


def _files(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(3)
    n = 400
    ids = [f"S{i:04d}" for i in range(n)]
    data = pd.DataFrame({"编号": ids, "年龄": rng.integers(18, 95, n), "街道镇": rng.choice(["锦城街道", "昌化镇"], n),
                         "符合救助": rng.choice(["是", "否"], n)})
    preds = pd.DataFrame({"编号": ids, "预测": rng.choice([0, 1], n)})
    data.to_csv(tmp_path / "data.csv", index=False)
    preds.to_csv(tmp_path / "preds.csv", index=False)
    return tmp_path / "data.csv", tmp_path / "preds.csv"


def test_open_review_names_a_newer_version_and_audits_since_the_evidence(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service = pytest.importorskip("models.service")
    from audits import ColumnMap, run_audit

    data, preds = _files(tmp_path)
    vendor, chair = world.actor("vendor_a"), world.actor("chair")
    first = service.submit_model(actor=vendor, artifact=preds, id_column="编号", card=_card("1.0.0"))
    name, version = first["name"], first["version"]
    rid = open_review(actor=chair, trial_id=first["trial_id"], questionnaire={"scale": 2})["review_id"]
    assert show_review(actor=chair, review_id=rid)["notices"] == []

    newer = service.submit_model(actor=vendor, artifact=preds, id_column="编号", card=_card("1.1.0"))
    assert "trial" in service.show_model(actor=chair, name=name, version=newer["version"])["aliases"]
    notices = show_review(actor=world.actor("reviewer"), review_id=rid)["notices"]
    assert [n["code"] for n in notices] == ["newer_version"]
    assert notices[0]["params"]["version"] == version
    assert notices[0]["params"]["newer"].startswith(f"v{newer['version']} (") and "@trial" in notices[0]["params"]["newer"]
    zh = t(notices[0]["key"], "zh", **notices[0]["params"])
    assert f"本审查针对 {name} 版本 {version}；供应商已登记了更新的版本 v{newer['version']}" in zh
    assert "证据、记录和批准（approved 别名）都只对应版本 1" in zh

    audit = run_audit(actor=world.actor("reviewer"), data=data, predictions=preds, model=f"{name}/{version}",
                      columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"),
                      replicates=200)
    shown = show_review(actor=chair, review_id=rid)["notices"]
    assert [n["code"] for n in shown] == ["newer_version", "new_audits"]
    assert shown[1]["params"]["audits"].startswith(f"#{audit['audit_id']} (")
    cli = runner.invoke(app, ["--lang", "en", "review", "show", str(rid), "--as", "reviewer2", "--password", world.password])
    assert cli.exit_code == 0, cli.output
    assert f"Note: 1 audits of version {version} were recorded after this meeting's evidence was gathered: " \
           f"#{audit['audit_id']} (" in cli.output
    assert f"the vendor has registered newer versions: v{newer['version']} (" in cli.output

    from streamlit.testing.v1 import AppTest

    from sandbox.users import actor_for

    at = AppTest.from_file(str(Path(__file__).resolve().parents[3] / "workbench_pages" / "ethics_review.py"),
                           default_timeout=60)
    at.session_state["actor"] = actor_for("reviewer")
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(f"the vendor has registered newer versions: v{newer['version']} (" in w for w in warnings), warnings
    assert any("were recorded after this meeting's evidence was gathered" in w for w in warnings), warnings

    record_attendance(actor=chair, review_id=rid, present=ALL)  # the meeting takes the evidence as it is now
    assert [n["code"] for n in show_review(actor=chair, review_id=rid)["notices"]] == ["newer_version"]


def test_c19_is_not_prefilled_yes_when_a_fifth_of_ages_are_unknown(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    service = pytest.importorskip("models.service")
    from audits import ColumnMap, run_audit
    from audits.evidence import audit_evidence
    from sandbox.review._evidence import prefill

    data, preds = _files(tmp_path)
    frame = pd.read_csv(data)
    frame["年龄"] = frame["年龄"].astype(object)
    frame.loc[frame.index % 4 == 0, "年龄"] = "不详"  # no usable age: 100 of 400 rows (60岁以上 is refused now)
    frame.to_csv(data, index=False)
    first = service.submit_model(actor=world.actor("vendor_a"), artifact=preds, id_column="编号", card=_card("1.0.0"))
    audit = run_audit(actor=world.actor("reviewer"), data=data, predictions=preds,
                      model=f"{first['name']}/{first['version']}", replicates=200,
                      columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"))
    latest = audit_evidence(model_name=first["name"], model_version=first["version"])[0]
    assert latest["audit_id"] == audit["audit_id"] and latest["n_rows"] == 400
    assert latest["unknown"]["age_rows"] == 100
    # the record binds the figures to the vendor's predictions file as well as the dataset
    import hashlib

    from sandbox.review._record import _audit_summary

    run = _audit_summary([latest])["audit_runs"][0]
    assert run["predictions_sha256"] == hashlib.sha256(preds.read_bytes()).hexdigest()
    assert run["dataset_sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    tier = {"tier": "III", "score": 10, "max": 18, "reasons": [], "expert_rereview": False}
    for verdict, answer in (("pass", None), ("fail", "no")):
        item = prefill(evidence={"audits": [{**latest, "verdict": verdict}], "privacy": None}, tier=tier,
                       automated_decision=True, retention_until="2029-12-31")["C19"]
        assert item["answer"] == answer
        assert "100 of 400 rows (25.0%) have no usable age" in item["explanation"]
    assert "not pre-filled yes" in prefill(evidence={"audits": [{**latest, "verdict": "pass"}], "privacy": None},
                                           tier=tier, automated_decision=True, retention_until="2029-12-31")["C19"]["explanation"]
    # labels for a sample only (reviewer s10): said, and a pass is left to the members
    assert latest["labels"] is None
    sample = {**latest, "verdict": "pass", "labels": {"column": "符合救助", "partial": True, "labelled": 150,
                                                      "rows": 400, "values": [{"value": "待核实", "rows": 250}]}}
    item = prefill(evidence={"audits": [sample], "privacy": None}, tier=tier, automated_decision=True,
                   retention_until="2029-12-31")["C19"]
    assert item["answer"] is None
    assert "label metrics rest on the 150 of 400 rows (37.5%) with a label" in item["explanation"]
