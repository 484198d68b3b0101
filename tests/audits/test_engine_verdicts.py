"""Bootstrap by counts, corrections, verdicts and the n needed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from audits import ColumnMap, compute_audit, load_policy, prepare
from audits._bootstrap import adjust_pvalues, normal_quantile, resample_counts

from .conftest import synthetic


def test_holm_and_bh_against_hand_computed_values() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # Holm: sorted 0.005,0.01,0.03,0.04 × 4,3,2,1 = 0.02,0.03,0.06,0.04 → cummax 0.02,0.03,0.06,0.06
    assert adjust_pvalues(p, method="holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: 0.005·4/1=0.02, 0.01·4/2=0.02, 0.03·4/3=0.04, 0.04·4/4=0.04 → cummin from the top
    assert adjust_pvalues(p, method="bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_count_bootstrap_matches_row_bootstrap_moments() -> None:
    counts = np.array([[50, 10, 5, 35], [3, 0, 1, 0]])
    reps = resample_counts(counts, replicates=20_000, rng=np.random.default_rng(0))
    assert reps.shape == (20_000, 2, 4)
    assert (reps.sum(axis=2) == counts.sum(axis=1)).all()  # group sizes fixed
    p = counts[0] / 100
    np.testing.assert_allclose(reps[:, 0].mean(axis=0), counts[0], rtol=0.02)
    np.testing.assert_allclose(reps[:, 0].var(axis=0), 100 * p * (1 - p), rtol=0.05)
    again = resample_counts(counts, replicates=10, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again, resample_counts(counts, replicates=10, rng=np.random.default_rng(0)))


def test_normal_quantile() -> None:
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-5)


def _run(frame: pd.DataFrame, **kw) -> dict:  # type: ignore[no-untyped-def]
    policy = load_policy(kw.pop("policy", "standard"))
    prepared = prepare(frame, None, columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"),
                       policy=policy)
    return compute_audit(prepared, policy=policy, domain="社会救助", replicates=kw.pop("replicates", 400), **kw)


def test_planted_disparity_fails_with_intervals_and_tiny_groups_are_insufficient() -> None:
    frame = synthetic(30_000, seed=11)
    tiny = synthetic(6, seed=12).assign(街道镇="小岭村")
    result = _run(pd.concat([frame, tiny], ignore_index=True))
    assert result["verdict"] == "fail"
    fails = [c for c in result["checks"] if c["verdict"] == "fail" and c["check"] == "selection_rate_ratio"]
    groups = {c["group"] for c in fails}
    assert {"80+ × 留下镇", "80+ × 三墩镇"} <= groups
    for c in fails:
        assert c["ci_high"] < 0.8 and c["ci_low"] <= c["disparity"] <= c["ci_high"]
        assert c["p_fail_adjusted"] <= 0.025
    assert not any(c["verdict"] == "fail" for c in result["checks"]
                   if c["dimension"] == "intersection" and c["group"].startswith(("18–29", "30–44")))
    tiny_rows = [c for c in result["checks"] if c["group"] == "小岭村"]
    assert tiny_rows and all(c["verdict"] == "insufficient" and c["reason"] == "small_group" for c in tiny_rows)
    assert all(c["n_needed"] >= 30 for c in tiny_rows)
    assert result["correction"]["method"] == "holm" and result["correction"]["family_size"] > 50
    assert result["heatmap"]["metric"] == "selection_rate"
    assert "80+" in result["heatmap"]["rows"] and "留下镇" in result["heatmap"]["cols"]


def test_fair_model_has_no_fails_and_passes_the_big_groups() -> None:
    result = _run(synthetic(40_000, seed=3, planted=False))
    assert result["summary"]["fail"] == 0
    age = [c for c in result["checks"] if c["dimension"] == "age_band" and c["check"] == "selection_rate_ratio"]
    assert age and all(c["verdict"] == "pass" for c in age if c["group"] != "<18")


def test_reference_is_the_largest_known_group_and_results_are_seeded() -> None:
    frame = synthetic(3000, seed=2)
    a, b = _run(frame, seed=5), _run(frame, seed=5)
    assert a["checks"] == b["checks"]
    assert a["references"]["district"] == "西湖街道"
    c = _run(frame, seed=6)
    assert [x["ci_low"] for x in a["checks"]] != [x["ci_low"] for x in c["checks"]]


def test_strict_policy_uses_bh_and_finer_elderly_bands() -> None:
    result = _run(synthetic(5000, seed=4), policy="strict", replicates=200)
    assert result["correction"]["method"] == "bh"
    assert result["policy"]["label"] == "strict@2026.1"
    assert {"70–74", "75–79"} <= {g["group"] for g in result["groups"] if g["dimension"] == "age_band"}


def test_score_only_gives_predictions_at_the_policy_threshold() -> None:
    frame = synthetic(2000)
    policy = load_policy()
    prepared = prepare(frame, None, columns=ColumnMap(label="符合救助", score="评分", age="年龄", district="街道镇"),
                       policy=policy)
    assert prepared.y_pred.tolist() == (frame["评分"] >= 0.5).astype(int).tolist()
    result = compute_audit(prepared, policy=policy, replicates=100)
    assert 0.5 < result["overall"]["auc"] <= 1.0


def test_multiclass_routing_checks_accuracy() -> None:
    rng = np.random.default_rng(1)
    frame = synthetic(3000)
    depts = np.array(["民政局", "人社局", "城管局"])
    frame["承办部门"] = rng.choice(depts, len(frame))
    frame["预测部门"] = np.where(rng.random(len(frame)) < 0.8, frame["承办部门"], rng.choice(depts, len(frame)))
    policy = load_policy()
    prepared = prepare(frame, None, columns=ColumnMap(label="承办部门", prediction="预测部门", age="年龄",
                                                       district="街道镇"), policy=policy, domain="12345热线")
    result = compute_audit(prepared, policy=policy, domain="12345热线", replicates=100)
    assert result["task"] == "multiclass" and result["headline_metric"] == "accuracy"
    assert {c["check"] for c in result["checks"]} == {"accuracy_difference"}
    assert "true_positive_rate[民政局]" in result["groups"][0]["metrics"]
