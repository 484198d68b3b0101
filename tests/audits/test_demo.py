"""The demo world's audits: planted disparity fails with intervals, tiny groups lack evidence."""

from __future__ import annotations

from pathlib import Path

from audits import list_audits, show_audit
from audits.evidence import audit_evidence
from sandbox.users import actor_for


def test_demo_audits_find_the_planted_disparity(demo_home: Path) -> None:
    reviewer = actor_for("reviewer")
    audits = list_audits(actor=reviewer)
    names = {a["model_name"] for a in audits} | {show_audit(actor=reviewer, audit_id=a["audit_id"])["model"]["model_name"]
                                                 for a in audits}
    assert names >= {"social-assistance-eligibility", "pension-eligibility-verification",
                                                  "hotline-ticket-routing", "grassroots-risk-warning"}
    for summary in audits:
        report = show_audit(actor=reviewer, audit_id=summary["audit_id"])
        assert report["verdict"] == "fail"
        elderly_rural = [c for c in report["checks"] if c["verdict"] == "fail" and c["dimension"] == "intersection"
                         and c["group"].startswith("80+") and c["group"].endswith("镇")]
        assert elderly_rural, summary["model_name"]
        for c in elderly_rural:
            assert c["ci_low"] is not None and c["ci_low"] <= c["disparity"] <= c["ci_high"]
        tiny = [c for c in report["checks"] if c["reason"] == "small_group"]
        assert tiny and all(c["verdict"] == "insufficient" and c["n_needed"] >= 30 for c in tiny)


def test_evidence_for_the_review_and_vendor_visibility(demo_home: Path) -> None:
    evidence = audit_evidence(model_name="social-assistance-eligibility", model_version="1")  # card name works too
    assert evidence and evidence[0]["verdict"] == "fail"
    assert audit_evidence(model_name="no-such-model", model_version="1") == []
    first = evidence[0]
    assert first["policy"] == {"name": "standard", "version": "2026.1"}
    assert len(first["dataset_sha256"]) == 64 and first["run_id"]
    assert first["heatmap"]["rows"] and first["heatmap"]["values"]
    assert {"fairlearn", "numpy"} <= set(first["tool_versions"])
    assert {c["verdict"] for c in first["checks"]} <= {"pass", "fail", "insufficient"}
    vendor_a, vendor_b = actor_for("vendor_a"), actor_for("vendor_b")
    def card_names(actor) -> set[str]:  # type: ignore[no-untyped-def]
        return {show_audit(actor=actor, audit_id=a["audit_id"])["model"]["model_name"] for a in list_audits(actor=actor)}

    names_a, names_b = card_names(vendor_a), card_names(vendor_b)
    assert "grassroots-risk-warning" in names_b and "grassroots-risk-warning" not in names_a
    assert "social-assistance-eligibility" in names_a and "social-assistance-eligibility" not in names_b


def test_registered_version_is_scored_in_isolation(demo_home: Path, tmp_path: Path) -> None:
    """Audit a registered version on a 400-row subset (dry run: no audit recorded)."""
    import pandas as pd

    from audits import ColumnMap, run_audit
    from models.service import list_models
    from sandbox.demo.scenarios import load_scenario

    reviewer = actor_for("reviewer")
    meta = load_scenario("social_assistance")
    version = next(v for v in list_models(actor=reviewer) if v["model_name"] == meta["model_name"])
    subset = tmp_path / "subset.csv"
    pd.read_csv(meta["data"], dtype=str).head(400).to_csv(subset, index=False)
    before = len(list_audits(actor=reviewer))
    result = run_audit(actor=reviewer, data=subset, model=f"{version['name']}/{version['version']}",
                       columns=ColumnMap(label=meta["label"], age=meta["age"], district=meta["district"], id=meta["id"]),
                       positive_label="1", replicates=100, record=False)
    assert result["n_rows"] == 400 and result["model"]["name"] == version["name"]
    assert result["columns"]["prediction"] == "预测" and result["join"]["method"] == "id"
    assert result["domain"] == "社会救助"
    assert len(list_audits(actor=reviewer)) == before
