"""The fairness audit on Spark equals the pandas engine (to 1e-9) and records the same way."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from audits import ColumnMap, run_audit

pytestmark = pytest.mark.spark

COLUMNS = dict(label="符合救助", prediction="预测", score="评分", age="年龄", district="街道镇",
               district_code="街道镇代码")


def _numbers(value: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a report, keyed by its path (floats compared with a tolerance)."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_numbers(v, f"{path}/{k}"))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.update(_numbers(v, f"{path}[{i}]"))
    else:
        out[path] = value
    return out


def _assert_same(a: dict[str, Any], b: dict[str, Any], *, skip: tuple[str, ...]) -> None:
    left, right = _numbers(a), _numbers(b)
    keys = {k for k in left if not k.startswith(skip)}
    assert keys == {k for k in right if not k.startswith(skip)}
    for key in sorted(keys):
        x, y = left[key], right[key]
        if isinstance(x, float) and isinstance(y, float) and not (math.isnan(x) and math.isnan(y)):
            assert y == pytest.approx(x, rel=1e-9, abs=1e-9), key
        else:
            assert x == y or (x != x and y != y), key


# the first row with no usable age is named by its row in the file: Spark's grouped rows have none
SKIP = ("/dataset_sha256", "/predictions_sha256", "/files", "/join", "/engine", "/tool_versions", "/unknown/age_example")


def test_spark_audit_equals_pandas_with_scores_and_rollups(audit_source, reviewer) -> None:  # type: ignore[no-untyped-def]
    csv, folder = audit_source
    args = dict(actor=reviewer, columns=None, domain="社会救助", replicates=300, seed=5, record=False)
    pandas = run_audit(**{**args, "columns": ColumnMap(**COLUMNS)}, data=csv, predictions=csv, engine="pandas")
    spark = run_audit(**{**args, "columns": ColumnMap(**COLUMNS)}, data=folder, predictions=folder,
                      engine="spark")
    assert spark["n_rows"] == pandas["n_rows"] == 6000
    assert spark["engine"] == "spark" and "auc" in spark["overall"]
    assert {g["dimension"] for g in spark["groups"]} >= {"age_band", "district", "intersection", "county"}
    assert spark["unknown"]["age_rows"] == 40
    _assert_same(pandas, spark, skip=SKIP)


def test_spark_audit_from_id_cards_joined_on_ids_is_recorded(home: Path, spark, reviewer) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    import numpy as np
    import pandas as pd

    from privacy.checksums import id_card_check_char
    from tests.audits.conftest import synthetic

    frame = synthetic(n=3000, seed=2)
    rng = np.random.default_rng(0)
    born = [date(2026 - int(a), int(m), 1) for a, m in zip(frame["年龄"], rng.integers(1, 13, len(frame)), strict=True)]
    bodies = [f"330106{b:%Y%m%d}{i % 1000:03d}" for i, b in enumerate(born)]
    frame["身份证号"] = [b + id_card_check_char(b) for b in bodies]
    data, preds = home.parent / "d.csv", home.parent / "p"
    frame.drop(columns=["预测", "评分"]).to_csv(data, index=False)
    preds.mkdir()
    frame[["编号", "预测", "评分"]].sample(frac=1.0, random_state=4).to_parquet(preds / "p.parquet", index=False)
    pd.read_parquet(preds)  # a readable folder
    columns = dict(label="符合救助", prediction="预测", id_card="身份证号", district="街道镇")
    as_of = date(2026, 6, 30)
    pandas = run_audit(actor=reviewer, data=data, predictions=preds / "p.parquet", columns=ColumnMap(**columns),
                       replicates=200, as_of=as_of, record=False, engine="pandas")
    spark_result = run_audit(actor=reviewer, data=data, predictions=preds, columns=ColumnMap(**columns),
                             replicates=200, as_of=as_of, engine="spark")
    _assert_same(pandas, spark_result, skip=(*SKIP, "/audit_id", "/run_id"))
    assert spark_result["audit_id"] == 1 and len(spark_result["run_id"]) == 32


def test_spark_banded_ages_and_partial_labels_equal_pandas(audit_source, reviewer) -> None:  # type: ignore[no-untyped-def]
    """A city export on Spark: age bands in the age column, labels for a sample (reviewer, s10)."""
    import numpy as np
    import pandas as pd

    csv, _folder = audit_source
    frame = pd.read_csv(csv, dtype={"街道镇代码": str})
    frame["年龄"] = frame["年龄"].astype(object)
    frame.loc[frame["年龄"].map(lambda a: 60 <= a <= 69), "年龄"] = "60-69岁"
    frame["符合救助"] = frame["符合救助"].astype(object)
    frame.loc[np.random.default_rng(2).random(len(frame)) < 0.5, "符合救助"] = "待核实"
    export = csv.parent / "city_export.csv"
    frame.to_csv(export, index=False, encoding="utf-8-sig")
    args = dict(actor=reviewer, columns=ColumnMap(**{**COLUMNS, "score": None}), domain="社会救助", replicates=300,
                seed=5, record=False, partial_labels=True)
    pandas = run_audit(**args, data=export, predictions=export, engine="pandas")
    spark = run_audit(**args, data=export, predictions=export, engine="spark")
    assert spark["age_source"]["bands"]["values"][0]["value"] == "60-69岁"
    assert spark["labels"]["labelled"] == pandas["labels"]["labelled"] < 6000
    _assert_same(pandas, spark, skip=SKIP)
