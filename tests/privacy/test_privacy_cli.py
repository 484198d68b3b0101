"""CLI: sandbox deid | risk | release histogram | budget show — --json, messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD
from tests.privacy.release_helpers import people

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


@pytest.fixture
def data(home: Path, tmp_path: Path) -> Path:
    from sandbox.demo.people import seed_people

    seed_people()
    path = tmp_path / "people.csv"
    frame = people(300).drop(columns=["身份证号"])  # keep the CLI tests independent of the PII scanner
    frame["备注"] = ""
    frame.loc[0, "备注"] = "=HYPERLINK(\"http://x\")"
    frame.to_csv(path, index=False, encoding="utf-8-sig")  # raw: the formula is in the input
    return path


def test_deid_writes_masked_file_and_report(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["deid", str(data), "--policy", "default", "--out", str(out), *AS, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["label"] == "去标识化" and report["policy"] == "default@2.0"
    written = (out / "people.deid.csv").read_text(encoding="utf-8-sig")
    assert "138****5678" in written and "13812345678" not in written
    assert "'=HYPERLINK" in written  # spreadsheet formula neutralised in the export
    assert json.loads((out / "people.deid.json").read_text(encoding="utf-8"))["rows_out"] == report["rows_out"]
    human = runner.invoke(app, ["deid", str(data), "--out", str(out), *AS])
    assert human.exit_code == 0 and "不是匿名化数据" in human.stderr


def test_deid_out_file_is_the_file_and_is_not_overwritten_without_force(data: Path, tmp_path: Path) -> None:
    """``--out masked.csv`` writes that file (report beside it), not a folder; a second run needs --force."""
    import pandas as pd

    target = tmp_path / "发布" / "masked.csv"
    made = runner.invoke(app, ["deid", str(data), "--out", str(target), *AS, "--json"])
    assert made.exit_code == 0, made.output
    report = json.loads(made.stdout)
    assert target.is_file() and report["output"] == str(target)
    written = target.read_text(encoding="utf-8-sig")
    assert "138****5678" in written and "13812345678" not in written and "'=HYPERLINK" in written
    beside = json.loads((tmp_path / "发布" / "masked.deid.json").read_text(encoding="utf-8"))
    assert beside["rows_out"] == report["rows_out"] and beside["output_sha256"] == report["output_sha256"]
    assert sorted(p.name for p in target.parent.iterdir()) == ["masked.csv", "masked.deid.json"]  # nothing staged left
    before = target.read_bytes()
    again = runner.invoke(app, ["deid", str(data), "--out", str(target), *AS])
    assert again.exit_code == 1 and f"输出文件 {target} 已存在，未覆盖" in again.stderr and "--force" in again.stderr
    again_en = runner.invoke(app, ["--lang", "en", "deid", str(data), "--out", str(target), *AS])
    assert again_en.exit_code == 1 and f"Output file {target} already exists" in again_en.stderr
    assert target.read_bytes() == before
    forced = runner.invoke(app, ["deid", str(data), "--out", str(target), "--force", *AS, "--json"])
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.stdout)["rows_out"] == report["rows_out"]
    parquet = tmp_path / "masked.parquet"  # the suffix picks the format
    assert runner.invoke(app, ["deid", str(data), "--out", str(parquet), *AS]).exit_code == 0
    table = pd.read_parquet(parquet)
    assert len(table) == report["rows_out"] and "13812345678" not in table.to_csv()
    assert (tmp_path / "masked.deid.json").is_file()


def test_deid_out_without_a_table_suffix_or_an_existing_folder_stays_a_folder(data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "old.csv"  # a folder made by an earlier run keeps receiving files
    folder.mkdir()
    assert runner.invoke(app, ["deid", str(data), "--out", str(folder), *AS]).exit_code == 0
    assert (folder / "people.deid.csv").is_file() and (folder / "people.deid.json").is_file()
    plain = tmp_path / "out.d"
    assert runner.invoke(app, ["deid", str(data), "--out", str(plain), *AS]).exit_code == 0
    assert (plain / "people.deid.csv").is_file()


def test_deid_bad_policy_and_wrong_role(data: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "deid", str(data), "--policy", "nope", "--out", str(tmp_path), *AS])
    assert result.exit_code == 1 and "De-identification policy nope not found" in result.stderr
    result = runner.invoke(app, ["deid", str(data), "--out", str(tmp_path), "--as", "vendor_a",
                                 "--password", DEMO_PASSWORD])
    assert result.exit_code == 1


def test_risk_json_and_human(data: Path) -> None:
    result = runner.invoke(app, ["risk", str(data), "--quasi", "年龄,性别,街道镇", "--sensitive", "姓名", *AS, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["k"] == 1 and report["quasi_identifiers"] == ["年龄", "性别", "街道镇"]
    assert report["suggestions"] and report["suggestions"][0]["k_after"] >= 5
    human = runner.invoke(app, ["risk", str(data), "--quasi", "年龄，性别", *AS])
    assert human.exit_code == 0 and "检察官风险" in human.stderr
    bad = runner.invoke(app, ["risk", str(data), "--quasi", "年龄,无此列", *AS])
    assert bad.exit_code == 1 and "无此列" in bad.stderr


def test_release_histogram_and_budget(data: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.yaml"
    keys.write_text("街道镇: [青山湖街道, 锦北街道, 太湖源镇]\n", encoding="utf-8")
    out = tmp_path / "hist.csv"
    args = ["release", "histogram", str(data), "--by", "街道镇,年龄", "--dataset", "demo-ds", "--keys", str(keys)]
    result = runner.invoke(app, [*args, "--epsilon", "1.5", "--out", str(out), *AS, "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["epsilon"] == 1.5 and body["epsilon_remaining"] == pytest.approx(1.5)
    assert {c["街道镇"] for c in body["cells"]} >= {"青山湖街道", "其他"}
    assert all({"count", "lower", "upper", "status"} <= set(c) for c in body["cells"])
    assert out.exists()
    refused = runner.invoke(app, ["--lang", "en", *args, "--epsilon", "2", *AS])
    assert refused.exit_code == 1
    assert "would be overspent" in refused.stderr and "ε=1.5 remains" in refused.stderr
    for bad in ("0", "-1", "nan"):
        result = runner.invoke(app, [*args, "--epsilon", bad, *AS])
        assert result.exit_code == 1 and "必须是大于 0 的有限数字" in result.stderr
    shown = runner.invoke(app, ["budget", "show", "demo-ds", *AS, "--json"])
    assert shown.exit_code == 0
    status = json.loads(shown.stdout)
    assert status["epsilon_spent"] == pytest.approx(1.5) and len(status["spends"]) == 1
    human = runner.invoke(app, ["budget", "show", "demo-ds", "--as", "chair", "--password", DEMO_PASSWORD])
    assert human.exit_code == 0 and "剩余 ε=1.5" in human.stderr and "steward" in human.stdout
    missing = runner.invoke(app, ["budget", "show", "nothing-yet", *AS])
    assert missing.exit_code == 1 and "还没有隐私预算记录" in missing.stderr


def test_histogram_without_public_keys_is_refused(data: Path) -> None:
    result = runner.invoke(app, ["release", "histogram", str(data), "--by", "街道镇", "--epsilon", "1",
                                 "--dataset", "x", *AS])
    assert result.exit_code == 1 and "--keys-from-data" in result.stderr
    ok = runner.invoke(app, ["release", "histogram", str(data), "--by", "街道镇", "--epsilon", "1",
                             "--dataset", "x", "--keys-from-data", *AS])
    assert ok.exit_code == 0 and "ε=2" in ok.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_deid_of_a_workbook_whose_roster_is_on_its_second_sheet_is_refused_and_writes_nothing(
        home: Path, tmp_path: Path, lang: str) -> None:
    """A 填表说明 sheet in front: only it was scanned — "no personal information", "de-identified" — over a roster."""
    from openpyxl import Workbook

    from sandbox.demo.people import seed_people

    seed_people()
    book = Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表由街道统一报送，请勿外传"])
    roster = book.create_sheet("名单")
    roster.append(["姓名", "身份证号", "电话"])
    roster.append(["王淑英", "330112195304289713", "13812345678"])
    source = tmp_path / "低保台账.xlsx"
    book.save(source)
    out = tmp_path / "out"
    result = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert result.exit_code == 1
    assert "低保台账.xlsx" in result.stderr and "填表说明、名单" in result.stderr
    assert not out.exists()


def test_deid_into_an_xlsx_too_long_for_a_sheet_is_refused_before_the_work(data: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's 10M rows into ``x.xlsx``: refused after reading, not after a 20-minute de-identification."""
    import sandbox.files as files
    from privacy.deid import deidentify_source
    from sandbox.errors import InputError
    from sandbox.users import authenticate

    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 101)  # 1,048,576 in Excel: 100 data rows here, the file has 300
    out = tmp_path / "名单.xlsx"
    result = runner.invoke(app, ["deid", str(data), "--out", str(out), *AS])
    assert result.exit_code == 1 and "名单.xlsx" in result.stderr and "300" in result.stderr
    steps: list[object] = []
    with pytest.raises(InputError) as caught:
        deidentify_source(actor=authenticate("steward", DEMO_PASSWORD), source=data, out=out,
                          progress=lambda *step: steps.append(step))
    assert caught.value.key == "errors.xlsx_too_big" and steps == []  # no classification step ran
    assert not out.exists() and not list(tmp_path.glob(".名单*"))
