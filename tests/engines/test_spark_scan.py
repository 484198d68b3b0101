"""The personal-information scan on Spark finds exactly what the pandas engine finds."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.spark


def _table(n: int = 240):  # type: ignore[no-untyped-def]
    import pandas as pd
    from faker import Faker

    fake = Faker("zh_CN")
    Faker.seed(16)
    rows = []
    for i in range(n):
        name, phone = fake.name(), fake.phone_number()
        rows.append({
            "编号": f"T{i:05d}", "姓名": name, "身份证号": fake.ssn(), "联系电话": phone,
            "工单内容": f"市民{name}来电反映{fake.street_name()}路灯不亮，回拨电话{phone}。" if i % 3 else "路灯已修好。",
            "街道镇": ["西湖街道", "留下镇", "三墩镇"][i % 3], "备注": "" if i % 4 else None,
        })
    return pd.DataFrame(rows)


def test_spark_scan_equals_pandas_findings_and_summaries(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from privacy.large import scan_large
    from privacy.scanning import scan_table

    frame = _table()
    folder = home.parent / "people"
    folder.mkdir()
    for i, start in enumerate(range(0, len(frame), 80)):
        frame.iloc[start:start + 80].to_parquet(folder / f"part-{i}.parquet", index=False)
    expected = scan_table(frame)
    out = home.parent / "scan-out"
    stages: list[str] = []
    report = scan_large(actor=steward, source=folder, out=out, progress=lambda f, s: stages.append(s))
    found = pd.read_parquet(out / "findings")
    got = {(r.row_key, r.column, r.start, r.end, r.entity_type, r.masked) for r in found.itertuples()}
    want = {(frame["编号"][f.row], f.column, f.start, f.end, f.entity_type, f.masked) for f in expected.findings}
    assert want and got == want and report["findings"] == len(expected.findings) == len(found)
    assert "text" not in found.columns  # values leave the executors masked only
    by_column = {c["column"]: c for c in report["columns"]}
    for summary in expected.columns:
        mine = by_column[summary.column]
        assert (mine["kind"], mine["entity_type"], mine["cells"], mine["hit_cells"], mine["distinct"],
                mine["entity_types"]) == (summary.kind, summary.entity_type, summary.cells, summary.hit_cells,
                                          summary.distinct, summary.entity_types), summary.column
    assert report["rows"] == len(frame) and report["has_pii"]
    assert (out / "summary.json").is_file()


def test_a_gbk_semicolon_export_is_read_as_written_and_its_names_found(home: Path, spark, steward) -> None:  # type: ignore[no-untyped-def]
    """Spark alone would read GBK as UTF-8 (every name U+FFFD, no name found); the source reader tells it."""
    from privacy.large import scan_large
    from privacy.scanning import scan_table
    from sandbox.tabular import read_table

    path = home.parent / "工单导出.csv"
    _table(30).to_csv(path, sep=";", index=False, encoding="gbk")
    frame, info = read_table(path)
    assert info.encoding == "gbk/gb18030" and info.delimiter == ";"
    expected = scan_table(frame)
    report = scan_large(actor=steward, source=path, out=home.parent / "gbk-out")
    by_column = {c["column"]: c for c in report["columns"]}
    assert set(by_column) == set(frame.columns)  # headers decoded, not mojibake
    assert by_column["姓名"]["entity_type"] == "PERSON"
    assert report["findings"] == len(expected.findings) > 30
