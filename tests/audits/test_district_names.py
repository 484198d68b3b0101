"""A district column of 6-digit administrative codes: the report shows 西湖区（330106） instead of a bare 330106, the
code kept; unknown codes (a postal code), 街道 codes and names stay as written (reviewer, s10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from audits import ColumnMap, compute_audit, load_policy, prepare
from audits._district_names import district_display_names
from audits.report import checks_frame, input_lines
from sandbox.cli import app

from .conftest import dry_run_argv, synthetic

runner = CliRunner()
CODES = {
    "西湖街道": "330106",
    "北山街道": "330105",
    "灵隐街道": "330108",
    "留下镇": "330110",
    "三墩镇": "330127",
}


def test_names_drop_the_parts_every_code_shares() -> None:
    assert district_display_names(["330106", "330127", "未知"]) == {
        "330106": "西湖区（330106）",
        "330127": "淳安县（330127）",
    }
    assert district_display_names(["330106", "330206"]) == {
        "330106": "杭州市西湖区（330106）",
        "330206": "宁波市北仑区（330206）",
    }
    assert district_display_names(["310104", "110101"]) == {
        "310104": "上海市徐汇区（310104）",
        "110101": "北京市东城区（110101）",
    }
    # a postal code (上海 310012), an unknown province, a 街道 code: no name is invented
    assert district_display_names(["310012", "990101", "330106001", "西湖区"]) == {}


def _frame():  # type: ignore[no-untyped-def]
    frame = synthetic(2000)
    frame["区县代码"] = frame["街道镇"].map(CODES)
    return frame


def test_audit_shows_names_and_keeps_codes_and_merges_by_code() -> None:
    policy = load_policy()
    columns = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="区县代码")
    prepared = prepare(_frame(), None, columns=columns, policy=policy, district_merges={"330105": "330106"})
    labels = prepared.groups.district_labels
    assert (
        "西湖区（330106）" in labels and "淳安县（330127）" in labels and not any(x.isdigit() for x in labels)
    )
    assert "拱墅区（330105）" not in labels  # merged (by the code as written) before naming
    assert (
        prepared.groups.rollups["county"][labels.index("淳安县（330127）")] == "浙江省杭州市淳安县（330127）"
    )
    result = compute_audit(prepared, policy=policy, domain="社会救助", replicates=200)
    assert "西湖区（330106）" in result["heatmap"]["cols"]
    assert any(g["group"] == "淳安县（330127）" for g in result["groups"] if g["dimension"] == "district")
    assert "淳安县（330127）" in set(checks_frame(result, lang="zh")["群体"])
    zh = input_lines(result, "zh")
    assert any(line.startswith("街道/镇列 区县代码 写的是行政区划代码") and "（如 " in line for line in zh)
    assert any("holds administrative codes" in line for line in input_lines(result, "en"))
    # the rows are the same: only the labels changed
    plain = prepare(
        _frame(),
        None,
        columns=ColumnMap(label="符合救助", prediction="预测", age="年龄", district="街道镇"),
        policy=policy,
    )
    named = prepare(_frame(), None, columns=columns, policy=policy).groups
    assert sorted(np.bincount(plain.groups.district)) == sorted(np.bincount(named.district))


def test_cli_prints_names(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    frame = _frame()
    frame.loc[:40, "区县代码"] = "330122"  # 桐庐县, a small group shown with its interval
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    result = runner.invoke(app, ["--lang", "en", *dry_run_argv(path, district="区县代码")])
    assert result.exit_code in (0, 3, 4), result.output
    assert "District column 区县代码 holds administrative codes" in result.stderr
    assert "× 桐庐县（330122）: n=" in result.stdout
