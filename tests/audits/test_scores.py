"""Risk scores audited as risk scores: explicit thresholds, sweeps and calibration (issue 17).

Every number is checked against an independent computation: pandas group-bys
on the rows and scikit-learn's ``calibration_curve`` per group.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.demo.people import DEMO_PASSWORD

runner = CliRunner()
AS = ["--as", "reviewer", "--password", DEMO_PASSWORD]
BANDS = [(18, 29, "18–29"), (30, 44, "30–44"), (45, 59, "45–59"), (60, 69, "60–69"), (70, 79, "70–79"), (80, 200, "80+")]
DISTRICTS = ["西湖街道", "北山街道", "灵隐街道", "留下镇", "三墩镇"]


def recidivism(n: int = 5000, seed: int = 11) -> pd.DataFrame:
    """A COMPAS-like table: 1–10 decile score, no prediction column, label correlated with the decile."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n)
    district = rng.choice(DISTRICTS, n)
    risk = rng.normal(0, 1, n) - (age - 40) / 40
    decile = np.clip(np.ceil(pd.Series(risk).rank(pct=True).to_numpy() * 10), 1, 10).astype(int)
    p = 1 / (1 + np.exp(-(risk * 1.2 - 0.3 + np.where(age >= 70, 1.5, 0.0))))
    y = (rng.random(n) < p).astype(int)
    return pd.DataFrame({"编号": [f"R{i:05d}" for i in range(n)], "age": age, "district": district,
                         "decile_score": decile, "two_year_recid": y})


def _band(age: pd.Series) -> pd.Series:
    out = pd.Series("", index=age.index)
    for lo, hi, label in BANDS:
        out[(age >= lo) & (age <= hi)] = label
    return out


@pytest.fixture
def decile_file(home: Path, reviewer) -> tuple[Path, pd.DataFrame]:  # type: ignore[no-untyped-def]
    frame = recidivism()
    path = home.parent / "compas.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _args(path: Path, *extra: str) -> list[str]:
    return ["audit", "run", "--data", str(path), "--predictions", str(path), "--label", "two_year_recid",
            "--score", "decile_score", "--age", "age", "--district", "district", "--replicates", "200",
            "--domain", "其他", *AS, *extra]


def test_decile_score_is_refused_without_a_threshold(decile_file: tuple[Path, pd.DataFrame]) -> None:
    path, _ = decile_file
    refused = runner.invoke(app, ["--lang", "en", *_args(path, "--json")])
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "Score column decile_score of compas.csv is not a probability in [0, 1] (range 1 … 10, 10 distinct" \
        in refused.stderr and "--threshold T" in refused.stderr
    zh = runner.invoke(app, _args(path))
    assert zh.exit_code == 1 and "取值范围 1 … 10" in zh.stderr and "--threshold" in zh.stderr


def test_decile_score_with_threshold_matches_a_hand_computation(decile_file: tuple[Path, pd.DataFrame]) -> None:
    path, frame = decile_file
    result = runner.invoke(app, _args(path, "--threshold", "5", "--json", "--dry-run", "--what-if"))
    assert result.exit_code in (0, 3, 4), result.output
    report = json.loads(result.stdout)
    spec = report["score"]["spec"]
    assert (spec["threshold"], spec["direction"], spec["source"], spec["kind"]) == (5.0, "above", "reviewer", "numeric")
    frame = frame.assign(band=_band(frame["age"]), pred=(frame["decile_score"] >= 5).astype(int))
    groups = {g["group"]: g for g in report["groups"] if g["dimension"] == "age_band"}
    for band, rows in frame.groupby("band"):
        y, p = rows["two_year_recid"], rows["pred"]
        expected = {"selection_rate": p.mean(), "true_positive_rate": p[y == 1].mean(),
                    "false_positive_rate": p[y == 0].mean(), "precision": y[p == 1].mean()}
        for metric, value in expected.items():
            assert groups[band]["metrics"][metric]["value"] == pytest.approx(value, abs=1e-12), (band, metric)
    # the ThresholdOptimizer what-if starts from the same explicit threshold
    before = report["what_if"]["before"]
    assert before["threshold"] == {"value": "5", "direction": "above", "source": "reviewer", "decisions": "score"}
    for band, rows in frame.groupby("band"):
        assert before["groups"][band]["selection_rate"] == pytest.approx(rows["pred"].mean(), abs=1e-12)
    # the sweep at every decile equals thresholding by hand; the chosen one is marked
    sweep = report["score"]["sweep"]
    assert sweep["mode"] == "levels" and sweep["thresholds"] == [float(d) for d in range(1, 11)]
    assert sweep["labels"][sweep["chosen"]] == "5"
    curves = {g["group"]: g for g in sweep["dimensions"]["age_band"]["groups"]}
    for band, rows in frame.groupby("band"):
        for i, threshold in enumerate(range(1, 11)):
            sel = rows["decile_score"] >= threshold
            y = rows["two_year_recid"] == 1
            assert curves[band]["selection_rate"][i] == pytest.approx(sel.mean(), abs=1e-12)
            assert curves[band]["true_positive_rate"][i] == pytest.approx(sel[y].mean(), abs=1e-12)
            assert curves[band]["false_positive_rate"][i] == pytest.approx(sel[~y].mean(), abs=1e-12)
    # observed outcome rate at every decile for every age band with enough people
    cal = report["score"]["calibration"]
    assert [b["label"] for b in cal["bins"]] == [str(d) for d in range(1, 11)]
    table = {g["group"]: g for g in cal["dimensions"]["age_band"]["groups"]}
    checked = 0
    for band, rows in frame.groupby("band"):
        by_decile = rows.groupby("decile_score")["two_year_recid"].agg(["mean", "size"])
        prob = (rows["decile_score"] - 0.5) / 10  # one uniform calibration_curve bin per decile
        true_rate, _ = calibration_curve(rows["two_year_recid"], prob, n_bins=10, strategy="uniform")
        present = by_decile.index.to_numpy()
        assert np.allclose(true_rate, by_decile["mean"].to_numpy())
        for d in range(1, 11):
            n = int(by_decile["size"].get(d, 0))
            assert table[band]["n_bin"][d - 1] == n
            if n >= cal["min_cell_size"]:
                checked += 1
                observed = table[band]["observed"][d - 1]
                assert observed == pytest.approx(by_decile.loc[d, "mean"], abs=1e-12)
                assert table[band]["ci_low"][d - 1] <= observed <= table[band]["ci_high"][d - 1]
        assert len(present) >= 5
    assert checked >= 30
    cal_checks = [c for c in report["checks"] if c["metric"] == "calibration_gap"]
    assert cal_checks and {c["verdict"] for c in cal_checks} <= {"pass", "fail", "insufficient"}
    assert any(c["verdict"] == "fail" and c["dimension"] == "age_band" and c["group"] in ("70–79", "80+")
               for c in cal_checks), cal_checks


