"""Workbooks and text exports as government systems write them (sandbox._excel, sandbox.tabular)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from sandbox.errors import InputError
from sandbox.tabular import read_table

DATA = Path(__file__).resolve().parents[1] / "data"


def _book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_an_xls_workbook_from_excel_97_is_read_with_its_title_row_skipped() -> None:
    frame, info = read_table(DATA / "roster_1997.xls")
    assert list(frame.columns) == ["序号", "户主", "身份证号", "联系电话", "所在村"]
    assert frame["身份证号"].tolist() == ["330112195304289713", "11010519491231002X"]
    assert frame["序号"].tolist() == ["1", "2"]  # whole numbers stay whole, as text
    assert info.kind == "excel" and info.note_dicts()[0]["en"].startswith("skipped 1 title row(s)")
    assert [(n.key, n.params) for n in info.notes] == [("read.note.title_rows", {"count": 1})]


def test_excel_unicode_text_export_in_utf16_is_read(tmp_path: Path) -> None:
    text = "姓名\t电话\r\n王淑英\t13812345678\r\n李建国\t13912345670\r\n"
    path = tmp_path / "导出.txt"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    frame, info = read_table(path)
    assert frame["姓名"].tolist() == ["王淑英", "李建国"]
    assert info.encoding == "utf-16" and info.delimiter == "\t"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_workbook_with_two_sheets_of_data_is_refused_naming_them(tmp_path: Path, lang: str) -> None:
    path = _book(tmp_path / "台账.xlsx", {
        "填表说明": [["说明"], ["本表由街道统一报送"]],
        "名单": [["姓名", "身份证号"], ["王淑英", "330112195304289713"]],
    })
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.excel_sheets"
    message = caught.value.render(lang)
    assert "台账.xlsx" in message and "填表说明、名单" in message
    assert ("另存为单独的文件" if lang == "zh" else "Save each sheet as its own file") in message


def test_empty_extra_sheets_do_not_matter_and_the_sheet_with_data_is_read(tmp_path: Path) -> None:
    path = _book(tmp_path / "x.xlsx", {"Sheet1": [], "名单": [["姓名"], ["王淑英"]], "Sheet3": []})
    frame, _ = read_table(path)
    assert frame["姓名"].tolist() == ["王淑英"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ids_typed_as_numbers_lost_their_last_digits_and_are_refused(tmp_path: Path, lang: str) -> None:
    path = _book(tmp_path / "低保.xlsx", {"名单": [
        ["序号", "户主", "证件号码", "联系方式"],
        [1, "王淑英", "330112195304289713", 13812345678],   # typed as text: fine
        [2, "李建国", 110105194912310021, 13912345670],      # typed as a number: Excel kept 15 digits
        [3, "赵敏", 420106198807151234, 15012345678],
    ]})
    with pytest.raises(InputError) as caught:
        read_table(path)
    error = caught.value
    assert error.key == "errors.excel_lossy_number"
    assert error.params["column"] == "证件号码" and error.params["row"] == 3 and error.params["count"] == 2
    message = error.render(lang)
    assert "低保.xlsx" in message and "证件号码" in message
    assert "110105" not in message  # the message never shows the number itself


def test_eleven_digit_phones_and_amounts_typed_as_numbers_are_fine(tmp_path: Path) -> None:
    path = _book(tmp_path / "x.xlsx", {"S": [["电话", "金额"], [13812345678, 1820.5], [999999999999999, 3]]})
    frame, _ = read_table(path)
    assert frame["电话"].tolist() == ["13812345678", "999999999999999"]  # 15 digits: Excel keeps them
    assert frame["金额"].tolist() == ["1820.5", "3"]


@pytest.mark.parametrize("content", [b"<html><body><table><tr><td>\xe5\xa7\x93\xe5\x90\x8d</td></tr></table>",
                                     b'\xef\xbb\xbf<?xml version="1.0"?><Workbook>'])
def test_a_web_page_named_xls_is_refused_with_what_to_do(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "导出.xls"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.excel_not_excel"
    assert "另存为 .xlsx 或 CSV" in caught.value.render("zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_csv_whose_ids_excel_wrote_as_3_30112e17_is_refused(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text("姓名,身份证号,金额\n王淑英,330112195304289713,1.5E+3\n李建国,1.10105E+17,2\n赵敏,4.20106E+17,3\n",
                    encoding="gbk")
    with pytest.raises(InputError) as caught:
        read_table(path)
    error = caught.value
    assert error.key == "errors.csv_shortened_number"
    assert error.params["column"] == "身份证号" and error.params["row"] == 3 and error.params["count"] == 2
    assert "花名册.csv" in error.render(lang) and "1.10105" not in error.render(lang)  # never the value
    path.write_text("城关镇花名册\n" + path.read_text(encoding="gbk"), encoding="gbk")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.params["row"] == 4  # the file's line, title line counted
    path.write_text("姓名,金额\n王淑英,1.5E+3\n李建国,2E+05\n", encoding="gbk")  # small amounts: fine
    assert read_table(path)[0]["金额"].tolist() == ["1.5E+3", "2E+05"]


@pytest.mark.parametrize("title", ["2026年第三季度城乡低保对象名单\n填报单位：城关镇民政办,,,\n",
                                   "2026年第三季度城乡低保对象名单,,,\n"])
def test_a_csv_saved_from_a_workbook_with_title_rows_is_read_from_its_header(tmp_path: Path, title: str) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes((title + "序号,姓名,身份证号,联系电话\n1,王淑英,330112195304289713,13812345678\n").encode("gbk"))
    frame, info = read_table(path)
    assert list(frame.columns) == ["序号", "姓名", "身份证号", "联系电话"]  # not one column named after the title
    assert frame.iloc[0].tolist() == ["1", "王淑英", "330112195304289713", "13812345678"]
    assert [(n.key, n.params) for n in info.notes] == [("read.note.title_rows", {"count": title.count(chr(10))})]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rows_with_more_values_than_header_names_are_refused(tmp_path: Path, lang: str) -> None:
    """pandas would make the first values an index: names and IDs silently left out of the scan and the output."""
    path = tmp_path / "多列.csv"
    path.write_text("姓名,电话\n王淑英,13812345678,独居\n李建国,13912345670,低保\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.csv_more_fields"
    assert caught.value.params == {"file": "多列.csv", "line": 2, "header": 2, "fields": 3}
    assert "多列.csv" in caught.value.render(lang)


def test_trailing_delimiters_on_every_line_make_no_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("姓名,电话,\n王淑英,13812345678,\n", encoding="utf-8")
    frame, _ = read_table(path)
    assert list(frame.columns) == ["姓名", "电话"]


def test_audits_may_keep_long_numbers_with_a_warning(tmp_path: Path) -> None:
    """An audit never uses an ID as an identifier: the damaged column is kept as written, and said."""
    book = _book(tmp_path / "audit.xlsx", {"S": [["身份证号", "年龄"], [110105194912310021, 70]]})
    frame, info = read_table(book, long_numbers="keep")
    assert frame["年龄"].tolist() == ["70"]
    assert [n.text("en") for n in info.notes] == [
        'column "身份证号": 1 numbers of 16+ digits were stored as numbers and Excel lost their last digits (kept as they are)']
    path = tmp_path / "audit.csv"
    path.write_text("身份证号,年龄\n1.10105E+17,70\n", encoding="utf-8")
    frame, info = read_table(path, long_numbers="keep")
    assert frame["身份证号"].tolist() == ["1.10105E+17"]
    assert [(n.key, n.params) for n in info.notes] == [("read.note.scientific_numbers", {"column": "身份证号", "count": 1})]
    assert "科学计数法" in info.notes[0].text("zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_giant_cell_is_named_by_the_row_the_user_sees_after_title_and_blank_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    import sandbox.tabular as tabular

    monkeypatch.setattr(tabular, "MAX_CELL_CHARS", 1000)
    big = "长" * 5000
    # CSV: two title lines, the header, a cell spanning two lines, a blank line: opened in Excel/WPS the giant cell
    # is on row 7 (one row per record, the blank one counted; pandas skips it and counted from the header).
    path = tmp_path / "名单.csv"
    path.write_bytes(("2026年第三季度城乡低保对象名单\n填报单位：城关镇民政办,,,\n序号,姓名,备注,金额\n"
                      '1,王淑英,"入户\n核查",10\n\n2,李建国,ok,20\n3,赵敏,' + big + ",30\n").encode("gbk"))
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.cell_too_big"
    assert caught.value.params["row"] == 7 and caught.value.params["column"] == "备注"
    assert ("第 7 行" if lang == "zh" else "row 7") in caught.value.render(lang)
    # Workbook: a title row, the header on row 2, a blank row 4; the giant cell is on sheet row 6.
    book = _book(tmp_path / "名单.xlsx", {"名单": [["城乡低保对象名单"], ["序号", "姓名", "备注"], [1, "王淑英", "ok"],
                                                  [], [2, "李建国", "ok"], [3, "赵敏", big]]})
    with pytest.raises(InputError) as caught:
        read_table(book)
    assert caught.value.key == "errors.cell_too_big" and caught.value.params["row"] == 6
    # JSON lines: the file's line, blank lines counted; Parquet: the n-th record.
    jsonl = tmp_path / "工单.jsonl"
    jsonl.write_text('{"text": "ok"}\n\n{"text": "ok"}\n{"text": "' + big + '"}\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(jsonl)
    assert caught.value.params["row"] == 4
    import pandas as pd

    pd.DataFrame({"备注": ["ok", "ok", big]}).to_parquet(tmp_path / "x.parquet")
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "x.parquet")
    assert caught.value.params["row"] == 3


def test_a_shortened_id_after_a_blank_line_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "花名册.csv"
    path.write_text("城关镇花名册\n姓名,身份证号\n王淑英,330112195304289713\n\n李建国,1.10105E+17\n", encoding="gbk")
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.key == "errors.csv_shortened_number" and caught.value.params["row"] == 5


def test_formulas_without_a_saved_result_are_refused(tmp_path: Path) -> None:
    """A workbook written by a program: 姓名 is =A2&B2 with no saved value, so every reader saw it empty (and deid
    wrote it back empty) — the names in it were never scanned."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "低保名单"
    sheet.append(["姓", "名", "姓名", "电话"])
    sheet.append(["张", "伟", "=A2&B2", "13812345678"])
    sheet.append(["李", "娜", "=A3&B3", "13912345678"])
    book.save(tmp_path / "roster.xlsx")
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "roster.xlsx")
    assert err.value.key == "errors.excel_formula_no_value"
    assert err.value.params == {"file": "roster.xlsx", "sheet": "低保名单", "cell": "C2", "count": 2}
    assert "Excel 或 WPS 打开" in err.value.render("zh") and "save it once" in err.value.render("en")


def test_formulas_with_saved_results_are_read(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "saved.xlsx")
    sheet = book.add_worksheet("名单")
    sheet.write_row(0, 0, ["姓", "名", "姓名"])
    sheet.write_row(1, 0, ["张", "伟"])
    sheet.write_formula(1, 2, "=A2&B2", None, "张伟")  # the result saved with the formula, as Excel does
    book.close()
    frame, _ = read_table(tmp_path / "saved.xlsx")
    assert frame["姓名"].tolist() == ["张伟"]
