"""How the Spark engine is told to read a local CSV: encoding checked over every byte, delimiter sniffed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.engines._sources import _csv_options
from sandbox.errors import InputError

ROWS = "姓名;电话;工单内容\n王淑英;13812345678;来电反映路灯不亮\n李建国;13912345670;\"地址：黄山路3号；已回访\"\n"


@pytest.mark.parametrize(("encoding", "spark"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8"), ("gbk", "GB18030"),
                                                 ("utf-16", "UTF-16")])
def test_encoding_and_delimiter_of_a_local_csv(tmp_path: Path, encoding: str, spark: str) -> None:
    path = tmp_path / "工单.csv"
    path.write_bytes(ROWS.encode(encoding))
    assert _csv_options(str(path)) == {"encoding": spark, "sep": ";"}


def test_gbk_beyond_the_first_chunk_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sandbox.engines._sources as sources

    monkeypatch.setattr(sources, "_CHUNK", 16)  # the GBK row lies several chunks after a pure-ASCII start
    path = tmp_path / "x.csv"
    path.write_bytes(("a,b\n" + "1,2\n" * 20).encode() + "王淑英,3\n".encode("gbk"))
    assert _csv_options(str(path))["encoding"] == "GB18030"


def test_a_folder_of_files_that_disagree_is_refused_naming_them(tmp_path: Path) -> None:
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "part-0.csv").write_bytes(ROWS.encode("utf-8"))
    (folder / "part-1.csv").write_bytes(ROWS.encode("gbk"))
    with pytest.raises(InputError) as caught:
        _csv_options(str(folder))
    assert caught.value.key == "engines.errors.source_mixed"
    assert "part-0.csv: UTF-8" in caught.value.params["found"] and "part-1.csv: GB18030" in caught.value.params["found"]
    assert "GBK" in caught.value.render("zh")


def test_bytes_in_no_known_encoding_are_refused_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "坏.csv"
    path.write_bytes(b"a,b\n1,2\n\x81\x20,3\n")
    with pytest.raises(InputError) as caught:
        _csv_options(str(path))
    assert caught.value.key == "errors.file_encoding"
    assert caught.value.params["file"] == "坏.csv" and caught.value.params["line"] == 3


def test_remote_sources_are_read_as_utf8_commas() -> None:
    assert _csv_options("hdfs://nn:8020/data/people.csv") == {"encoding": "UTF-8", "sep": ","}


def test_a_parquet_part_that_would_expand_is_refused_before_spark_reads(tmp_path: Path) -> None:
    """The footprint guard of read_table (sandbox._parquet) holds for Spark's local sources too: nothing is
    handed to Spark (no session is needed to see the refusal)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sandbox.engines._sources import read_source

    folder = tmp_path / "export"
    folder.mkdir()
    pq.write_table(pa.table({"编号": ["A1", "A2"], "街道镇": ["锦城街道", "青山湖街道"]}), folder / "part-0.parquet")
    rows = 300
    value = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["是" * ((8 << 20) // 3)]))
    pq.write_table(pa.table({"编号": [f"B{i}" for i in range(rows)], "街道镇": value}), folder / "part-1.parquet",
                   compression="zstd", store_schema=False)
    with pytest.raises(InputError) as caught:
        read_source(None, str(folder))  # type: ignore[arg-type]
    assert caught.value.key == "errors.parquet_expands" and caught.value.params["file"] == "part-1.parquet"
