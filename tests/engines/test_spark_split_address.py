"""An address split over 省/市/区县/乡镇/村/门牌号 columns: the Spark engine decides with the pandas engine's function
on the pandas engine's rows, so both write the same de-identified rows (session 9, ``steward``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

_PLACES = [("余杭区", "五常街道", "荆山湾村"), ("余杭区", "仓前街道", "葛巷村"), ("西湖区", "翠苑街道", "翠苑一区"),
           ("上城区", "清波街道", "清波门社区")]
_SURNAMES, _GIVEN = "王李张刘陈杨赵黄周吴", ["秀英", "建国", "桂兰", "志强", "淑珍", "德胜", "丽娟", "海涛"]


def _roster(n: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = random.Random(9)
    rows = []
    for i in range(n):
        county, town, village = _PLACES[i % len(_PLACES)]
        door = [f"{rng.randint(1, 12)}组{rng.randint(1, 40)}号", f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                f"{rng.randint(1, 20)}幢{rng.randint(1, 3)}单元{rng.randint(1, 18)}0{rng.randint(1, 2)}室"][i % 3]
        rows.append({"序号": str(i + 1), "姓名": rng.choice(_SURNAMES) + rng.choice(_GIVEN), "省": "浙江省",
                     "市": "杭州市", "区县": county, "乡镇街道": town, "村社区": village, "门牌号": door,
                     "年龄": str(rng.choice([62, 71, 80])) if i % 97 else "35", "性别": "男" if i % 2 else "女",
                     "街道镇": town, "月供养金": str(rng.choice([785, 1570]))})
    return pd.DataFrame(rows)


def _rows(frame) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    text = frame.astype(object).where(frame.notna(), "")
    return sorted(tuple(str(v) for v in row) for row in text[sorted(frame.columns)].itertuples(index=False))


def test_rows_at_positions_are_the_pandas_engines_sample(spark) -> None:  # type: ignore[no-untyped-def]
    from pyspark.sql import functions as F  # noqa: N812

    from privacy._spark_scan import ORDER, rows_at
    from privacy._split_address import sample_positions
    from sandbox.engines import to_pandas

    frame = _roster(1500)
    names = list(frame.columns)
    data = spark.createDataFrame(frame).repartition(3).withColumn(ORDER, F.monotonically_increasing_id()).persist()
    try:
        ordered = to_pandas(data.orderBy(ORDER))[names]  # the order the numbering gave (three partitions)
        positions = sample_positions(len(ordered))
        got = rows_at(data, names, positions, gaps=False)
        assert got.equals(ordered.iloc[positions].reset_index(drop=True))
        kept = data.filter(F.col("年龄") != "35")  # rows removed: ranks counted within partitions
        left = ordered[ordered["年龄"] != "35"].reset_index(drop=True)
        positions = sample_positions(len(left))
        assert rows_at(kept, names, positions, gaps=True).equals(left.iloc[positions].reset_index(drop=True))
    finally:
        data.unpersist()


def test_spark_deid_generalises_a_split_address_like_pandas(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.deid import deidentify_source
    from privacy.large import deidentify_large

    frame = _roster(900)
    source = home.parent / "roster.parquet"
    frame.to_parquet(source, index=False)
    report_pd, result = deidentify_source(actor=steward, source=source, out=home.parent / "pd-out")
    report = deidentify_large(actor=steward, source=source, out=home.parent / "spark-out")
    got = pd.read_parquet(home.parent / "spark-out" / "roster.deid.parquet")
    assert _rows(got) == _rows(result.frame)
    for field in ("rows_out", "suppressed_rows", "pii_before", "pii_after", "columns", "operations"):
        assert report[field] == report_pd[field], field
    assert report["suppressed_rows"] > 0  # the re-scan read the output with rows removed
    columns = {c["column"]: c for c in report["columns"]}
    assert columns["门牌号"]["entity_type"] == "ADDRESS" and columns["门牌号"]["before"]["ADDRESS"] == 900
    doors = set(frame["门牌号"]) | set(frame["姓名"])
    written = set(got.astype(str).to_numpy().ravel())
    assert not doors & written
    assert not any(d in v for v in written for d in ("组", "幢", "单元"))


def test_spark_scan_reports_a_split_address_like_pandas(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    """`pii scan --engine spark` did not report the 门牌号 of an address split over columns (Spark deid did)."""
    import pandas as pd

    from privacy.large import scan_large
    from privacy.scanning import scan_table

    frame = _roster(900)
    folder = home.parent / "roster"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 300)):  # three files: the sample spans partitions
        frame.iloc[start:start + 300].to_parquet(folder / f"part-{i}.parquet", index=False)
    expected = scan_table(frame)
    report = scan_large(actor=steward, source=folder, out=home.parent / "scan-out")
    found = pd.read_parquet(home.parent / "scan-out" / "findings")
    got = {(r.row_key, r.column, r.start, r.end, r.entity_type) for r in found.itertuples()}
    want = {(frame["序号"][f.row], f.column, f.start, f.end, f.entity_type) for f in expected.findings}
    assert ("1", "门牌号", 0, len(frame["门牌号"][0]), "ADDRESS") in want and got == want
    columns = {c["column"]: c for c in report["columns"]}
    door = next(s for s in expected.columns if s.column == "门牌号")
    assert (columns["门牌号"]["kind"], columns["门牌号"]["entity_type"], columns["门牌号"]["entity_types"]) == \
        (door.kind, "ADDRESS", door.entity_types) == ("identifier", "ADDRESS", {"ADDRESS": 900})
