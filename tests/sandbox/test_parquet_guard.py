"""Every Parquet upload is measured from its footer before it is decoded (sandbox._parquet): a < 2 MB
file that decodes to gigabytes is refused with its name and what to do, an ordinary one is read."""

from __future__ import annotations

import resource
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sandbox._parquet import expand_limit, parquet_footprint
from sandbox.errors import InputError
from sandbox.tabular import read_table

MB = 1 << 20


def _dictionary_bomb(path: Path, *, rows: int = 300, value_mb: int = 8) -> Path:
    """``rows`` rows all pointing at one ``value_mb`` MB dictionary value: ~2 KB on disk, rows × value_mb once read."""
    value = pa.array(["是" * ((value_mb * MB) // 3)])
    column = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), value)
    table = pa.table({"编号": [f"P{i:06d}" for i in range(rows)], "年龄": np.arange(rows) % 90, "街道镇": column})
    pq.write_table(table, path, compression="zstd", store_schema=False)
    return path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_dictionary_bomb_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    bomb = _dictionary_bomb(tmp_path / "低保名册.parquet")
    assert bomb.stat().st_size < 16_000  # 2.4 GB once read
    before = _peak_mb()
    with pytest.raises(InputError) as info:
        read_table(bomb, work="audit")
    assert _peak_mb() - before < 200  # measured from the dictionary: nothing near 2.4 GB was allocated
    assert info.value.key == "errors.parquet_expands"
    assert info.value.params["column"] == "街道镇" and info.value.params["decoded_gb"] == "2.3"
    assert info.value.render("zh").startswith("文件 低保名册.parquet（0.0 MB）读入后将膨胀到约 2.3 GB（上限 2.0 GB，主要在列“街道镇”），未读取。")
    assert "Ask whoever sent it for a fresh export" in info.value.render("en")


def test_a_delta_byte_array_bomb_is_measured_in_small_batches(tmp_path: Path) -> None:
    """Each value shares the previous one's prefix: no dictionary, still ×rows (limit lowered to keep the test small)."""
    path = tmp_path / "delta.parquet"
    pq.write_table(pa.table({"备注": ["x" * (2 * MB)] * 40}), path, use_dictionary=False,
                   column_encoding={"备注": "DELTA_BYTE_ARRAY"}, compression="zstd")
    assert path.stat().st_size < 20_000
    with pytest.raises(InputError) as info:
        parquet_footprint(path, limit=32 * MB)
    assert info.value.key == "errors.parquet_expands" and info.value.params["column"] == "备注"
    fits = parquet_footprint(path, limit=200 * MB)  # under a limit it fits: measured exactly
    assert fits.measured == ["备注"] and 80 * MB <= fits.decoded <= 81 * MB


def test_an_ordinary_export_is_sized_from_its_footer_and_read(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 200_000
    table = pa.table({
        "姓名": [f"张{i}伟" for i in range(n)],  # high cardinality: the dictionary falls back to plain pages
        "街道镇": rng.choice(["锦城街道", "青山湖街道", "玲珑街道", "太湖源镇"], n),
        "备注": rng.choice(["", "低保边缘户", "独居老人，子女在外地务工" * 3], n),
        "年龄": rng.integers(18, 96, n), "月收入": rng.random(n) * 5000})
    path = tmp_path / "export.parquet"
    pq.write_table(table, path, row_group_size=50_000)
    footprint = parquet_footprint(path)
    actual = pq.read_table(path).nbytes
    assert footprint.rows == n and footprint.columns == 5 and footprint.measured == []
    assert actual * 0.8 <= footprint.decoded <= actual * 2.5, (footprint, actual)
    assert footprint.decoded <= footprint.bound < expand_limit(path.stat().st_size)
    frame, info = read_table(path)
    assert len(frame) == n and info.columns == ["姓名", "街道镇", "备注", "年龄", "月收入"]


def test_nested_and_too_wide_files_are_refused_from_the_footer(tmp_path: Path) -> None:
    nested = tmp_path / "nested.parquet"
    pq.write_table(pa.table({"编号": ["a", "b"], "家庭成员": [["张伟", "李娜"], ["王芳"]]}), nested)
    with pytest.raises(InputError) as info:
        read_table(nested)
    assert info.value.key == "errors.parquet_nested"
    assert info.value.render("zh").startswith("文件 nested.parquet 的列“家庭成员”是嵌套类型（list<element: string>）")
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [1] for i in range(2_100)}), wide)
    with pytest.raises(InputError) as info:
        read_table(wide)
    assert info.value.key == "errors.too_many_columns" and info.value.params["count"] == 2_100
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(nested.read_bytes()[:-20])
    with pytest.raises(InputError) as info:
        read_table(truncated)
    assert info.value.key == "errors.file_parse"


def test_the_cli_refuses_the_bomb_as_audit_data_and_scan_input(home: Path, tmp_path: Path) -> None:
    from sandbox.cli import app
    from sandbox.demo.people import DEMO_PASSWORD, seed_people

    seed_people()
    bomb = _dictionary_bomb(tmp_path / "export.parquet")
    runner = CliRunner()
    audit = runner.invoke(app, ["--lang", "en", "audit", "run", "--data", str(bomb), "--predictions", str(bomb),
                                "--label", "编号", "--prediction", "编号", "--age", "年龄", "--district", "街道镇",
                                "--as", "reviewer", "--password", DEMO_PASSWORD, "--dry-run"])
    assert audit.exit_code == 1, audit.output
    assert "File export.parquet (0.0 MB) would expand to about 2.3 GB once read" in audit.output
    scan = runner.invoke(app, ["pii", "scan", str(bomb), "--as", "steward", "--password", DEMO_PASSWORD])
    assert scan.exit_code == 1, scan.output
    assert "文件 export.parquet（0.0 MB）读入后将膨胀到约 2.3 GB" in scan.output


def test_a_damaged_dictionary_page_is_a_parse_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "damaged.parquet"
    rng = np.random.default_rng(1)
    pq.write_table(pa.table({"街道镇": rng.choice(["锦城街道", "青山湖街道", "玲珑街道"], 5_000)}), path,
                   compression="zstd")
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(0)
    data = bytearray(path.read_bytes())
    for i in range(chunk.dictionary_page_offset + 12, chunk.data_page_offset):  # the footer stays intact
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as info:
        read_table(path)
    assert info.value.key == "errors.file_parse" and info.value.params["file"] == "damaged.parquet"
