"""A city data steward's own exports, session 9 (``steward``): what session 8 left, and new kinds of export.

Each test writes such a file, runs the real service or CLI on it and searches the written output for
the original secrets — never trusting the tool's own re-scan figure.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import id_mask
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD
from tests.privacy.deid_cases import plain_text as _plain

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


def test_a_first_generation_id_keeps_no_digit_of_the_birth_date() -> None:
    assert id_mask("330106531221502", keep_start=6, keep_end=4) == "330106******502"
    assert id_mask("330106195312215021", keep_start=6, keep_end=4) == "330106********5021"
    assert id_mask("330106 531221 502", keep_start=6, keep_end=4) == "330106********502"
    assert id_mask("330106531221502", keep_start=8, keep_end=1) == "330106*********"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_15_digit_id_is_masked_without_its_birth_day(people_home: Path, tmp_path: Path, lang: str) -> None:
    """330106531221502 (born 1953-12-21) came out 330106*****5021-like: the kept 4 included the day's last digit."""
    source = tmp_path / "老年人名单.csv"
    source.write_text("序号,姓名,身份证号,备注\n"
                      "1,王秀英,330106531221502,无\n"
                      "2,李建国,330106195312215021,旧证号330106480705113已换领\n"
                      "3,陈桂兰,110105194009221015,无\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = pd.read_csv(out, dtype=str)
    assert written["身份证号"].tolist()[:2] == ["330106******502", "330106********5021"]
    assert "330106******113" in written["备注"].iloc[1]
    text = _plain(out)
    for secret in ("531221", "480705", "1221502", "0705113", "19531221"):
        assert secret not in text


# A 街道低保花名册 with a two-row header: 家庭成员 merged over 姓名/关系/身份证号, the other headers merged down.
FAMILY = [
    ["序号", "户主姓名", "家庭成员", None, None, "家庭住址", "联系电话"],
    [None, None, "姓名", "关系", "身份证号", None, None],
    ["1", "王秀英", "李建国", "配偶", "330106195312215021", "杭州市西湖区文三路259号3幢2单元501室", "13957112846"],
    ["2", "陈桂兰", "赵淑珍", "女儿", "110105194009221015", "杭州市上城区清泰街120号", "13645719921"],
    ["3", "刘德明", "刘小红", "孙女", "330106201203154728", "杭州市余杭区仓前街道葛巷村6组9号", "18958023377"],
]
FAMILY_SECRETS = ("王秀英", "李建国", "陈桂兰", "赵淑珍", "刘德明", "刘小红", "195312215021", "194009221015",
                  "201203154728", "文三路259号", "清泰街120号", "6组9号", "13957112846", "13645719921", "18958023377")
JOINED = ["序号", "户主姓名", "家庭成员_姓名", "家庭成员_关系", "家庭成员_身份证号", "家庭住址", "联系电话"]


def _family_book(path: Path, rows: list[list[str | None]] = FAMILY, *, title: bool = True) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["仓前街道2026年12月城乡低保家庭成员花名册"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=7)
    first = sheet.max_row + 1 if title else 1
    for row in rows:
        sheet.append(row)
    sheet.merge_cells(start_row=first, start_column=3, end_row=first, end_column=5)
    for column in (1, 2, 6, 7):
        sheet.merge_cells(start_row=first, start_column=column, end_row=first + 1, end_column=column)
    sheet.append(["合计：3户", None, None, None, None, None, None])
    book.save(path)
    return path


def _family_csv(path: Path) -> Path:
    lines = ["仓前街道2026年12月城乡低保家庭成员花名册,,,,,,"]
    lines += [",".join(v or "" for v in row) for row in FAMILY]
    path.write_text("\n".join(lines) + "\n合计：3户,,,,,,\n", encoding="gbk")
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_merged_two_row_header_is_joined_into_one(tmp_path: Path, kind: str) -> None:
    from sandbox.tabular import read_table

    source = _family_book(tmp_path / "花名册.xlsx") if kind == "xlsx" else _family_csv(tmp_path / "花名册.csv")
    frame, info = read_table(source)
    assert list(frame.columns) == JOINED
    assert frame["家庭成员_姓名"].tolist() == ["李建国", "赵淑珍", "刘小红"]
    assert [n.key for n in info.notes] == ["read.note.title_rows", "read.note.header_joined", "read.note.footer_rows"]
    joined = info.notes[1]
    assert joined.params["rows"] == "2–3"
    assert "家庭成员_身份证号" in joined.text("zh") and "two-row header" in joined.text("en")


def test_a_group_row_with_too_few_cells_for_a_header_is_joined_too(tmp_path: Path) -> None:
    """序号 | 家庭成员 ×3 | 收入 ×2: the group row fills 3 of 6 cells and was skipped as a title row."""
    rows = [["序号", "家庭成员", None, None, "收入", None],
            [None, "姓名", "关系", "身份证号", "工资", "养老金"],
            ["1", "李建国", "配偶", "330106195312215021", "1200", "3400"]]
    for kind in ("xlsx", "csv"):
        if kind == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            for row in rows:
                book.active.append(row)
            source = tmp_path / "收入.xlsx"
            book.save(source)
        else:
            source = tmp_path / "收入.csv"
            source.write_text("\n".join(",".join(v or "" for v in row) for row in rows) + "\n", encoding="utf-8")
        from sandbox.tabular import read_table

        frame, info = read_table(source)
        assert list(frame.columns) == ["序号", "家庭成员_姓名", "家庭成员_关系", "家庭成员_身份证号", "收入_工资",
                                       "收入_养老金"], kind
        assert [n.key for n in info.notes] == ["read.note.header_joined"], kind


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_two_row_header_that_names_a_column_twice_or_not_at_all_is_refused(tmp_path: Path, lang: str) -> None:
    from sandbox.errors import InputError
    from sandbox.tabular import read_table

    rows = [["序号", "家庭成员", None, None, "备注"],
            [None, "姓名", None, "身份证号", None],  # the 2nd member column has no sub-heading
            ["1", "李建国", "配偶", "330106195312215021", "无"]]
    source = tmp_path / "不清.csv"
    source.write_text("\n".join(",".join(v or "" for v in row) for row in rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(source)
    assert caught.value.key == "errors.header_two_rows"
    assert caught.value.params["columns"] == "3"
    assert ("请把表头整理为一行" if lang == "zh" else "one name per column") in caught.value.render(lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_steward_sees_what_the_reader_did_and_the_output_carries_no_member(people_home: Path, tmp_path: Path,
                                                                             lang: str) -> None:
    import json

    source = _family_book(tmp_path / "花名册.xlsx")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    if lang == "zh":
        assert "读取文件时" in done.stderr and "两行表头" in done.stderr and "表尾" in done.stderr
    else:
        assert "While reading the file" in done.stderr and "two-row header" in done.stderr
    text = _plain(out)
    assert [s for s in FAMILY_SECRETS if s in text] == []
    assert list(pd.read_csv(out, dtype=str).columns) == JOINED
    report = json.loads((tmp_path / "out.deid.json").read_text(encoding="utf-8"))
    assert [n["key"] for n in report["read_notes"]] == ["read.note.title_rows", "read.note.header_joined",
                                                        "read.note.footer_rows"]
    assert all(n["zh"] and n["en"] for n in report["read_notes"])
    scan = runner.invoke(app, ["--lang", lang, "pii", "scan", str(source), "--json", *AS])
    assert scan.exit_code == 0, scan.output
    assert [n["key"] for n in json.loads(scan.stdout)["read_notes"]][1] == "read.note.header_joined"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_release_page_service_says_what_the_reader_did(people_home: Path, tmp_path: Path, lang: str) -> None:
    from privacy.steward import source_overview
    from sandbox.i18n import set_language
    from sandbox.users import actor_for

    set_language(lang)
    try:
        view = source_overview(actor=actor_for("steward"), path=_family_book(tmp_path / "花名册.xlsx"),
                               policy="default", is_upload=True)
    finally:
        set_language(None)
    assert view["columns"] == JOINED and view["rows"] == 3
    assert len(view["read_notes"]) == 3
    assert ("两行表头" if lang == "zh" else "two-row header") in view["read_notes"][1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_wps_et_file_is_refused_by_name_saying_save_as_xlsx(tmp_path: Path, lang: str) -> None:
    from sandbox.errors import InputError
    from sandbox.tabular import read_table

    source = tmp_path / "低保名单.et"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(InputError) as caught:
        read_table(source)
    assert caught.value.key == "errors.wps_table"
    text = caught.value.render(lang)
    assert "低保名单.et" in text and (".xlsx" in text) and ("另存为" if lang == "zh" else "Save As") in text


def test_a_transcribed_name_gets_one_pseudonym_whatever_dot_was_typed() -> None:
    from privacy.deid._operators import keyed_pseudonym

    key = b"k" * 32
    names = ["阿卜杜拉·买买提", "阿卜杜拉•买买提", "阿卜杜拉．买买提", "阿卜杜拉・买买提", "阿卜杜拉 · 买买提"]
    assert len({keyed_pseudonym(n, key=key) for n in names}) == 1
    assert keyed_pseudonym("阿卜杜拉买买提", key=key) != keyed_pseudonym(names[0], key=key)


# Check characters computed (privacy.checksums): a free-text scan reports only checked IDs.
ID_A, ID_B, ID_C = "330106195312215020", "110105194009221012", "650102198001011234"
CARD = "6222021202012345675"  # Luhn-valid


def _hidden_book(path: Path) -> Path:
    """Hidden column and row, a hidden empty sheet, a comment and named ranges holding personal data."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    sheet = book.active
    sheet.title = "名单"
    sheet.append(["序号", "姓名", "身份证号", "联系电话", "银行卡号"])
    sheet.append(["1", "王秀英", ID_A, "13957112846", CARD])
    sheet.append(["2", "李建国", ID_B, "13805718823", "6217001234567890123"])  # Luhn fails: a digit slipped
    sheet.column_dimensions["E"].hidden = True
    sheet.row_dimensions[3].hidden = True
    sheet["A2"].comment = Comment("户主赵淑珍 身份证110105195002143319 电话13645719921", "经办人")
    book.create_sheet("备用").sheet_state = "hidden"
    book.defined_names["户主"] = DefinedName("户主", attr_text="名单!$B$2")
    book.defined_names["联系人"] = DefinedName("联系人", attr_text='"刘德胜 13712345678"')
    book.save(path)
    return path


def _xlsx_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as book:  # every part: cells, shared strings, comments, defined names
        return "".join("".join(unicodedata.normalize("NFKC", book.read(n).decode("utf-8", "replace")).split())
                       for n in book.namelist())


def test_hidden_cells_comments_and_named_ranges_carry_nothing_into_the_output(people_home: Path,
                                                                            tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    done = runner.invoke(app, ["deid", str(_hidden_book(tmp_path / "名单.xlsx")), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    text = _xlsx_text(out)
    secrets = ("王秀英", "李建国", "赵淑珍", "刘德胜", "195312215020", "194009221012", "195002143319", "13957112846",
               "13805718823", "13645719921", "13712345678", "02120201234567", "00123456789012")
    assert [s for s in secrets if s in text] == []
    assert "comments" not in text and "definedName" not in text
    written = pd.read_excel(out, dtype=str, engine="calamine")
    assert written["银行卡号"].tolist() == ["*" * 15 + CARD[-4:], "*" * 15 + "0123"]  # the hidden column, masked


def test_a_mistyped_card_in_a_card_column_is_a_card(home: Path) -> None:
    from privacy.deid import load_policy
    from privacy.deid._apply import deidentify_frame

    frame = pd.DataFrame({"银行卡号": ["6217001234567890123", "6228 4800 1234 5678 901", CARD]})
    done = deidentify_frame(frame, load_policy("default"))
    assert done.frame["银行卡号"].tolist() == ["*" * 15 + "0123", "*" * 18 + "8 901", "*" * 15 + CARD[-4:]]
    assert done.columns[0]["entity_type"] == "BANK_CARD"


def test_a_csv_with_a_bom_and_line_breaks_inside_quoted_cells(people_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "走访记录.csv"
    source.write_bytes("\ufeff序号,姓名,备注,联系电话\r\n"
                       f'1,王秀英,"独居老人\r\n子女李建国电话13805718823\r\n身份证{ID_A}",13957112846\r\n'
                       f'2,陈桂兰,"身份证{ID_C}\r\n已核实",18958023377\r\n'.encode())
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = pd.read_csv(out, dtype=str)
    assert len(written) == 2 and written["备注"].str.contains("\n").all()  # the cells keep their line breaks
    text = _plain(out)
    assert [s for s in ("王秀英", "李建国", "陈桂兰", "13805718823", "195312215020", "198001011234") if s in text] == []


def test_two_phones_in_a_cell_extensions_and_dotted_names(people_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "联系人.csv"
    source.write_text(
        "序号,姓名,手机号,座机,备注\n"
        "1,阿卜杜拉·买买提,13800001111/13900002222,0571-87654321转8021,与古丽•艾买提同住，电话13712345678/13698765432\n"
        "2,古丽•艾买提,13800003333、13900004444,0571-86001234-802,亲属约翰．史密斯，分机0571-87001234转56\n"
        "3,约翰．史密斯,138 0000 5555 / 139 0000 6666,(0571)88001122 ext. 35,联系人热依拉・吐尔逊13511112222\n"
        "4,热依拉・吐尔逊,+86 13800007777;13900008888,87651234转2,无\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    text = _plain(out)
    secrets = ("阿卜杜拉", "买买提", "古丽", "艾买提", "约翰", "史密斯", "热依拉", "吐尔逊", "00001111", "00002222",
               "00003333", "00004444", "00005555", "00006666", "00007777", "13712345678", "13698765432",
               "87654321", "86001234", "87001234", "88001122", "87651234", "13511112222")
    assert [s for s in secrets if s in text] == []
    written = pd.read_csv(out, dtype=str)
    pseudonyms = dict(zip(source.read_text(encoding="utf-8").splitlines()[1:], written["姓名"], strict=True))
    first = written["姓名"].tolist()
    assert first[1] in written["备注"].iloc[0]  # 古丽•艾买提 in the remarks is the person in row 2
    assert first[3] in written["备注"].iloc[2] and len(pseudonyms) == 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_hidden_sheet_with_data_is_named_as_hidden(tmp_path: Path, lang: str) -> None:
    """The steward saw one sheet in Excel; the refusal named two. It now says which is hidden and how to see it."""
    from openpyxl import Workbook

    from sandbox.errors import InputError
    from sandbox.tabular import read_table

    book = Workbook()
    book.active.title = "名单"
    book.active.append(["姓名", "电话"])
    book.active.append(["王秀英", "13957112846"])
    hidden = book.create_sheet("底稿")
    hidden.sheet_state = "hidden"
    hidden.append(["姓名", "身份证号"])
    hidden.append(["孙志强", ID_A])
    book.save(tmp_path / "名单.xlsx")
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "名单.xlsx")
    assert caught.value.key == "errors.excel_hidden_sheets" and caught.value.params["hidden"] == "底稿"
    assert ("取消隐藏" if lang == "zh" else "Unhide") in caught.value.render(lang)
    assert "孙志强" not in caught.value.render(lang)
