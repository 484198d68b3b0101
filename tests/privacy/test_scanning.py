"""Table and file scanning: column profiles, findings with offsets, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from faker import Faker

from privacy.scanning import scan_file, scan_table, scan_text
from sandbox.errors import InputError, PermissionDenied
from sandbox.roles import Actor
from sandbox.users import add_user

TICKET = "市民王秀英（身份证号11010519491231002X）来电反映，其住在朝阳区建国路88号3号楼2单元501室，联系电话13812345678。"


@pytest.fixture
def steward(home: Path) -> Actor:
    return add_user(username="steward", password="steward-pass-1", role="steward")


def _people(fake: Faker, n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "编号": [f"T{i:05d}" for i in range(n)],
        "姓名": [fake.name() for _ in range(n)],
        "身份证号": [fake.ssn() for _ in range(n)],
        "联系电话": [fake.phone_number() for _ in range(n)],
        "性别": [fake.random_element(["男", "女"]) for _ in range(n)],
        "年龄": [str(fake.random_int(18, 95)) for _ in range(n)],
        "工单内容": [TICKET if i % 3 == 0 else "咨询养老保险缴费年限问题" for i in range(n)],
    })


def test_scan_text_offsets_point_into_the_text() -> None:
    findings = scan_text(TICKET)
    assert {f.entity_type for f in findings} == {"PERSON", "CN_RESIDENT_ID", "ADDRESS", "PHONE_NUMBER"}
    for finding in findings:
        assert TICKET[finding.start : finding.end] == finding.text
        assert finding.explanation
    assert scan_text(TICKET, entities=["PHONE_NUMBER"])[0].masked == "138****5678"


def test_scan_text_rejects_unknown_entity() -> None:
    with pytest.raises(InputError) as err:
        scan_text("x", entities=["SSN"])
    assert err.value.key == "errors.pii_unknown_entity"


def test_scan_table_profiles_columns(fake: Faker) -> None:
    frame = _people(fake, 300)
    result = scan_table(frame)
    by_column = {c.column: c for c in result.columns}
    assert by_column["身份证号"].kind == "identifier" and by_column["身份证号"].entity_type == "CN_RESIDENT_ID"
    assert by_column["身份证号"].hit_cells == 300 and by_column["身份证号"].share == 1.0
    assert by_column["联系电话"].entity_type == "PHONE_NUMBER" and by_column["联系电话"].hit_cells == 300
    assert by_column["姓名"].entity_type == "PERSON" and by_column["姓名"].hit_cells >= 295
    assert by_column["工单内容"].kind == "free_text" and by_column["工单内容"].hit_cells == 100
    for column in ("编号", "性别", "年龄"):
        assert not by_column[column].has_pii, column
    assert result.has_pii
    assert set(result.pii_columns()) == {"姓名", "身份证号", "联系电话", "工单内容"}
    # Findings carry the row and offsets into that row's cell.
    for finding in result.findings:
        cell = frame.at[finding.row, finding.column]
        assert cell[finding.start : finding.end] == finding.text
    ticket_rows = {f.row for f in result.findings if f.column == "工单内容"}
    assert ticket_rows == set(range(0, 300, 3))


def test_scan_table_without_pii() -> None:
    frame = pd.DataFrame({
        "年龄": ["34", "56", "78", "81"], "城乡": ["城镇", "农村", "城镇", "农村"], "金额": ["12.5", "8", "1380", "7"],
        "街道镇": ["高虹镇", "於潜镇", "锦城街道", "昌化镇"], "街道镇代码": ["330112101", "330112102", "330112001", "330112103"],
        "出生日期": ["1949-12-31", "1960-01-01", "1933-02-03", "1970-10-10"],
    })
    result = scan_table(frame)
    assert not result.has_pii and result.findings == []


def test_scan_table_with_nans_and_numbers() -> None:
    frame = pd.DataFrame({"电话": ["13812345678", None, float("nan"), "无"], "n": [1, 2, 3, 4]})
    result = scan_table(frame)
    assert [f.row for f in result.findings] == [0]


def test_scan_file_csv_gbk_and_jsonl_and_txt(steward: Actor, tmp_path: Path, fake: Faker) -> None:
    frame = _people(fake, 30)
    gbk = tmp_path / "people.csv"
    gbk.write_bytes(frame.to_csv(index=False).encode("gbk"))
    report = scan_file(gbk, actor=steward)
    assert report.encoding == "gbk/gb18030" and report.kind == "table" and report.has_pii
    only = scan_file(gbk, actor=steward, columns=["工单内容"])
    assert {f.column for f in only.findings} == {"工单内容"}

    jsonl = tmp_path / "texts.jsonl"
    jsonl.write_text(json.dumps({"text": TICKET}, ensure_ascii=False) + '\n{"text": "没有个人信息"}\n', encoding="utf-8")
    report = scan_file(jsonl, actor=steward)
    assert {f.row for f in report.findings} == {0}

    txt = tmp_path / "texts.txt"
    txt.write_text("没有\n" + TICKET + "\n", encoding="utf-8")
    report = scan_file(txt, actor=steward)
    assert report.kind == "text" and {f.row for f in report.findings} == {1}
    assert all(f.column is None for f in report.findings)

    xlsx = tmp_path / "people.xlsx"
    frame.to_excel(xlsx, index=False)
    assert scan_file(xlsx, actor=steward).has_pii
    parquet = tmp_path / "people.parquet"
    frame.to_parquet(parquet)
    assert scan_file(parquet, actor=steward).has_pii


def test_scan_file_needs_permission(home: Path, tmp_path: Path) -> None:
    reviewer = add_user(username="rev", password="reviewer-pass-1", role="reviewer")
    path = tmp_path / "a.txt"
    path.write_text(TICKET, encoding="utf-8")
    with pytest.raises(PermissionDenied):
        scan_file(path, actor=reviewer)


@pytest.mark.parametrize(("name", "content", "key"), [
    ("empty.csv", b"", "errors.file_empty"),
    ("empty.txt", b"  \n", "errors.file_empty"),
    ("binary.csv", b"\x00\x01\x02PK\x03\x04" * 100, "errors.file_binary"),
    ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "errors.file_binary"),
    ("bad.txt", "姓名".encode() + b"\xff\xfe\xff" + "电话".encode("gbk"), "errors.file_encoding"),
    ("bad.csv", b"a,b\n" + b"\x81\xff\x81\xff", "errors.file_encoding"),
    ("image.png", b"\x89PNG", "errors.pii_file_type"),
    ("no_text.jsonl", b'{"body": "x"}\n', "errors.pii_no_text_field"),
])
def test_bad_input_has_clear_messages(steward: Actor, tmp_path: Path, name: str, content: bytes, key: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        scan_file(path, actor=steward)
    assert err.value.key == key
    if key == "errors.file_encoding":
        assert "utf-8-sig, gb18030" in err.value.render("zh")


def test_huge_single_cell_and_line(steward: Actor, tmp_path: Path) -> None:
    big = "工单" * (25 * 1024 * 1024 // 2)
    csv_path = tmp_path / "big.csv"
    csv_path.write_text("工单内容\n" + big + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scan_file(csv_path, actor=steward)
    assert err.value.key == "errors.cell_too_big"
    txt_path = tmp_path / "big.txt"
    txt_path.write_text(big, encoding="utf-8")
    with pytest.raises(InputError) as err:
        scan_file(txt_path, actor=steward)
    assert err.value.key == "errors.pii_text_too_big"


def test_ten_thousand_columns(steward: Actor, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"c{i}" for i in range(10_000))
    path.write_text(header + "\n" + ",".join("1" for _ in range(10_000)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        scan_file(path, actor=steward)
    assert err.value.key == "errors.too_many_columns"
    wide = pd.DataFrame({f"c{i}": ["1"] for i in range(10_000)})
    with pytest.raises(InputError) as err:
        scan_table(wide)
    assert err.value.key == "errors.pii_too_many_columns"