def test_ordinal_levels_need_their_order_and_below_direction(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = recidivism(3000, seed=3)
    levels = np.array(["低", "中", "高"])
    frame["level"] = levels[np.digitize(frame["decile_score"], [4, 8])]
    path = tmp_path / "levels.csv"
    frame.to_csv(path, index=False)
    base = ["audit", "run", "--data", str(path), "--predictions", str(path), "--label", "two_year_recid",
            "--score", "level", "--age", "age", "--district", "district", "--replicates", "100", "--dry-run", *AS]
    not_numeric = runner.invoke(app, ["--lang", "en", *base])
    assert not_numeric.exit_code == 1 and "--score-order" in not_numeric.stderr
    no_threshold = runner.invoke(app, ["--lang", "en", *base, "--score-order", "低,中,高"])
    assert no_threshold.exit_code == 1 and "range 低,中,高" in no_threshold.stderr
    unknown = runner.invoke(app, ["--lang", "en", *base, "--score-order", "低,高", "--threshold", "高"])
    assert unknown.exit_code == 1 and "value 中 at row" in unknown.stderr
    ok = runner.invoke(app, [*base, "--score-order", "低,中,高", "--threshold", "中", "--json"])
    report = json.loads(ok.stdout)
    assert report["score"]["sweep"]["labels"] == ["低", "中", "高"]
    overall = ((frame["level"] != "低") == 1).mean()
    sel = sum(g["n"] * g["metrics"]["selection_rate"]["value"] for g in report["groups"] if g["dimension"] == "age_band")
    assert sel / len(frame) == pytest.approx(overall)
    below = runner.invoke(app, [*base, "--score-order", "低,中,高", "--threshold", "低", "--threshold-direction",
                                "below", "--json"])
    rep_below = json.loads(below.stdout)
    assert rep_below["score"]["spec"]["operator"] == "≤"
    sel_below = sum(g["n"] * g["metrics"]["selection_rate"]["value"] for g in rep_below["groups"]
                    if g["dimension"] == "age_band") / len(frame)
    assert sel_below == pytest.approx((frame["level"] == "低").mean())
    curve = rep_below["score"]["sweep"]["dimensions"]["age_band"]["groups"][0]
    assert rep_below["score"]["sweep"]["labels"] == ["低", "中", "高"] and curve["selection_rate"][-1] == 1.0


def _same(a: object, b: object, where: str) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12), where
    else:
        assert a == b, where


def test_grouped_rows_with_counts_give_the_same_score_section() -> None:
    """The Spark engine hands over identical rows grouped with a count: same histogram, same report."""
    from audits import ColumnMap, compute_audit, load_policy, prepare

    frame = recidivism(4000, seed=5).drop(columns=["编号"])
    frame["prob"] = ((frame["decile_score"] - 0.5) / 10 + (frame["age"] % 7) / 1000).round(4)
    grouped = frame.groupby(list(frame.columns), as_index=False).size().rename(columns={"size": "__rows__"})
    assert len(grouped) < len(frame)
    policy = load_policy("standard")
    for score, threshold in (("decile_score", "5"), ("prob", None)):
        columns = ColumnMap(label="two_year_recid", score=score, age="age", district="district")
        plain = compute_audit(prepare(frame, None, columns=columns, policy=policy, threshold=threshold),
                              policy=policy, replicates=100)
        weighted = compute_audit(prepare(grouped, None, columns=columns, policy=policy, threshold=threshold,
                                         weight_column="__rows__"), policy=policy, replicates=100)
        _same(weighted["score"], plain["score"], score)  # float sums equal to ~1e-12
        cal = [c for c in weighted["checks"] if c["metric"] == "calibration_gap"]
        assert cal == [c for c in plain["checks"] if c["metric"] == "calibration_gap"]
