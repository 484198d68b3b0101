"""Names in the header row and names across two cells through the Spark engine: replaced as pandas replaces them."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def test_spark_replaces_names_in_headers_like_pandas(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.deid import deidentify_source
    from privacy.large import deidentify_large, scan_large

    frame = pd.DataFrame(
        {
            "月份": [f"{m}月" for m in range(1, 13)],
            "王秀英": [str(m) for m in range(12)],
            "李建国": [str(m * 2) for m in range(12)],
            "合计": [str(m * 3) for m in range(12)],
        }
    )
    source = home.parent / "pivot.parquet"
    frame.to_parquet(source, index=False)
    scanned = scan_large(actor=steward, source=source, out=home.parent / "scan-out")
    assert scanned["has_pii"] and scanned["entity_types"] == {"PERSON": 2}
    assert [h["column"] for h in scanned["headers"]] == ["(表头 header) 2", "(表头 header) 3"]
    assert "王秀英" not in str(scanned["headers"])  # named by position, values masked
    report_pd, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-out")
    report_spark = deidentify_large(actor=steward, source=source, out=home.parent / "spark-out")
    got = pd.read_parquet(home.parent / "spark-out" / "pivot.deid.parquet")
    assert list(got.columns) == list(result.frame.columns)
    assert got.columns[0] == "月份" and not {"王秀英", "李建国"} & set(got.columns)
    assert report_spark["headers"] == report_pd["headers"] == {"PERSON": 2}
    assert report_spark["pii_after"] == report_pd["pii_after"] == {}
    assert "王秀英" not in str(report_spark) and "王秀英" not in str(report_pd)


def test_spark_replaces_a_name_written_across_two_cells_like_pandas(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.deid import deidentify_source
    from privacy.large import deidentify_large

    frame = pd.DataFrame(
        {
            "姓": ["王", "李", "欧阳", "张", "陈"] * 3,
            "名": ["秀英", "建国", "娜娜", "伟", "海燕"] * 3,
            "等级": ["高", "中", "低", "高", "中"] * 3,
        }
    )
    source = home.parent / "roster.parquet"
    frame.to_parquet(source, index=False)
    _report, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-roster")
    report_spark = deidentify_large(actor=steward, source=source, out=home.parent / "spark-roster")
    got = pd.read_parquet(home.parent / "spark-roster" / "roster.deid.parquet")
    assert sorted(map(tuple, got.astype(str).to_numpy())) == sorted(
        map(tuple, result.frame.astype(str).to_numpy())
    )
    assert not (set(frame["姓"]) | set(frame["名"])) & set(got.astype(str).to_numpy().ravel())
    assert report_spark["pii_after"] == {} and report_spark["pii_before"]["PERSON"] >= 30
