"""Every metric fairlearn offers equals fairlearn.metrics.MetricFrame on the same data (1e-9)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)

from audits import AuditData, compute_audit, encode_groups, load_policy
from audits._stats import AUC_BINS  # noqa: F401 - imported to show the binning is internal

from .conftest import synthetic

TOL = 1e-9
FAIRLEARN = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "true_negative_rate": true_negative_rate,
    "mean_prediction": mean_prediction,
    "count": count,
    "precision": functools.partial(skm.precision_score, zero_division=0.0),
    "accuracy": skm.accuracy_score,
}


def _audit(frame: pd.DataFrame, *, score: bool = False) -> dict:
    policy = load_policy("standard")
    groups = encode_groups(ages=frame["年龄"].to_numpy(float), districts=frame["街道镇"], bands=policy.age_bands)
    data = AuditData(task="binary", y_true=frame["y"].to_numpy(), y_pred=frame["p"].to_numpy(), groups=groups,
                     score=frame["s"].to_numpy(float) if score else None)
    return compute_audit(data, policy=policy, domain="社会救助", replicates=200)


def _band(ages: pd.Series) -> pd.Series:
    bins = [-1, 17, 29, 44, 59, 69, 79, 200]
    labels = ["<18", "18–29", "30–44", "45–59", "60–69", "70–79", "80+"]
    return pd.cut(ages, bins=bins, labels=labels).astype(str)


def _ours(result: dict, dimension: str, metric: str) -> pd.Series:
    rows = [g for g in result["groups"] if g["dimension"] == dimension]
    return pd.Series({g["group"]: g["metrics"][metric]["value"] for g in rows}, dtype=float)


def _frame_from_synthetic(n: int, seed: int) -> pd.DataFrame:
    raw = synthetic(n, seed=seed)
    return pd.DataFrame({"年龄": raw["年龄"], "街道镇": raw["街道镇"], "y": (raw["符合救助"] == "是").astype(int),
                         "p": raw["预测"], "s": raw["评分"]})


def _check_against_metricframe(frame: pd.DataFrame, result: dict) -> None:
    band = _band(frame["年龄"])
    features = {
        "age_band": band,
        "district": frame["街道镇"],
        "intersection": band + " × " + frame["街道镇"],
    }
    for dimension, sensitive in features.items():
        mf = MetricFrame(metrics=FAIRLEARN, y_true=frame["y"], y_pred=frame["p"], sensitive_features=sensitive)
        for metric in FAIRLEARN:
            ours = _ours(result, dimension, metric)
            theirs = mf.by_group[metric].astype(float)
            pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False,
                                           check_index_type=False, atol=TOL, rtol=0)
            between = result["between_groups"][dimension][metric]
            assert between["difference"] == pytest.approx(float(mf.difference()[metric]), abs=TOL)
            if metric != "count":
                assert between["ratio"] == pytest.approx(float(mf.ratio()[metric]), abs=TOL)
        for fn, key in ((demographic_parity_difference, "difference"), (demographic_parity_ratio, "ratio")):
            assert result["between_groups"][dimension]["selection_rate"][key] == pytest.approx(
                fn(frame["y"], frame["p"], sensitive_features=sensitive), abs=TOL)
        eo = max(result["between_groups"][dimension][m]["difference"]
                 for m in ("true_positive_rate", "false_positive_rate"))
        assert eo == pytest.approx(equalized_odds_difference(frame["y"], frame["p"], sensitive_features=sensitive),
                                   abs=TOL)
        eor = min(result["between_groups"][dimension][m]["ratio"]
                  for m in ("true_positive_rate", "false_positive_rate"))
        assert eor == pytest.approx(equalized_odds_ratio(frame["y"], frame["p"], sensitive_features=sensitive),
                                    abs=TOL)
        assert result["between_groups"][dimension]["true_positive_rate"]["difference"] == pytest.approx(
            equal_opportunity_difference(frame["y"], frame["p"], sensitive_features=sensitive), abs=TOL)


def test_hand_worked_table_with_a_group_without_positives() -> None:
    # 18–29 × 甲街道: tn=2 fp=1 fn=1 tp=2 → TPR 2/3, FPR 1/3, precision 2/3, selection 1/2
    # 80+ × 乙镇: no positives at all (y all 0), one false alarm → TPR undefined (fairlearn: 0), FPR 1/3
    rows = (
        [(20, "甲街道", 0, 0)] * 2 + [(20, "甲街道", 0, 1)] + [(20, "甲街道", 1, 0)] + [(20, "甲街道", 1, 1)] * 2
        + [(85, "乙镇", 0, 0)] * 2 + [(85, "乙镇", 0, 1)]
    )
    frame = pd.DataFrame(rows, columns=["年龄", "街道镇", "y", "p"])
    frame["s"] = 0.5
    result = _audit(frame)
    by = {(g["dimension"], g["group"]): g["metrics"] for g in result["groups"]}
    young = by[("age_band", "18–29")]
    assert young["true_positive_rate"]["value"] == pytest.approx(2 / 3, abs=TOL)
    assert young["false_positive_rate"]["value"] == pytest.approx(1 / 3, abs=TOL)
    assert young["precision"]["value"] == pytest.approx(2 / 3, abs=TOL)
    assert young["selection_rate"]["value"] == pytest.approx(1 / 2, abs=TOL)
    old = by[("age_band", "80+")]
    assert old["true_positive_rate"] == {"value": 0.0, "defined": False, "ci_low": None, "ci_high": None,
                                         "successes": 0, "trials": 0, "wilson_low": None, "wilson_high": None}
    assert old["false_positive_rate"]["value"] == pytest.approx(1 / 3, abs=TOL)
    assert old["false_negative_rate"]["defined"] is False
    _check_against_metricframe(frame, result)
    # the undefined TPR never passes or fails a check
    tpr_rows = [c for c in result["checks"] if c["metric"] == "true_positive_rate" and c["group"] == "80+"]
    assert tpr_rows and all(c["verdict"] == "insufficient" for c in tpr_rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_random_tables_agree_with_metricframe(seed: int) -> None:
    frame = _frame_from_synthetic(3000, seed)
    _check_against_metricframe(frame, _audit(frame))


def test_auc_per_group_equals_roc_auc_score() -> None:
    frame = _frame_from_synthetic(3000, 5)
    result = _audit(frame, score=True)
    band = _band(frame["年龄"])
    mf = MetricFrame(metrics={"auc": skm.roc_auc_score}, y_true=frame["y"], y_pred=frame["s"], sensitive_features=band)
    ours = _ours(result, "age_band", "auc")
    pd.testing.assert_series_equal(ours.sort_index(), mf.by_group["auc"].astype(float).sort_index(),
                                   check_names=False, atol=TOL, rtol=0)
    assert result["overall"]["auc"] == pytest.approx(skm.roc_auc_score(frame["y"], frame["s"]), abs=TOL)


def test_multiclass_one_vs_rest_and_accuracy_agree() -> None:
    rng = np.random.default_rng(3)
    n = 2000
    classes = np.array(["民政局", "人社局", "住建局"])
    y = rng.choice(classes, n)
    p = np.where(rng.random(n) < 0.7, y, rng.choice(classes, n))
    ages = rng.integers(18, 96, n).astype(float)
    district = pd.Series(rng.choice(["甲街道", "乙镇"], n))
    policy = load_policy("standard")
    groups = encode_groups(ages=ages, districts=district, bands=policy.age_bands)
    labels = sorted(classes)
    index = pd.Index(labels)
    data = AuditData(task="multiclass", y_true=index.get_indexer(y), y_pred=index.get_indexer(p), groups=groups,
                     classes=labels)
    result = compute_audit(data, policy=policy, domain="12345热线", replicates=100)
    sensitive = district
    metrics = {"accuracy": skm.accuracy_score}
    for cls in labels:
        metrics[f"selection_rate[{cls}]"] = functools.partial(selection_rate, pos_label=cls)
        metrics[f"precision[{cls}]"] = functools.partial(skm.precision_score, labels=[cls], average="micro",
                                                         zero_division=0.0)
    mf = MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=sensitive)
    for metric in [*metrics, *(f"true_positive_rate[{cls}]" for cls in labels)]:
        if metric.startswith("true_positive_rate"):
            cls = metric[len("true_positive_rate["):-1]
            theirs = MetricFrame(metrics=true_positive_rate, y_true=(y == cls).astype(int),
                                 y_pred=(p == cls).astype(int), sensitive_features=sensitive).by_group
        else:
            theirs = mf.by_group[metric]
        ours = _ours(result, "district", metric)
        np.testing.assert_allclose(ours.sort_index().to_numpy(), theirs.astype(float).sort_index().to_numpy(),
                                   atol=TOL, rtol=0)


def test_mae_for_regression() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    y, p = rng.normal(10, 3, n), rng.normal(10, 3, n)
    district = pd.Series(rng.choice(["甲街道", "乙镇", "丙镇"], n))
    policy = load_policy("standard")
    groups = encode_groups(ages=rng.integers(18, 90, n).astype(float), districts=district, bands=policy.age_bands)
    result = compute_audit(AuditData(task="regression", y_true=y, y_pred=p, groups=groups), policy=policy,
                           replicates=100)
    mf = MetricFrame(metrics=skm.mean_absolute_error, y_true=y, y_pred=p, sensitive_features=district)
    ours = _ours(result, "district", "mae")
    np.testing.assert_allclose(ours.sort_index().to_numpy(), mf.by_group.sort_index().to_numpy(), atol=TOL, rtol=0)
