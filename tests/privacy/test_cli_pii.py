"""``sandbox pii scan``: human output, --json contract, --out, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.users import add_user

TICKET = "市民王秀英（身份证号11010519491231002X）来电反映，其住在朝阳区建国路88号3号楼2单元501室，联系电话13812345678。"


@pytest.fixture
def runner(home: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    add_user(username="steward", password="steward-pass-1", role="steward")
    monkeypatch.setenv("SANDBOX_PASSWORD", "steward-pass-1")
    return CliRunner()


def test_scan_csv_json_contract(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "tickets.csv"
    path.write_text("编号,工单内容,联系电话\nA1," + TICKET + ",13912345678\nA2,咨询政策,\n", encoding="utf-8-sig")
    result = runner.invoke(app, ["pii", "scan", str(path), "--json", "--as", "steward"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["has_pii"] is True and data["rows"] == 2
    assert {c["column"]: c["has_pii"] for c in data["columns"]} == {"编号": False, "工单内容": True, "联系电话": True}
    entities = {(f["row"], f["column"], f["entity_type"]) for f in data["findings"]}
    assert entities == {
        (0, "工单内容", "PERSON"), (0, "工单内容", "CN_RESIDENT_ID"), (0, "工单内容", "ADDRESS"),
        (0, "工单内容", "PHONE_NUMBER"), (0, "联系电话", "PHONE_NUMBER"),
    }
    for finding in data["findings"]:
        assert set(finding) == {"row", "column", "start", "end", "entity_type", "score", "text", "explanation"}
        if finding["column"] == "工单内容":
            assert len(TICKET[finding["start"] : finding["end"]]) == len(finding["text"])
    masked = next(f for f in data["findings"] if f["entity_type"] == "CN_RESIDENT_ID")
    assert masked["text"] == "110***********002X"
    assert masked["explanation"].startswith("地区码有效（北京市），出生日期有效（1949 年），校验位正确")
    assert "19491231" not in masked["explanation"] and "110105" not in masked["explanation"]


def test_scan_txt_with_out_file_and_unmask(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("第一行没有\n" + TICKET + "\n", encoding="gbk")
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["pii", "scan", str(path), "--out", str(out), "--unmask", "--as", "steward"])
    assert result.exit_code == 0, result.output
    assert "发现 4 处个人信息" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert all("column" not in f and f["row"] == 1 for f in data["findings"])
    for finding in data["findings"]:
        assert TICKET[finding["start"] : finding["end"]] == finding["text"]


def test_scan_column_option_and_fail_on_pii(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"id": 1, "text": TICKET, "note": "电话13912345678"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["pii", "scan", str(path), "--json", "--as", "steward", "--column", "note"])
    data = json.loads(result.stdout)
    assert [f["column"] for f in data["findings"]] == ["note"]
    result = runner.invoke(app, ["pii", "scan", str(path), "--as", "steward", "--fail-on-pii"])
    assert result.exit_code == 3


def test_errors_are_clear(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["pii", "scan", str(empty), "--json", "--as", "steward"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "文件 empty.csv 是空的" in result.stderr
    missing = runner.invoke(app, ["pii", "scan", str(tmp_path / "nope.csv"), "--as", "steward"])
    assert missing.exit_code == 1 and "找不到文件" in missing.stderr
    path = tmp_path / "a.csv"
    path.write_text("x\n1\n", encoding="utf-8")
    wrong = runner.invoke(app, ["pii", "scan", str(path), "--as", "steward", "--column", "姓名"])
    assert wrong.exit_code == 1 and "没有列“姓名”" in wrong.stderr
    english = runner.invoke(app, ["--lang", "en", "pii", "scan", str(path), "--entity", "SSN", "--as", "steward"])
    assert english.exit_code == 1 and "Unknown personal information type SSN" in english.stderr


def test_needs_a_steward(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text(TICKET, encoding="utf-8")
    assert runner.invoke(app, ["pii", "scan", str(path)]).exit_code == 1
    add_user(username="rev", password="reviewer-pass-1", role="reviewer")
    monkeypatch.setenv("SANDBOX_PASSWORD", "reviewer-pass-1")
    result = runner.invoke(app, ["pii", "scan", str(path), "--as", "rev"])
    assert result.exit_code == 1 and "privacy.scan" in result.stderr


def test_the_json_report_is_written_finding_by_finding(runner: CliRunner, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """1M rows gave 2.9M findings: built as one dict each plus one JSON text the report took 8.6 GB (10M rows: the
    kernel's OOM kill). Written finding by finding, byte for byte what json.dumps of the whole would be."""
    import io

    from privacy.scanning import ScanReport, scan_file
    from sandbox.users import authenticate

    path = tmp_path / "tickets.csv"
    path.write_text("编号,工单内容,联系电话\n" + "".join(f"A{i}," + TICKET + f",1391234567{i}\n" for i in range(7))
                    + "A9,咨询政策,\n", encoding="utf-8")
    report = scan_file(path, actor=authenticate("steward", "steward-pass-1"))
    assert len(report.findings) > 20
    for batch in (1, 3, 10_000):
        handle = io.StringIO()
        report.write_json(handle, unmask=False, batch=batch)
        assert handle.getvalue() == json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    empty = tmp_path / "empty.csv"
    empty.write_text("编号,说明\n1,咨询公交线路\n", encoding="utf-8")
    clean = scan_file(empty, actor=authenticate("steward", "steward-pass-1"))
    handle = io.StringIO()
    clean.write_json(handle)
    assert handle.getvalue() == json.dumps(clean.to_dict(), ensure_ascii=False, indent=2)

    def whole(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the whole report was built in memory")

    monkeypatch.setattr(ScanReport, "to_dict", whole)
    out = tmp_path / "report.json"
    for args in (["--out", str(out)], ["--json"]):
        result = runner.invoke(app, ["pii", "scan", str(path), *args, "--as", "steward"])
        assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["rows"] == 8
    assert len(json.loads(result.stdout)["findings"]) == len(report.findings)
