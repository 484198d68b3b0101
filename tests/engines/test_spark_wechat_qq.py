"""微信号/QQ columns through the Spark engine: the same findings and the same de-identified rows as pandas."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def _sheet(n: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = random.Random(14)
    rows = []
    for i in range(n):
        account = (
            rng.choice(["wx", "lily", "hb", "zhang", "ccy"]) + rng.choice(["_", "-", ""]) + str(1000 + i)
        )
        rows.append(
            {
                "序号": str(i + 1),
                "姓名": rng.choice("王李张刘陈") + rng.choice(["秀英", "建国", "海涛"]),
                "微信号": account if i % 7 else f"wxid_{i:08d}ab",
                "QQ": str(rng.randint(10**5, 10**10)),
                "备注": f"QQ {rng.randint(10**6, 10**9)} 晚上在线" if i % 5 == 0 else "周末可服务",
            }
        )
    return pd.DataFrame(rows)


def test_spark_finds_and_replaces_wechat_and_qq_like_pandas(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.deid import deidentify_source
    from privacy.large import deidentify_large, scan_large
    from privacy.scanning import scan_table

    frame = _sheet(210)
    source = home.parent / "sheet.parquet"
    frame.to_parquet(source, index=False)
    expected = scan_table(frame)
    columns = {c.column: c for c in expected.columns}
    assert (columns["微信号"].entity_type, columns["QQ"].entity_type) == ("WECHAT_ID", "QQ_NUMBER")
    assert expected.entity_types["WECHAT_ID"] == 210 and expected.entity_types["QQ_NUMBER"] == 210 + 42
    report = scan_large(actor=steward, source=source, out=home.parent / "scan-out")
    assert report["entity_types"] == expected.entity_types
    report_pd, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-out")
    report_spark = deidentify_large(actor=steward, source=source, out=home.parent / "spark-out")
    got = pd.read_parquet(home.parent / "spark-out" / "sheet.deid.parquet")
    assert sorted(map(tuple, got.astype(str).to_numpy())) == sorted(
        map(tuple, result.frame.astype(str).to_numpy())
    )
    assert report_spark["pii_after"] == report_pd["pii_after"] == {}
    written = set(got.astype(str).to_numpy().ravel())
    assert not (set(frame["微信号"]) | set(frame["QQ"])) & written
    assert not any("QQ " + s in v for v in written for s in ("1", "2", "3", "4", "5", "6", "7", "8", "9"))
