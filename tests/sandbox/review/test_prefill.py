"""★ items pre-filled from the evidence contract of the audits and privacy areas."""

from __future__ import annotations

from sandbox.review._evidence import prefill
from sandbox.review._pdf import heatmap_grid
from sandbox.review._rules import risk_tier

TIER = risk_tier({"scale": 1}, service_domain="养老", automated_decision=True)
AUDIT = {"audit_id": 7, "run_id": "abc", "verdict": "fail", "policy": {"name": "default", "version": "1"},
         "heatmap": {"metric": "selection_rate", "rows": ["60–69", "80+"], "cols": ["城区", "镇"],
                     "values": [[0.5, 0.4], [0.45, None]], "n": [[10, 12], [9, 0]]}}
PRIVACY = {
    "scans": [{"release_id": 1, "sensitive": ["MEDICAL"], "release_rescan_clean": True}],
    "releases": [{"label": "去标识化", "risk_passed": False, "k": 5, "epsilon": 1.0, "manifest_sha256": "f" * 64}],
    "budget": {},
}


def test_nothing_provided_leaves_c13_c17_c19_to_the_reviewer_when_not_automated() -> None:
    out = prefill(evidence={"audits": None, "privacy": None}, tier=TIER, automated_decision=False,
                  retention_until="2029-01-01")
    assert set(out) == {"C18", "C20"}
    assert out["C18"]["answer"] == "no" and out["C20"]["answer"] == "yes"


def test_evidence_answers_the_star_items() -> None:
    out = prefill(evidence={"audits": [AUDIT], "privacy": PRIVACY}, tier=TIER, automated_decision=True,
                  retention_until="2029-01-01")
    assert out["C19"]["answer"] == "no" and "default v1" in out["C19"]["explanation"]
    assert out["C13"]["answer"] == "yes" and "MEDICAL" in out["C13"]["explanation"]
    assert out["C17"]["answer"] == "yes" and "去标识化 k=5 ε=1.0" in out["C17"]["explanation"]
    mislabelled = {**PRIVACY, "releases": [{**PRIVACY["releases"][0], "label": "匿名化"}]}
    assert prefill(evidence={"audits": None, "privacy": mislabelled}, tier=TIER, automated_decision=True,
                   retention_until="2029-01-01")["C17"]["answer"] == "no"
    insufficient = prefill(evidence={"audits": [{**AUDIT, "verdict": "insufficient"}], "privacy": None}, tier=TIER,
                           automated_decision=True, retention_until="2029-01-01")
    assert insufficient["C19"]["answer"] is None


def test_heatmap_from_the_audit_report_shape() -> None:
    rows, cols, values = heatmap_grid(AUDIT["heatmap"])
    assert rows == ["60–69", "80+"] and cols == ["城区", "镇"] and values[1] == [0.45, None]
    assert heatmap_grid({"metric": "x", "rows": [], "cols": [], "values": []}) is None
