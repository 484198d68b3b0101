"""Reading messy government exports: encodings, delimiters, Excel title rows, bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sandbox.errors import InputError
from sandbox.tabular import read_table, require_columns

ROWS = "编号,姓名,街道镇\n1,张三,仓前街道\n2,李四,瓶窑镇\n"


@pytest.mark.parametrize(
    ("encoding", "label"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-bom"), ("gbk", "gbk/gb18030"), ("gb18030", "gbk/gb18030")],
)
def test_encodings(tmp_path: Path, encoding: str, label: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(ROWS.encode(encoding))
    frame, info = read_table(path)
    assert list(frame.columns) == ["编号", "姓名", "街道镇"]
    assert frame["姓名"].tolist() == ["张三", "李四"]
    assert info.encoding == label


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_pandas_gets_utf8_bytes_never_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str) -> None:
    """Handed a str, pandas re-encodes it with an overflow buffer copied on every read: quadratic for Chinese
    text (a 10M-row, 1 GB export did not finish in 16 min). The reader gives it UTF-8 bytes (a BOM saved twice,
    a title line and a GBK/UTF-16 file included) and the table is the same."""
    import io

    seen: list[object] = []
    real = pd.read_csv

    def spy(source: object, **kwargs: object) -> pd.DataFrame:
        seen.append(source)
        return real(source, **kwargs)

    monkeypatch.setattr(pd, "read_csv", spy)
    path = tmp_path / "x.csv"
    text = "2026年低保名单\n" + ROWS
    path.write_bytes(("\ufeff" + text if encoding == "utf-8-sig" else text).encode(encoding))
    frame, _ = read_table(path)
    assert list(frame.columns) == ["编号", "姓名", "街道镇"] and frame["姓名"].tolist() == ["张三", "李四"]
    assert len(seen) == 1 and isinstance(seen[0], io.BytesIO) and not isinstance(seen[0], io.TextIOBase)


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters(tmp_path: Path, sep: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(ROWS.replace(",", sep), encoding="utf-8")
    frame, info = read_table(path)
    assert info.delimiter == sep
    assert frame.shape == (2, 3)


def test_excel_with_merged_title_row(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["余杭区社会救助申请汇总表（2026年）"])
    sheet.merge_cells("A1:C1")
    sheet.append(["编号", "姓名", "街道镇"])
    sheet.append([1, "张三", "仓前街道"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    frame, info = read_table(path)
    assert list(frame.columns) == ["编号", "姓名", "街道镇"]
    assert frame.iloc[0]["姓名"] == "张三"
    assert [(n.key, n.params) for n in info.notes] == [("read.note.title_rows", {"count": 1})]


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "errors.file_empty"),
        (b"   \n\n", "errors.file_empty"),
        ("编号,姓名\n".encode(), "errors.file_no_rows"),
        (b"\x00\x01\x02binary", "errors.file_binary"),
        ("编号,编号\n1,2\n".encode(), "errors.header_duplicate"),
        (b"a,,c\n1,2,3\n", "errors.header_blank"),
    ],
)
def test_bad_csv(tmp_path: Path, content: bytes, key: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == key
    assert "bad.csv" in caught.value.render("en")


def test_undecodable_names_encodings_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"\xff\xfe\xfa\xfb,\x81\n")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.file_encoding"
    text = caught.value.render("zh")
    assert "utf-8-sig, gb18030" in text and "第 3 行" in text


def test_huge_cell_names_row_and_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sandbox.tabular as tabular

    monkeypatch.setattr(tabular, "MAX_CELL_CHARS", 1000)
    path = tmp_path / "big.csv"
    path.write_text("编号,备注\n1,ok\n2," + "长" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.cell_too_big"
    assert caught.value.params["row"] == 3 and caught.value.params["column"] == "备注"


def test_parquet_and_jsonl(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "x.parquet")
    assert read_table(tmp_path / "x.parquet")[0]["a"].tolist() == [1, 2]
    (tmp_path / "x.jsonl").write_text('{"text": "你好"}\n\n{"text": "再见"}\n', encoding="utf-8")
    assert read_table(tmp_path / "x.jsonl")[0]["text"].tolist() == ["你好", "再见"]
    (tmp_path / "bad.jsonl").write_text('{"text": 1}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "bad.jsonl")
    assert caught.value.params["line"] == 2


def test_unsupported_type_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "x.pdf")
    assert caught.value.key == "errors.file_type"
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "nope.csv")
    assert caught.value.key == "errors.file_missing"


def test_require_columns_lists_what_is_there(tmp_path: Path) -> None:
    frame = pd.DataFrame({"编号": [1], "年龄": [70]})
    require_columns(frame, {"age": "年龄", "district": None}, file="x.csv")
    with pytest.raises(InputError) as caught:
        require_columns(frame, {"label": "符合救助"}, file="x.csv")
    assert caught.value.params["available"] == "编号, 年龄"


def test_parse_ages_reads_ages_as_exports_write_them() -> None:
    import numpy as np

    from sandbox.tabular import parse_ages

    got = parse_ages(pd.Series(["70岁", "70 周岁", "７０岁", "70.5", None, "abc", "5 years", True, 3], dtype=object))
    expected = [70.0, 70.0, 70.0, 70.5, np.nan, np.nan, 5.0, np.nan, 3.0]
    assert np.array_equal(got, np.array(expected), equal_nan=True)
    assert np.array_equal(parse_ages(pd.Series([1, 2, None])), np.array([1.0, 2.0, np.nan]), equal_nan=True)


def test_parse_ages_reads_chinese_numerals() -> None:
    import numpy as np

    from sandbox.tabular import parse_ages

    got = parse_ages(pd.Series(["七十二岁", "八十", "一百零五岁", "十八", "九十九 周岁", "两岁", "七十二三", "十十", "零", "七十多"]))
    expected = [72.0, 80.0, 105.0, 18.0, 99.0, 2.0, np.nan, np.nan, np.nan, np.nan]
    assert np.array_equal(got, np.array(expected), equal_nan=True)


def test_none_and_empty_answers_are_text_in_both_readers(tmp_path: Path) -> None:
    """`无` / `空` are answers (备注 无, 残疾类型 无): the CSV reader made them missing, so `sandbox deid` wrote them
    back as empty cells and a DP histogram lost the category; the workbook reader always kept them."""
    frame = pd.DataFrame({"备注": ["无", "空", "NULL", "已办"], "n": ["1", "2", "3", "4"]})
    frame.to_csv(tmp_path / "x.csv", index=False)
    frame.to_excel(tmp_path / "x.xlsx", index=False)
    for name in ("x.csv", "x.xlsx"):
        read, _ = read_table(tmp_path / name)
        assert read["备注"].tolist()[:2] == ["无", "空"], name
        assert read["备注"].isna().tolist() == [False, False, True, False], name
