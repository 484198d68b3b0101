"""Every group's rates carry a Wilson interval; groups under the policy's minimum size are shown with it (CLI, JSON,
HTML, page) while their checks stay 证据不足 — before, a 0-of-2 cell read 0.000 [0.000, 0.000] (reviewer, s10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from typer.testing import CliRunner

from audits import ColumnMap, compute_audit, load_policy, prepare
from audits._bootstrap import wilson_interval
from audits.report import groups_frame, method_text, render_html, small_group_lines
from sandbox.cli import app

from .conftest import dry_run_argv, synthetic

runner = CliRunner()
COLUMNS = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇")


@pytest.mark.parametrize(("k", "n"), [(0, 1), (0, 3), (3, 3), (2, 12), (50, 100), (997, 1000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    lo, hi = wilson_interval(np.array([k]), np.array([n]), alpha=0.05)
    ci = binomtest(k, n).proportion_ci(method="wilson")
    assert (lo[0], hi[0]) == (pytest.approx(ci.low, abs=1e-9), pytest.approx(ci.high, abs=1e-9))
    assert np.isnan(wilson_interval(np.array([0]), np.array([0]), alpha=0.05)[0][0])


def _frame() -> pd.DataFrame:
    frame = synthetic(3000, seed=11)
    tiny = synthetic(12, seed=12).assign(
        街道镇="小岭村", 预测=[1, 1] + [0] * 10, 编号=[f"T{i}" for i in range(12)]
    )
    return pd.concat([frame, tiny], ignore_index=True)


def _result(frame: pd.DataFrame) -> dict:  # type: ignore[type-arg]
    policy = load_policy()
    return compute_audit(
        prepare(frame, None, columns=COLUMNS, policy=policy), policy=policy, domain="社会救助", replicates=300
    )


def test_every_group_has_a_wilson_interval_and_small_ones_are_marked() -> None:
    frame = _frame()
    result = _result(frame)
    tiny = next(g for g in result["groups"] if g["group"] == "小岭村")
    rate = tiny["metrics"]["selection_rate"]
    ci = binomtest(2, 12).proportion_ci(method="wilson")
    assert tiny["below_minimum"] and (rate["successes"], rate["trials"]) == (2, 12)
    assert (rate["wilson_low"], rate["wilson_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    positives = int((frame["符合救助"][frame["街道镇"] == "小岭村"] == "是").sum())
    assert tiny["metrics"]["true_positive_rate"]["trials"] == positives  # the TPR rests on the positives only
    big = next(g for g in result["groups"] if g["group"] == "西湖街道")
    assert not big["below_minimum"] and big["metrics"]["selection_rate"]["wilson_high"] is not None
    # a cell with 0 of 2 selected: the bootstrap interval collapses to a point, the Wilson one does not
    cells = [
        g
        for g in result["groups"]
        if g["dimension"] == "intersection"
        and g["group"].endswith("小岭村")
        and g["metrics"]["selection_rate"]["successes"] == 0
    ]
    assert cells and all(g["metrics"]["selection_rate"]["ci_high"] == 0 for g in cells)
    assert all(g["metrics"]["selection_rate"]["wilson_high"] > 0.4 for g in cells)
    # the verdict does not rest on them; their check rows carry the group's own interval
    rows = [c for c in result["checks"] if c["group"] == "小岭村" and c["metric"] == "selection_rate"]
    assert rows and all(c["verdict"] == "insufficient" and c["reason"] == "small_group" for c in rows)
    assert rows[0]["value_low"] == pytest.approx(ci.low) and rows[0]["value_high"] == pytest.approx(ci.high)


def test_reports_show_small_groups_with_their_interval() -> None:
    result = _result(_frame())
    zh, en = small_group_lines(result, "zh"), small_group_lines(result, "en")
    assert zh[0].startswith("样本量低于策略下限（30）的群体") and "结论不依据它们" in zh[0]
    assert "  街道/镇 小岭村：n=12，2/12 = 0.167，95% 区间 [0.047, 0.448]" in zh
    assert "  District 小岭村: n=12, 2/12 = 0.167, 95% interval [0.047, 0.448]" in en
    assert "Wilson" in method_text(result, "en") and "Wilson" in method_text(result, "zh")
    table = groups_frame(result, lang="zh")
    row = table[table["群体"] == "小岭村"].iloc[0]
    assert row["选择率（通过率） 95%"] == "[0.047, 0.448]"
    assert "2/12 = 0.167，95% 区间 [0.047, 0.448]" in render_html(result, lang="zh")


def test_cli_prints_the_small_groups(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    _frame().to_csv(path, index=False, encoding="utf-8-sig")
    result = runner.invoke(app, ["--lang", "en", *dry_run_argv(path)])
    assert result.exit_code in (3, 4), result.output
    assert "groups are below the policy's minimum size (30)" in result.stdout
    assert "District 小岭村: n=12, 2/12 = 0.167, 95% interval [0.047, 0.448]" in result.stdout
