"""Atomic writes and spreadsheet-safe exports."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sandbox.files import (
    atomic_dir,
    atomic_write_text,
    keep_upload,
    neutralise_formulas,
    sha256_file,
    write_table_safe,
)


def test_atomic_write_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_text(target, "one")
    with pytest.raises(RuntimeError), __import__("sandbox.files").files.atomic_path(target) as tmp:
        tmp.write_text("two", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_dir_leaves_nothing_on_failure(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "release") as tmp:
        (tmp / "data.csv").write_text("x", encoding="utf-8")
        raise RuntimeError
    assert list(tmp_path.iterdir()) == []
    with atomic_dir(tmp_path / "release") as tmp:
        (tmp / "data.csv").write_text("x", encoding="utf-8")
    assert (tmp_path / "release" / "data.csv").exists()


def test_formula_cells_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": ["=1+1", "+SUM(A1)", "-2", "@cmd", "正常", None], "n": [1, 2, 3, 4, 5, 6]})
    safe = neutralise_formulas(frame)
    assert safe["a"].tolist()[:5] == ["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "正常"]
    assert safe["n"].tolist() == [1, 2, 3, 4, 5, 6]
    out = write_table_safe(frame, tmp_path / "x.csv")
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "\n=1+1" not in text


def test_xlsx_cells_are_plain_text_with_their_values_unchanged(tmp_path: Path) -> None:
    import openpyxl

    from sandbox.tabular import read_table

    texts = ["+86 138 0013 8000", "-2", "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "@SUM(A1)", "正常"]
    frame = pd.DataFrame({"联系电话": texts, "=列": texts, "n": [1, 2, 3, 4, 5, 6]})
    out = write_table_safe(frame, tmp_path / "导出.xlsx")
    sheet = openpyxl.load_workbook(out).active
    header, *rows = list(sheet.iter_rows())
    assert [(c.value, c.data_type) for c in header] == [("联系电话", "s"), ("=列", "s"), ("n", "s")]
    for column in (0, 1):
        assert [r[column].value for r in rows] == texts  # no ' anywhere
        assert {r[column].data_type for r in rows} == {"s"}  # a string cell, never "f" (formula)
    assert [(r[2].value, r[2].data_type) for r in rows] == [(i, "n") for i in range(1, 7)]
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # the file itself holds no formula element
    back, _ = read_table(out)
    assert back["联系电话"].astype(str).tolist() == texts
    # CSV keeps its guard: there the spreadsheet guesses
    text = write_table_safe(frame, tmp_path / "导出.csv").read_text(encoding="utf-8-sig")
    assert "'+86 138 0013 8000" in text and "'=1+1" in text


def test_sha256_known_value(tmp_path: Path) -> None:
    (tmp_path / "abc").write_bytes(b"abc")
    assert sha256_file(tmp_path / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_keep_upload_is_content_addressed_and_keeps_only_the_file_name(home: Path) -> None:
    first = keep_upload("编号,姓名\n1,张三\n".encode("gbk"), "../../养老 导出.csv", folder="uploads")
    assert first.parent.parent == home / "work" / "uploads" and first.name == "养老_导出.csv"
    assert first.parent.name == sha256_file(first)[:16]
    written = first.stat().st_mtime_ns
    again = keep_upload(first.read_bytes(), "养老 导出.csv", folder="uploads")
    assert again == first and first.stat().st_mtime_ns == written  # a page rerun writes nothing
    other = keep_upload(b"id\n2\n", "../../养老 导出.csv", folder="uploads")
    assert other != first and first.read_bytes().decode("gbk").endswith("张三\n")


def test_xlsx_keeps_blanks_numbers_and_dates_as_their_own_cell_types(tmp_path: Path) -> None:
    import openpyxl

    frame = pd.DataFrame({"金额": [1820.5, None], "人数": pd.array([3, None], dtype="Int64"),
                          "日期": [pd.Timestamp("2026-01-05"), pd.NaT], "备注": ["低保", None]})
    out = write_table_safe(frame, tmp_path / "x.xlsx")
    sheet = openpyxl.load_workbook(out).active
    _, *rows = list(sheet.iter_rows())
    assert [(c.value, c.data_type) for c in rows[0][:2]] == [(1820.5, "n"), (3, "n")]
    assert rows[0][2].is_date and rows[0][2].value.date().isoformat() == "2026-01-05"
    assert rows[0][3].value == "低保"
    assert [sheet.cell(3, c).value for c in range(1, 5)] == [None] * 4  # missing values: blank cells, not "nan"


def test_a_table_beyond_an_excel_sheet_is_refused_not_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sandbox.files as files
    from sandbox.errors import InputError

    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 3)  # 1,048,576 in Excel: two data rows here
    frame = pd.DataFrame({"姓名": ["甲", "乙", "丙"]})
    with pytest.raises(InputError) as caught:
        write_table_safe(frame, tmp_path / "大表.xlsx")
    assert caught.value.key == "errors.xlsx_too_big" and "大表.xlsx" in caught.value.render("zh")
    assert list(tmp_path.iterdir()) == []  # nothing written
    write_table_safe(frame.iloc[:2], tmp_path / "ok.xlsx")
    write_table_safe(frame, tmp_path / "大表.csv")  # CSV has no such limit
