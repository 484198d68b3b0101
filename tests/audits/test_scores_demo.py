"""The 基层治理 demo score: calibration differs for the elderly in rural 镇 — and the audit says so.

Probability scores are checked against scikit-learn: ``calibration_curve`` per
group, a row-level logistic fit for the slope, and plain group-bys for the sweep.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression

from audits import ColumnMap, compute_audit, list_audits, load_policy, prepare, show_audit
from audits.evidence import audit_evidence
from sandbox.demo.scenarios import load_scenario
from sandbox.review._evidence import prefill
from sandbox.review._rules import risk_tier
from sandbox.users import actor_for

ELDERLY = ("70–79", "80+")


@pytest.fixture(scope="module")
def risk(demo_home_path: Path) -> tuple[dict, pd.DataFrame]:
    meta = load_scenario("risk_warning", demo_home_path / "demo")
    data = pd.read_csv(meta["data"], dtype=str, keep_default_na=False)
    predictions = pd.read_csv(meta["predictions"], dtype=str, keep_default_na=False)
    policy = load_policy("standard")
    columns = ColumnMap(label=meta["label"], prediction=meta["prediction"], score=meta["score"], age=meta["age"],
                        district=meta["district"], district_code="街道镇代码", id=meta["id"])
    prepared = prepare(data, predictions, columns=columns, policy=policy, domain=meta["service_domain"])
    report = compute_audit(prepared, policy=policy, domain=meta["service_domain"], replicates=300)
    frame = data[[meta["id"], meta["age"], meta["district"], meta["label"]]].merge(
        predictions[[meta["id"], meta["score"]]], on=meta["id"])
    frame = frame.assign(age=frame[meta["age"]].astype(int), y=frame[meta["label"]].astype(int),
                         score=frame[meta["score"]].astype(float), district=frame[meta["district"]])
    bands = [(18, 29, "18–29"), (30, 44, "30–44"), (45, 59, "45–59"), (60, 69, "60–69"), (70, 79, "70–79"),
             (80, 200, "80+")]
    frame["band"] = np.select([(frame.age >= lo) & (frame.age <= hi) for lo, hi, _ in bands], [b for *_, b in bands],
                              "未知")
    return report, frame


def test_probability_calibration_matches_sklearn_per_group(risk: tuple[dict, pd.DataFrame]) -> None:
    report, frame = risk
    section = report["score"]
    assert section["spec"]["kind"] == "probability" and section["spec"]["decisions"] == "prediction"
    assert section["spec"]["threshold"] == 0.5 and section["spec"]["source"] == "default"
    cal = section["calibration"]
    assert [b["label"] for b in cal["bins"]][1:3] == ["0.1–0.2", "0.2–0.3"]
    for dimension, column in (("age_band", "band"), ("district", "district")):
        groups = {g["group"]: g for g in cal["dimensions"][dimension]["groups"]}
        for name, rows in frame.groupby(column):
            g = groups[name]
            true_rate, mean_pred = calibration_curve(rows["y"], rows["score"], n_bins=10, strategy="uniform")
            observed = [o for o, n in zip(g["observed"], g["n_bin"], strict=True) if n > 0]
            means = [m for m, n in zip(g["mean_score"], g["n_bin"], strict=True) if n > 0]
            assert np.allclose(observed, true_rate) and np.allclose(means, mean_pred), (dimension, name)
            assert g["in_the_large"] == pytest.approx(rows["y"].mean() - rows["score"].mean(), abs=1e-9)
            logit = np.log(np.clip(rows["score"], 1e-6, 1 - 1e-6) / (1 - np.clip(rows["score"], 1e-6, 1 - 1e-6)))
            fit = LogisticRegression(penalty=None, max_iter=1000).fit(logit.to_numpy()[:, None], rows["y"])
            assert g["slope"] == pytest.approx(fit.coef_[0][0], rel=0.25), (dimension, name)


def test_sweep_matches_thresholding_by_hand(risk: tuple[dict, pd.DataFrame]) -> None:
    report, frame = risk
    sweep = report["score"]["sweep"]
    assert sweep["mode"] == "quantiles" and 0.5 in sweep["thresholds"] and sweep["thresholds"][sweep["chosen"]] == 0.5
    curves = {g["group"]: g for g in sweep["dimensions"]["district"]["groups"]}
    for name, rows in frame.groupby("district"):
        for i in range(0, len(sweep["thresholds"]), 4):
            sel = rows["score"] >= sweep["thresholds"][i]
            pos = rows["y"] == 1
            assert curves[name]["selection_rate"][i] == pytest.approx(sel.mean(), abs=1e-12)
            assert curves[name]["true_positive_rate"][i] == pytest.approx(sel[pos].mean(), abs=1e-12)
            assert curves[name]["false_positive_rate"][i] == pytest.approx(sel[~pos].mean(), abs=1e-12)
            precision = curves[name]["precision"][i]
            assert precision is None if not sel.any() else precision == pytest.approx(pos[sel].mean(), abs=1e-12)
    ranges = {(p["check"], p["dimension"]): p for p in sweep["pass_ranges"]}
    assert set(ranges) >= {("false_positive_rate_ratio_max", "age_band"), ("true_positive_rate_difference", "district")}
    assert ranges[("false_positive_rate_ratio_max", "age_band")]["at_chosen"] is False  # the planted false alarms


def test_the_recorded_demo_audit_fails_calibration_for_the_elderly_in_rural_towns(demo_home: Path) -> None:
    reviewer = actor_for("reviewer")
    summary = next(a for a in list_audits(actor=reviewer) if a["model_name"] and "risk" in a["model_name"])
    report = show_audit(actor=reviewer, audit_id=summary["audit_id"])
    calibration = [c for c in report["checks"] if c["metric"] == "calibration_gap"]
    failed = {c["group"] for c in calibration if c["verdict"] == "fail"}
    for town in ("於潜镇", "昌化镇", "太湖源镇"):
        assert f"80+ × {town}" in failed, sorted(failed)
    for group in failed:  # only the elderly and rural 镇 fail
        parts = group.split(" × ")
        assert parts[0] in ELDERLY or parts[-1].endswith("镇"), group
        if len(parts) == 2:
            assert parts[0] in ELDERLY and parts[1].endswith("镇"), group
    worst = next(c for c in calibration if c["group"] == "80+ × 於潜镇")
    assert worst["reference"] == "30–44" and worst["ci_high"] < -0.1 and worst["bins_compared"] >= 2
    assert worst["disparity"] < 0  # at equal scores the 80+ in 於潜镇 have fewer events: false alarms
    evidence = audit_evidence(model_name=summary["model_name"], model_version=summary["model_version"])[0]
    scores = evidence["scores"]
    assert scores["calibration_verdict"] == "fail" and scores["threshold"]["source"] == "default"
    assert scores["calibration_checks"][0]["verdict"] == "fail"
    tier = risk_tier({"scale": 1}, service_domain="基层治理", automated_decision=True)
    c19 = prefill(evidence={"audits": [evidence], "privacy": None}, tier=tier, automated_decision=True,
                  retention_until="2029-01-01")["C19"]
    assert c19["answer"] == "no" and "calibration within groups: fail — " in c19["explanation"]
    assert "sweep false_positive_rate_ratio_max [age_band] holds at" in c19["explanation"]
