"""Labels for a sample only (核实结果 blank / 待核实 elsewhere): refused with a pointer to the partial-labels mode;
in that mode selection rates use every row, label metrics the labelled rows, per group counts said; a district with
no label at all is refused by name (reviewer, s10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from audits import ColumnMap, compute_audit, load_policy, prepare
from audits.report import groups_frame, input_lines
from sandbox.cli import app
from sandbox.errors import InputError
from sandbox.i18n import t

from .conftest import dry_run_argv, synthetic

runner = CliRunner()
COLUMNS = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇")


def _sampled(n: int = 3000) -> pd.DataFrame:
    """Outcomes verified for about 40 % of the rows; the rest blank, a few 待核实."""
    frame = synthetic(n, seed=21)
    rng = np.random.default_rng(3)
    frame["符合救助"] = frame["符合救助"].astype(object)
    frame.loc[rng.random(n) < 0.55, "符合救助"] = None
    frame.loc[rng.random(n) < 0.05, "符合救助"] = "待核实"
    return frame


def _audit(frame: pd.DataFrame, **kw) -> dict:  # type: ignore[type-arg]
    policy = load_policy()
    prepared = prepare(frame, None, columns=COLUMNS, policy=policy, data_name="sample.csv", **kw)
    return compute_audit(prepared, policy=policy, domain="社会救助", replicates=200)


def test_without_the_mode_the_blanks_are_refused_with_a_pointer() -> None:
    frame = _sampled()
    with pytest.raises(InputError) as info:
        _audit(frame)
    p = info.value.params
    first = int(np.flatnonzero(frame["符合救助"].isna() | (frame["符合救助"] == "待核实"))[0])
    assert info.value.key == "audits.errors.labels_partial_hint"
    assert (p["column"], p["row"], p["total"]) == ("符合救助", first + 2, 3000)
    assert "--partial-labels" in t(info.value.key, "zh", **p) and "--partial-labels" in t(
        info.value.key, "en", **p
    )


def test_selection_rates_use_every_row_and_label_metrics_the_labelled() -> None:
    frame = _sampled()
    result = _audit(frame, partial_labels=True)
    labelled = frame["符合救助"].isin(["是", "否"])
    assert result["labels"]["labelled"] == labelled.sum() and result["labels"]["rows"] == 3000
    assert {v["value"] for v in result["labels"]["values"]} == {"", "待核实"}
    for district, rows in frame.groupby("街道镇"):
        group = next(g for g in result["groups"] if g["dimension"] == "district" and g["group"] == district)
        sel = group["metrics"]["selection_rate"]
        assert group["n"] == len(rows) and sel["value"] == pytest.approx(rows["预测"].mean())
        known = rows[rows["符合救助"].isin(["是", "否"])]
        positives = known[known["符合救助"] == "是"]
        assert group["n_labelled"] == len(known)
        assert group["metrics"]["true_positive_rate"]["value"] == pytest.approx(positives["预测"].mean())
        assert group["metrics"]["accuracy"]["value"] == pytest.approx(
            ((known["符合救助"] == "是").astype(int) == known["预测"]).mean()
        )
    checks = [c for c in result["checks"] if c["dimension"] == "district"]
    by_metric = {c["metric"]: c for c in checks if c["group"] == "北山街道"}
    assert by_metric["selection_rate"]["n"] == (frame["街道镇"] == "北山街道").sum()
    assert by_metric["true_positive_rate"]["n"] == (labelled & (frame["街道镇"] == "北山街道")).sum()
    zh, en = input_lines(result, "zh"), input_lines(result, "en")
    assert any(f"只有 {labelled.sum()} / 3000 行" in line and "选择率和人数用全部行" in line for line in zh)
    assert any("use the labelled rows only" in line and "may be biased" in line for line in en)
    assert "有标签行数" in groups_frame(result, lang="zh").columns


def test_scores_and_auc_use_the_labelled_rows() -> None:
    frame = _sampled()
    policy = load_policy()
    columns = ColumnMap(label="符合救助", score="评分", age="年龄", district="街道镇")
    result = compute_audit(
        prepare(frame, None, columns=columns, policy=policy, partial_labels=True),
        policy=policy,
        domain="社会救助",
        replicates=200,
    )
    known = frame[frame["符合救助"].isin(["是", "否"])]
    assert result["overall"]["auc"] == pytest.approx(roc_auc_score(known["符合救助"] == "是", known["评分"]))
    assert result["overall"]["selection_rate"] == pytest.approx((frame["评分"] >= 0.5).mean())


def test_a_district_without_any_label_is_refused_by_name() -> None:
    frame = _sampled()
    frame.loc[frame["街道镇"] == "三墩镇", "符合救助"] = "待核实"
    with pytest.raises(InputError) as info:
        _audit(frame, partial_labels=True)
    assert info.value.key == "audits.errors.no_labels_district"
    assert (
        info.value.params["group"] == "三墩镇"
        and info.value.params["rows"] == (frame["街道镇"] == "三墩镇").sum()
    )
    assert "街道/镇 三墩镇" in t(info.value.key, "zh", **info.value.params)
    frame["符合救助"] = None
    with pytest.raises(InputError) as none:
        _audit(frame, partial_labels=True)
    assert none.value.key == "audits.errors.no_labelled_rows"


def test_cli_partial_labels(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "sample.csv"
    _sampled(1500).to_csv(path, index=False, encoding="utf-8-sig")
    args = ["--lang", "en", *dry_run_argv(path)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "--partial-labels" in refused.output
    done = runner.invoke(app, [*args, "--partial-labels"])
    assert done.exit_code in (0, 3, 4), done.output
    assert "Label column 符合救助 has a label in" in done.stderr


def test_you_wu_labels_are_labels_not_blanks() -> None:
    """有/无 with positive_label 有 worked before partial labels existed and still does (无 is a label, not a blank)."""
    frame = synthetic(1500, seed=4)
    frame["符合救助"] = frame["符合救助"].map({"是": "有", "否": "无"})
    frame["预测"] = frame["预测"].map({1: "有", 0: "无"})
    result = _audit(frame, positive_label="有")
    assert "labels" not in result and result["label_mapping"]["positive"] == "有"
