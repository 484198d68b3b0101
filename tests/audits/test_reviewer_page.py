"""The audit page shows what the reviewer's own export needed: age bands counted, labels for a sample, district
codes by name, small groups with their interval (reviewer, s10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from audits import ColumnMap, run_audit

from .conftest import synthetic
from .test_district_names import CODES


def test_page_shows_bands_partial_labels_names_and_small_groups(home: Path, reviewer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from streamlit.testing.v1 import AppTest

    from sandbox.users import actor_for

    frame = synthetic(2000, seed=5)
    frame["区县代码"] = frame["街道镇"].map(CODES)
    frame.loc[:11, "区县代码"] = "330122"  # 桐庐县: 12 rows
    frame["年龄"] = frame["年龄"].astype(object)
    frame.loc[frame["年龄"].map(lambda a: 60 <= a <= 69), "年龄"] = "60-69岁"
    frame["符合救助"] = frame["符合救助"].astype(object)
    frame.loc[np.random.default_rng(1).random(2000) < 0.5, "符合救助"] = "待核实"
    frame.loc[:11, "符合救助"] = "是"
    path = tmp_path / "city.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    columns = ColumnMap(label="符合救助", prediction="预测", age="年龄", district="区县代码")
    result = run_audit(
        actor=reviewer,
        data=path,
        predictions=path,
        columns=columns,
        replicates=200,
        record=False,
        partial_labels=True,
    )
    assert result["age_source"].get("bands"), result["age_source"]
    at = AppTest.from_file(
        str(Path(__file__).resolve().parents[2] / "workbench_pages" / "fairness_audit.py"),
        default_timeout=120,
    )
    at.session_state["actor"] = actor_for("reviewer")
    at.session_state["lang"] = "zh"
    at.session_state["audit_result"] = result
    at.run()
    assert not at.exception, at.exception
    notes = " ".join(box.value for box in [*at.info, *at.warning])
    assert "写的是年龄段而不是年龄" in notes and "“60-69岁”→ 60–69" in notes
    assert "标签列 符合救助 只有" in notes and "写的是行政区划代码" in notes
    assert "桐庐县（330122）：n=12，" in notes and "95% 区间" in notes
