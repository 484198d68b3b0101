"""A city reviewer's own columns: scores on 0–100, in %, or two scales mixed; ages in months, as birth dates;
rows with no usable age — converted and said, or refused, never silently wrong (reviewer, session 9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits import ColumnMap, run_audit
from audits._ages import birth_date_of
from audits.report import input_lines, render_html
from sandbox.cli import app
from sandbox.demo.people import DEMO_PASSWORD
from sandbox.errors import InputError
from sandbox.i18n import t

from .conftest import synthetic

runner = CliRunner()
AS = ["--as", "reviewer", "--password", DEMO_PASSWORD]
AS_OF = date(2026, 12, 7)


def _write(tmp_path: Path, frame: pd.DataFrame, name: str = "export.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _audit(actor, path: Path, *, age: str = "年龄", score: str | None = "评分", prediction: str | None = None,
           **extra):  # type: ignore[no-untyped-def]
    columns = ColumnMap(label="符合救助", prediction=prediction, score=score, age=age, district="街道镇")
    return run_audit(actor=actor, data=path, predictions=path, columns=columns, replicates=200, record=False,
                     as_of=AS_OF, **extra)


def test_percent_scores_are_converted_and_said(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=2000)
    plain = _audit(reviewer, _write(tmp_path, frame, "plain.csv"))
    frame["评分"] = (frame["评分"] * 100).round(2).map(lambda v: f"{v:g}%")
    frame.loc[3, "评分"] = frame.loc[3, "评分"].replace("%", "％")  # full-width, as some exports write it
    converted = _audit(reviewer, _write(tmp_path, frame))
    assert converted["score_scale"] == {"column": "评分", "from": "percent", "rows": 2000}
    # the same decisions and figures as the 0–1 column
    assert converted["summary"] == plain["summary"]
    assert [c["value"] for c in converted["checks"]] == pytest.approx([c["value"] for c in plain["checks"]], nan_ok=True)
    assert input_lines(converted, "zh")[0] == "评分列 评分 以百分数书写（2000 行），已换算为 0–1（85.5% → 0.855）后审计。"
    assert input_lines(converted, "en")[0].startswith("Score column 评分 is written as percentages (2000 rows)")
    assert "以百分数书写" in render_html(converted, lang="zh")
    # a threshold written as a percentage means the same
    at_60 = _audit(reviewer, _write(tmp_path, frame), threshold="60%")
    assert at_60["score"]["spec"]["threshold"] == pytest.approx(0.6)


def test_mixed_scales_are_refused_naming_rows(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=2000)
    frame["评分"] = frame["评分"].astype(object)
    points = frame.index[frame.index % 3 == 1]  # every third row from a system that scores 0–100
    frame.loc[points, "评分"] = (frame.loc[points, "评分"].astype(float) * 100).round(1)
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as info:
        _audit(reviewer, path, prediction="预测")  # even when decisions come from the prediction column
    assert info.value.key == "audits.errors.score_mixed_scale"
    first_large = next(i for i in points if float(frame.loc[i, "评分"]) > 1)
    assert info.value.params["large_row"] == first_large + 2 and info.value.params["maximum"] == "100"
    text = t(info.value.key, "zh", **info.value.params)
    assert f"{info.value.params['small']} 行在 0–1 之间" in text and "请让供应商把整列统一为一种尺度" in text

    frame = synthetic(n=600)
    frame["评分"] = [f"{v * 100:g}%" if i % 2 else f"{v:g}" for i, v in enumerate(frame["评分"])]
    result = runner.invoke(app, ["--lang", "en", "audit", "run", "--data", str(_write(tmp_path, frame, "p.csv")),
                                 "--predictions", str(tmp_path / "p.csv"), "--label", "符合救助", "--score", "评分",
                                 "--age", "年龄", "--district", "街道镇", "--dry-run", *AS])
    assert result.exit_code == 1
    assert ("Score column 评分 in file p.csv has 300 rows written as percentages (e.g. row 3: "
            f"{frame.loc[1, '评分']}) and 300 rows without % (e.g. row 2: {frame.loc[0, '评分']})") in result.output


def test_a_smooth_0_to_100_score_is_not_called_mixed(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=2000)
    rng = np.random.default_rng(5)
    frame["评分"] = rng.exponential(6.0, len(frame)).round(2)  # many people below 1 point, no gap at 1
    result = _audit(reviewer, _write(tmp_path, frame), threshold="10")
    assert result["score"]["spec"]["kind"] == "numeric" and "score_scale" not in result


def test_a_probability_threshold_on_a_points_score_is_refused(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=2000)
    frame["评分"] = (frame["评分"] * 100).round(1)
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as info:
        _audit(reviewer, path, threshold=0.5)
    assert info.value.key == "audits.errors.threshold_scale"
    selected = f"{(frame['评分'] >= 0.5).mean():.1%}"
    assert t(info.value.key, "zh", **info.value.params).startswith(
        f"评分列 评分 的取值范围是 0 … 100（只有 {info.value.params['share']} 的评分在 0–1 之间），阈值 0.5 看起来是概率尺度："
        f"按它判定会选中 {selected} 的人")
    assert "--threshold 50" in t(info.value.key, "en", **info.value.params)
    with pytest.raises(InputError) as card:  # a model card's decision_threshold: 0.5
        _audit(reviewer, path, threshold=0.5, threshold_source="vendor_card")
    assert card.value.key == "audits.errors.threshold_scale_card"
    assert "请供应商更正模型卡" in t(card.value.key, "zh", **card.value.params)
    fine = _audit(reviewer, path, threshold=50)  # on its own scale
    assert fine["score"]["spec"]["threshold"] == 50


def test_ages_in_months_are_refused_not_all_unknown(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=1500)
    frame["年龄"] = frame["年龄"] * 12
    path = _write(tmp_path, frame)
    with pytest.raises(InputError) as info:
        _audit(reviewer, path, score=None, prediction="预测")
    assert info.value.key == "audits.errors.no_age_in_range"
    assert info.value.params["low"] == f"{frame['年龄'].min():g}" and info.value.params["high"] == f"{frame['年龄'].max():g}"
    result = runner.invoke(app, ["--lang", "en", "audit", "run", "--data", str(path), "--predictions", str(path),
                                 "--label", "符合救助", "--prediction", "预测", "--age", "年龄", "--district", "街道镇",
                                 "--dry-run", *AS])
    assert result.exit_code == 1
    assert (f"Age column 年龄 in file export.csv holds values from {frame['年龄'].min()} to {frame['年龄'].max()}, "
            "none of them an age of 0–120") in result.output


@pytest.mark.parametrize(("written", "expected"), [
    ("1950-03-01", (date(1950, 3, 1), "day")), ("1950/3/1", (date(1950, 3, 1), "day")),
    ("1950年3月1日", (date(1950, 3, 1), "day")), ("19500301", (date(1950, 3, 1), "day")),
    ("1950年3月", (date(1950, 3, 1), "month")), ("1950-03", (date(1950, 3, 1), "month")),
    ("195003", (date(1950, 3, 1), "month")), ("1950.03", (date(1950, 3, 1), "month")),
    ("１９５０年３月", (date(1950, 3, 1), "month")), ("1950", (date(1950, 1, 1), "year")),
    ("1950-02-30", None), ("2030-01-01", None), ("1850-01-01", None), ("六十岁以上", None), ("1092", None),
])
def test_birth_dates_as_written(written: str, expected: tuple[date, str] | None) -> None:
    assert birth_date_of(written, as_of=AS_OF) == expected


def test_birth_dates_in_the_age_column_become_ages_and_unknown_rows_are_named(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=1500)
    by_age = _audit(reviewer, _write(tmp_path, frame, "ages.csv"), score=None, prediction="预测")
    born = frame.assign(出生日期=[f"{AS_OF.year - a}-01-15" for a in frame["年龄"]]).drop(columns="年龄")
    born.loc[7, "出生日期"] = "不详"
    result = _audit(reviewer, _write(tmp_path, born), age="出生日期", score=None, prediction="预测")
    assert result["age_source"]["converted"] == {"from": "birth_date", "precision": "day", "as_of": "2026-12-07",
                                                 "rows": 1499, "unreadable": 1}
    n_by_band = {g["group"]: g["n"] for g in result["groups"] if g["dimension"] == "age_band"}
    expected = {g["group"]: g["n"] for g in by_age["groups"] if g["dimension"] == "age_band"}
    band_of_row_7 = next(lab for lab in expected if lab != "未知" and _in_band(int(frame.loc[7, "年龄"]), lab))
    expected[band_of_row_7] -= 1
    expected["未知"] = expected.get("未知", 0) + 1
    assert n_by_band == {k: v for k, v in expected.items() if v}
    zh = input_lines(result, "zh")
    assert zh[0] == "年龄列 出生日期 是出生日期/年份：年龄按 2026-12-07 计算（1499 行）；1 行无法读取，归入“未知”。"
    assert zh[1] == "年龄未知 1 行（占 0.1%，如第 9 行“不详”）：单列为“未知”组，未丢弃，但不计入任何年龄段的比较。"
    assert input_lines(result, "en")[1] == ("1 rows (0.1%; e.g. row 9: '不详') have no usable age: they form the 未知 group, "
                                            "kept but in no age band's comparison.")


def _in_band(age: int, label: str) -> bool:
    low, _, high = label.replace("+", "–200").partition("–")
    return int(low) <= age <= int(high)


def test_a_fifth_unknown_says_the_age_findings_speak_for_the_rest(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = synthetic(n=1500)
    frame["年龄"] = frame["年龄"].astype(object)
    frame.loc[frame.index % 4 == 0, "年龄"] = "不详"  # (a band across audit bands, 60岁以上, is refused now: test_age_bands)
    result = _audit(reviewer, _write(tmp_path, frame), score=None, prediction="预测")
    assert result["unknown"]["age_rows"] == 375
    lines = input_lines(result, "zh")
    assert "年龄未知 375 行（占 25.0%，如第 2 行“不详”）" in lines[0]
    assert lines[1] == ("五分之一以上的行没有可用年龄：各年龄段（含老年人）的结论只代表其余 1125 行，不能推及全部人群。"
                        "请先核对年龄列。")
    cli = runner.invoke(app, ["audit", "run", "--data", str(tmp_path / "export.csv"), "--predictions",
                              str(tmp_path / "export.csv"), "--label", "符合救助", "--prediction", "预测", "--age", "年龄",
                              "--district", "街道镇", "--replicates", "200", "--dry-run", "--json", *AS])
    assert cli.exit_code in (0, 3, 4), cli.output
    assert "其余 1125 行" in cli.stderr and "其余" not in cli.stdout  # the JSON on stdout stays clean


def test_the_audit_page_says_what_was_converted_and_what_is_unknown(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from sandbox.users import actor_for

    frame = synthetic(n=1500)
    frame["年龄"] = frame["年龄"].astype(object)
    frame.loc[frame.index % 4 == 0, "年龄"] = "不详"
    frame["评分"] = (frame["评分"] * 100).round(2).map(lambda v: f"{v:g}%")
    result = _audit(reviewer, _write(tmp_path, frame))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "workbench_pages" / "fairness_audit.py"),
                           default_timeout=120)
    at.session_state["actor"] = actor_for("reviewer")
    at.session_state["lang"] = "zh"
    at.session_state["audit_result"] = result
    at.run()
    assert not at.exception, at.exception
    shown = next(w.value for w in at.warning if "年龄未知 375 行" in w.value)  # a fifth unknown: a warning, not info
    assert "评分列 评分 以百分数书写（1500 行）" in shown and "其余 1125 行" in shown
