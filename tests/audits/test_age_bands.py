"""An age column holding age bands (``60-69岁``, ``70周岁及以上``, ``老年``) beside plain ages: a band inside one audit
band counts there; one across two is refused naming the column, the value, a row and what to do (reviewer, s10)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits import ColumnMap, load_policy, prepare, run_audit
from audits.report import input_lines
from sandbox.cli import app
from sandbox.errors import InputError
from sandbox.i18n import t

from .conftest import dry_run_argv, synthetic

runner = CliRunner()
COLUMNS = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇")


def _mixed(n: int = 1200) -> pd.DataFrame:
    """Ages under 60 as numbers; 60–69 as two band spellings; 70+ as ages again (a city export)."""
    frame = synthetic(n=n)
    frame["年龄"] = frame["年龄"].astype(object)
    sixties = frame.index[(frame["年龄"] >= 60) & (frame["年龄"] <= 69)]
    frame.loc[sixties, "年龄"] = np.where(sixties % 2 == 0, "60-69岁", "60～69")
    frame.loc[frame.index[-4:], "年龄"] = "未满18周岁"
    return frame


def _prepare(frame: pd.DataFrame, policy: str | None = None):  # type: ignore[no-untyped-def]
    return prepare(
        frame,
        None,
        columns=COLUMNS,
        policy=load_policy(policy),
        data_name="export.csv",
        as_of=date(2026, 12, 7),
    )


def test_bands_inside_one_audit_band_count_there() -> None:
    frame = _mixed()
    exact = synthetic(n=1200)
    exact.loc[exact.index[-4:], "年龄"] = 10
    prepared = _prepare(frame)
    labels = prepared.groups.age_labels
    band = np.array(labels)[prepared.groups.age]
    # every person of 60–69 is in 60–69 — the same rows as with exact ages; nobody went to 未知
    assert (band == "60–69").sum() == ((exact["年龄"] >= 60) & (exact["年龄"] <= 69)).sum() > 0
    assert (band == "未知").sum() == 0
    assert np.array_equal(band, np.array(_prepare(exact).groups.age_labels)[_prepare(exact).groups.age])
    banded = prepared.info["age_source"]["bands"]
    assert banded["column"] == "年龄" and banded["rows"] == (band == "60–69").sum() + 4
    assert {v["value"]: v["band"] for v in banded["values"]} == {
        "60-69岁": "60–69",
        "60～69": "60–69",
        "未满18周岁": "<18",
    }


def test_a_band_beyond_any_age_stays_unknown() -> None:
    frame = _mixed()
    frame.loc[3, "年龄"] = "130岁以上"
    prepared = _prepare(frame)
    assert prepared.groups.age_labels[prepared.groups.age[3]] == "未知"


def test_a_band_across_two_audit_bands_is_refused() -> None:
    frame = _mixed()
    old = frame.index[frame["年龄"].map(lambda a: isinstance(a, int) and a >= 70)]
    frame.loc[old[:5], "年龄"] = "70周岁及以上"
    frame.loc[old[5:8], "年龄"] = "老年"
    with pytest.raises(InputError) as info:
        _prepare(frame)
    p = info.value.params
    assert info.value.key == "audits.errors.age_band_straddles"
    assert (p["column"], p["value"], p["row"], p["rows"]) == ("年龄", "70周岁及以上", int(old[0]) + 2, 8)
    assert p["bands"] == "70–79, 80+" and p["others"] == "老年"
    zh = t(info.value.key, "zh", **p)
    assert (
        f"第 {int(old[0]) + 2} 行为“70周岁及以上”" in zh
        and "审计不会猜测" in zh
        and "确切年龄或出生日期" in zh
    )
    assert "does not guess" in t(info.value.key, "en", **p)
    # under the strict policy (70–74 / 75–79 / 80+) 70周岁及以上 straddles three bands
    with pytest.raises(InputError) as strict:
        _prepare(frame, "strict")
    assert strict.value.params["bands"] == "70–74, 75–79, 80+"


def test_yixia_is_used_only_when_both_readings_agree() -> None:
    frame = _mixed()
    frame.loc[frame["年龄"] == "未满18周岁", "年龄"] = "18岁以下"  # 0–17 or 0–18: <18 or 18–29
    with pytest.raises(InputError) as info:
        _prepare(frame)
    assert info.value.key == "audits.errors.age_band_ambiguous"
    assert info.value.params["value"] == "18岁以下" and info.value.params["bands"] == "<18, 18–29"
    assert "未满18岁" in t(info.value.key, "zh", **info.value.params)
    frame.loc[frame["年龄"] == "18岁以下", "年龄"] = "90岁以上"  # 90+ or 91+: 80+ either way
    assert "90岁以上" in {v["value"] for v in _prepare(frame).info["age_source"]["bands"]["values"]}


def test_cli_says_what_it_mapped_and_what_it_refused(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = _mixed(n=800)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    args = dry_run_argv(path)
    result = runner.invoke(app, ["--lang", "zh", *args])
    assert result.exit_code in (0, 3, 4), result.output
    assert "年龄列 年龄 有" in result.output and "写的是年龄段而不是年龄" in result.output
    assert "“60-69岁”→ 60–69" in result.output
    frame.loc[5, "年龄"] = "60+"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    result = runner.invoke(app, ["--lang", "en", *args])
    assert result.exit_code == 1
    assert "age column 年龄, row 7 holds '60+'" in result.output and "does not guess" in result.output


def test_report_line_names_the_bands(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "export.csv"
    _mixed(n=800).to_csv(path, index=False, encoding="utf-8-sig")
    result = run_audit(
        actor=reviewer, data=path, predictions=path, columns=COLUMNS, replicates=200, record=False
    )
    zh, en = input_lines(result, "zh"), input_lines(result, "en")
    assert any(line.startswith("年龄列 年龄 有") and "各自落在一个审计年龄段内" in line for line in zh)
    assert any("written as an age band instead of an age" in line for line in en)


def test_bands_that_meet_at_an_end_are_refused_with_the_fix() -> None:
    """60-70岁 beside 70-80岁: whose is 70? Said, with how to write it; [60,70) and 60岁至不满70岁 are clear."""
    frame = _mixed()
    old = frame.index[frame["年龄"].map(lambda a: isinstance(a, int) and 70 <= a <= 79)]
    frame.loc[frame["年龄"].isin(["60-69岁", "60～69"]), "年龄"] = "60-70岁"
    frame.loc[old, "年龄"] = "70-80岁"
    with pytest.raises(InputError) as info:
        _prepare(frame)
    p = info.value.params
    assert info.value.key == "audits.errors.age_band_touching"
    assert (p["value"], p["next"], p["edge"], p["fixed"], p["half"]) == (
        "60-70岁",
        "70-80岁",
        70,
        "60-69岁",
        "[60,70)",
    )
    assert "两段在 70 岁相接" in t(info.value.key, "zh", **p) and "meet at 70" in t(info.value.key, "en", **p)
    frame.loc[frame["年龄"] == "60-70岁", "年龄"] = "[60,70)"
    frame.loc[frame["年龄"] == "70-80岁", "年龄"] = "70岁至不满80岁"
    bands = {v["value"]: v["band"] for v in _prepare(frame).info["age_source"]["bands"]["values"]}
    assert bands["[60,70)"] == "60–69" and bands["70岁至不满80岁"] == "70–79"
