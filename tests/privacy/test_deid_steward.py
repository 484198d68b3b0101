"""A city data steward's own exports (session 8, ``steward``): files made the way 街道/民政/人社 offices send them.

Each test writes such a file, runs the real service or CLI on it and searches
the written output for the original secrets — never trusting the tool's own
re-scan figure.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import generalize_date, load_policy
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD
from tests.privacy.deid_cases import plain_text as _plain

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


# 人社's 待遇领取资格认证名单: the birth-date and age columns are not called 出生日期 / 年龄.
BIRTH_CSV = """序号,姓名,性别,出生年月,年龄（岁）,户籍地址,联系电话
1,王秀英,女,1953.03.12,73,浙江省杭州市西湖区文三路259号3幢2单元501室,13957112846
2,李建国,男,1948年7月5日,78,浙江省杭州市西湖区古荡新村12幢301室,13805718823
3,陈桂兰,女,1940-09-22,86,杭州市上城区清泰街120号,13645719921
4,赵淑珍,女,57.2.28,69,杭州市余杭区仓前街道葛巷村6组9号,18958023377
"""
BIRTHS = ("1953.03.12", "1948年7月5日", "1940-09-22", "57.2.28", "19530312", "1948-07", "1940-09")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("policy", ["default", "anonymise"])
def test_birth_dates_under_another_header_are_generalised(people_home: Path, tmp_path: Path, lang: str,
                                                         policy: str) -> None:
    """出生年月 / 年龄（岁） headers: full dates of birth and exact ages passed through both policies."""
    source = tmp_path / "认证名单.csv"
    source.write_text(BIRTH_CSV, encoding="gbk")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--policy", policy, "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    text = _plain(out)
    assert [b for b in BIRTHS if b in text] == []
    written = pd.read_csv(out, dtype=str)
    if policy == "default":
        assert written["出生年月"].tolist() == ["1953", "1948", "1940", "1957"]
        assert written["年龄（岁）"].tolist() == ["70-79", "70-79", "80+", "60-69"]
        assert ("按列名（策略 columns）" if lang == "zh" else "by header (policy columns)") in done.stderr
    else:  # anonymise drops dates of birth and addresses whatever the office called them
        assert "出生年月" not in written.columns and "户籍地址" not in written.columns
        assert "文三路" not in text and "葛巷村" not in text
    assert ("不是匿名化数据" if lang == "zh" else "not anonymised") in done.stderr


def test_dates_as_clerks_type_them() -> None:
    values = pd.Series(["1953.03.12", "48年7月", "1940年9月22日", "57.2.28", "19361130", "53年3月", "1938.04",
                        "1953-03-12 00:00:00", "1953 年 3 月 12 日", "19530230", "73", "无", None])
    years = generalize_date(values, "year", today=date(2026, 12, 7)).tolist()
    assert years == ["1953", "1948", "1940", "1957", "1936", "1953", "1938", "1953", "1953", "未知", "未知",
                     "未知", "未知"]
    assert generalize_date(pd.Series(["08.5.1", "53年3月", "1953"]), "month", today=date(2026, 12, 7)).tolist() \
        == ["2008-05", "1953-03", "未知"]


def test_policy_columns_match_the_same_header_written_differently() -> None:
    default, anonymise = load_policy("default"), load_policy("anonymise")
    assert default.column_operator("出生年月").op == "generalize_date"  # type: ignore[union-attr]
    assert default.column_operator("年龄（岁）").op == "generalize_age"  # type: ignore[union-attr]
    assert default.column_operator("年 龄").op == "generalize_age"  # type: ignore[union-attr]
    assert anonymise.column_operator("户主姓名").op == "drop"  # type: ignore[union-attr]
    assert anonymise.column_operator("公民身份号码").op == "drop"  # type: ignore[union-attr]
    assert default.column_operator("年龄段") is None and default.column_operator("认证日期") is None


# 乡镇 roster: the home address is split over 省/市/区县/乡镇街道/村社区/门牌号 — no cell alone is an address.
SPLIT_ROWS = [
    ("刘德胜", "余杭区", "五常街道", "荆山湾村", "4组17号", "785"),
    ("赵淑珍", "余杭区", "仓前街道", "葛巷村", "6组9号", "785"),
    ("王秀英", "西湖区", "翠苑街道", "翠苑一区", "15幢402", "1570"),
    ("孙志强", "西湖区", "翠苑街道", "翠苑一区", "7幢3单元201室", "785"),
    ("陈桂兰", "上城区", "清波街道", "清波门社区", "清泰街120号", "785"),
]
DOORS = ("4组17号", "6组9号", "15幢402", "7幢3单元201室", "清泰街120号", "荆山湾村", "葛巷村", "翠苑一区")


def _split_roster(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2026年特困供养人员名册"])
    sheet.append(["序号", "姓名", "省", "市", "区县", "乡镇街道", "村社区", "门牌号", "月供养金"])
    for n, (name, county, town, village, door, money) in enumerate(SPLIT_ROWS, start=1):
        sheet.append([n, name, "浙江省", "杭州市", county, town, village, door, money])
    book.save(path)
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("policy", ["default", "anonymise"])
def test_an_address_split_over_columns_is_an_address(people_home: Path, tmp_path: Path, lang: str,
                                                     policy: str) -> None:
    """门牌号 beside 村社区 passed through both policies under '复扫处理结果：未发现个人信息'."""
    source = _split_roster(tmp_path / "名册.xlsx")
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--policy", policy, "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    text = _plain(out)
    assert [d for d in DOORS if d in text] == []
    written = pd.read_csv(out, dtype=str)
    assert written["乡镇街道"].tolist() == [row[2] for row in SPLIT_ROWS]  # the street level stays
    assert written["月供养金"].tolist() == [row[5] for row in SPLIT_ROWS]  # amounts are no address
    column = "列 门牌号（标识符列）" if lang == "zh" else "column 门牌号 (identifier column)"
    assert column in done.stderr and "ADDRESS×" in done.stderr


def test_the_rescan_finds_an_address_split_over_columns(people_home: Path, tmp_path: Path) -> None:
    """A policy keeping the door column is refused by the re-scan, nothing written (zh and en)."""
    from privacy.deid import rescan_frame
    from sandbox.tabular import read_table

    frame = read_table(_split_roster(tmp_path / "名册.xlsx"))[0]
    assert set(rescan_frame(frame)) >= {"门牌号"}
    assert "村社区" in rescan_frame(frame.drop(columns=["门牌号"]))  # 五常街道 | 荆山湾村: a village after its town
    assert rescan_frame(frame.drop(columns=["门牌号", "村社区", "姓名"])) == {}
    policy = tmp_path / "keep_doors.yaml"
    policy.write_text("name: keep_doors\nversion: '1'\nentities: {default: {op: label}}\n"
                      "columns: {门牌号: {op: keep}, 村社区: {op: keep}}\n", encoding="utf-8")
    for lang, words in (("zh", "未写出任何文件"), ("en", "nothing")):
        out = tmp_path / f"kept-{lang}.csv"
        done = runner.invoke(app, ["--lang", lang, "deid", str(tmp_path / "名册.xlsx"), "--policy", str(policy),
                                   "--out", str(out), *AS])
        assert done.exit_code == 1 and words in done.stderr and "门牌号" in done.stderr, done.output
        assert not out.exists()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pii_scan_reports_an_address_split_over_columns(people_home: Path, tmp_path: Path, lang: str) -> None:
    import json

    source = _split_roster(tmp_path / "名册.xlsx")
    done = runner.invoke(app, ["--lang", lang, "pii", "scan", str(source), "--json", *AS])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    doors = [f for f in report["findings"] if f["column"] == "门牌号"]
    assert sorted(f["row"] for f in doors) == [0, 1, 2, 3, 4]
    assert all(f["entity_type"] == "ADDRESS" and f["text"] not in DOORS for f in doors)  # masked
    why = "同一行的" if lang == "zh" else "of the same row read together"
    assert any(why in f["explanation"] and "村社区 + 门牌号" in f["explanation"] for f in doors)
    summary = {c["column"]: c for c in report["columns"]}
    assert summary["门牌号"]["entity_type"] == "ADDRESS" and summary["门牌号"]["has_pii"]
    assert not summary["月供养金"]["has_pii"] and not summary["乡镇街道"]["has_pii"]


# 人社's list saved as 文本文件(制表符分隔): a title and a subtitle line above the header, no delimiter in the first.
TAB_ROWS = [
    ["2026年度城乡居民基本养老保险待遇领取资格认证名单（第三批）"],
    ["经办机构：西湖区社会保险事业管理中心", "", "", "", "打印时间：2026-12-01 09:12"],
    ["序号", "姓名", "性别", "证件号码", "出生日期", "手机号码", "所属街道"],
    ["1", "王秀英", "女", "330106195303120425", "1953.03.12", "13957112846", "翠苑街道"],
    ["2", "张　伟", "男", "330102196201180573", "1962-1-18", "15888012346", "翠苑街道"],
    ["3", "SMITH JOHN", "男", "E48213579", "1990-03-12", "", "文新街道"],
    ["4", "KIM MIN-JUN", "男", "M12345678", "1990-03-12", "", "文新街道"],
]
TAB_SECRETS = ("王秀英", "张伟", "SMITHJOHN", "KIMMIN-JUN", "330106195303120425", "19530312", "1953.03.12",
               "13957112846", "E48213579", "M12345678")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "gbk"])
def test_a_tab_separated_export_with_a_title_is_read_as_columns(people_home: Path, tmp_path: Path,
                                                               encoding: str) -> None:
    """It was one column of whole lines: de-identified as free text, names and dates of birth came out."""
    from sandbox.tabular import read_table

    source = tmp_path / "认证名单.txt"
    source.write_bytes("\r\n".join("\t".join(row) for row in TAB_ROWS).encode(encoding))
    frame, info = read_table(source)
    assert list(frame.columns) == TAB_ROWS[2] and len(frame) == 4 and info.delimiter == "\t"
    for lang in ("zh", "en"):
        out = tmp_path / f"out-{lang}.csv"
        done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
        assert done.exit_code == 0, done.output
        text = _plain(out)
        assert [s for s in TAB_SECRETS if s in text] == []
        assert ("列 姓名（标识符列）" if lang == "zh" else "column 姓名 (identifier column)") in done.stderr


FOOTER_CSV = """杭州市西湖区翠苑街道2026年11月低保对象花名册
序号,户主姓名,保障人数,月保障金,所属街道,年龄
1,王秀英,3,2355,翠苑街道,73
2,李建国,1,785,翠苑街道,78
3,陈桂兰,2,1570,古荡街道,86
,,,,,
合计,,6,4710,,
注：1.本表一式三份；2.保障金单位为元。,,,,,
制表人：王晓燕　审核人：刘建国,,,联系电话：0571-86012345,,
"""


def _footer_book(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in FOOTER_CSV.splitlines():
        sheet.append([v or None for v in line.split(",")])
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_totals_and_signature_lines_are_not_records(people_home: Path, tmp_path: Path, kind: str) -> None:
    """合计 / 注： / 制表人：… under a roster were counted as people (risk n, DP 其他 cell, rows de-identified)."""
    import json

    from sandbox.tabular import read_table

    if kind == "csv":
        source = tmp_path / "花名册.csv"
        source.write_text(FOOTER_CSV, encoding="gbk")
    else:
        source = _footer_book(tmp_path / "花名册.xlsx")
    frame, info = read_table(source)
    assert frame["户主姓名"].tolist() == ["王秀英", "李建国", "陈桂兰"]
    assert [n.key for n in info.notes][-1] == "read.note.footer_rows"
    risk = runner.invoke(app, ["risk", str(source), "--quasi", "所属街道,年龄", "--json", *AS])
    assert risk.exit_code == 0, risk.output
    assert json.loads(risk.stdout)["n"] == 3
    out = tmp_path / "out.csv"
    done = runner.invoke(app, ["--lang", "en", "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    assert "De-identified 3 rows" in done.stderr
    text = _plain(out)
    assert [s for s in ("王晓燕", "刘建国", "86012345", "王秀英") if s in text] == []


def test_a_row_that_only_looks_like_a_footer_in_the_middle_stays(tmp_path: Path) -> None:
    from sandbox.tabular import read_table

    source = tmp_path / "t.csv"
    source.write_text("姓名,备注,金额\n王秀英,注：已核实,10\n合计,,10\n李建国,,5\n", encoding="utf-8")
    frame, _ = read_table(source)
    assert len(frame) == 3  # only trailing lines are footers
    source.write_text("类别,人数,金额\n城市,3,10\n农村,4,20\n合计,7,30\n", encoding="utf-8")
    assert read_table(source)[0]["类别"].tolist() == ["城市", "农村"]


def _quasi_csv(path: Path) -> Path:
    """60 低保 records whose district column is called 所属街道 (the policy says 街道镇)."""
    import random

    rng = random.Random(7)
    lines = ["序号,性别,年龄,所属街道,人员类别,月保障金"]
    streets = ["翠苑街道"] * 20 + ["古荡街道"] * 20 + ["西溪街道"] * 19 + ["三墩镇"]
    for i, street in enumerate(streets, start=1):
        sex, age = (rng.choice("男女"), rng.choice([72, 75, 78])) if street != "三墩镇" else ("女", 96)
        lines.append(f"{i},{sex},{age},{street},低保,785")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_anonymised_is_not_claimed_over_a_district_column_the_policy_names_differently(
        people_home: Path, tmp_path: Path, lang: str) -> None:
    """The risk test ran on 年龄 and 性别 only (k=29) and labelled 匿名化 a release whose 所属街道 left classes of 7."""
    import json

    source = _quasi_csv(tmp_path / "低保.csv")
    done = runner.invoke(app, ["--lang", lang, "release", "package", str(source), "--dataset", f"q-{lang}",
                               "--policy", "anonymise", "--json", *AS])
    assert done.exit_code == 0, done.output
    made = json.loads(done.stdout)
    released = pd.read_csv(Path(made["path"]) / "data.csv", dtype=str)
    smallest = int(released.groupby(["年龄", "性别", "所属街道"]).size().min())  # independent of the tool
    assert smallest < 10
    assert made["label"] == "去标识化" and made["k"] == smallest
    assert "所属街道" in made["manifest"]["risk"]["quasi_identifiers"]
    readme = (Path(made["path"]) / "README.md").read_text(encoding="utf-8")
    assert "仍属于个人信息" in readme and "de-identified" in readme


def test_quasi_identifiers_by_header_variant_and_by_content() -> None:
    from privacy.deid._quasi import quasi_columns

    frame = pd.DataFrame({"性 别": ["男", "女"], "年龄（岁）": ["70", "80"], "所属街道": ["翠苑街道", "古荡街道"],
                          "户籍地": ["西湖区", "余杭区"], "人员类别": ["低保", "特困"], "金额": ["785", "900"],
                          "城乡": ["城镇", "农村"]})
    assert quasi_columns(load_policy("anonymise"), frame) == ["年龄（岁）", "性 别", "所属街道", "户籍地"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_dataset_name_typed_with_full_width_digits_is_the_same_budget(people_home: Path, tmp_path: Path,
                                                                        lang: str) -> None:
    """低保２０２６ (an IME's full-width digits) and 低保　2026 each opened a fresh ε for the same data."""
    source = _quasi_csv(tmp_path / "低保.csv")
    spend = ["--lang", lang, "release", "histogram", str(source), "--by", "性别", "--epsilon", "2",
             "--keys-from-data", *AS]
    first = runner.invoke(app, [*spend, "--dataset", f"低保2026{lang}"])
    assert first.exit_code == 0, first.output
    for variant in (f"低保２０２６{lang}", f"低保　2026{lang}", f" 低保 2026{lang} "):
        again = runner.invoke(app, [*spend, "--dataset", variant])
        assert again.exit_code == 1, (variant, again.output)
        assert ("隐私预算不足" if lang == "zh" else "budget") in again.stderr
    shown = runner.invoke(app, ["--lang", lang, "budget", "show", f"低保２０２６{lang}", "--json", *AS])
    assert shown.exit_code == 0 and '"epsilon_spent": 2.0' in shown.stdout, shown.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_dp_table_never_publishes_names_or_ids_as_its_groups(people_home: Path, tmp_path: Path, lang: str) -> None:
    """--keys-from-data over 户主姓名 published every name as a row of the 'differentially private' table."""
    import json

    source = tmp_path / "花名册.csv"
    source.write_text(FOOTER_CSV.replace("户主姓名", "户主姓名,身份证号").replace("1,王秀英,", "1,王秀英,330106195303120425,")
                      .replace("2,李建国,", "2,李建国,330106194807050139,").replace("3,陈桂兰,", "3,陈桂兰,33010219400922088X,"),
                      encoding="utf-8")
    out = tmp_path / "dp.csv"
    for column, entity in (("户主姓名", "PERSON×3"), ("身份证号", "CN_RESIDENT_ID×3")):
        done = runner.invoke(app, ["--lang", lang, "release", "histogram", str(source), "--by", f"所属街道,{column}",
                                   "--epsilon", "0.5", "--dataset", f"keys-{lang}", "--keys-from-data",
                                   "--out", str(out), *AS])
        assert done.exit_code == 1, done.output
        assert column in done.stderr and entity in done.stderr
        assert ("预算未变" if lang == "zh" else "budget is unchanged") in done.stderr
        assert not out.exists()
    status = runner.invoke(app, ["budget", "show", f"keys-{lang}", "--json", *AS])
    assert status.exit_code != 0 or json.loads(status.stdout)["epsilon_spent"] == 0  # never charged
    done = runner.invoke(app, ["--lang", lang, "release", "histogram", str(source), "--by", "所属街道,年龄",
                               "--epsilon", "0.5", "--dataset", f"keys-{lang}", "--keys-from-data", "--out", str(out),
                               *AS])
    assert done.exit_code == 0, done.output
    assert [s for s in ("王秀英", "李建国", "陈桂兰", "3301") if s in out.read_text(encoding="utf-8-sig")] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pii_scan_reads_a_tab_separated_txt_as_the_table_it_is(people_home: Path, tmp_path: Path, lang: str) -> None:
    """The .txt was scanned line by line: 张　伟 alone in a cell unreported, no columns, footer lines counted."""
    import json

    source = tmp_path / "认证名单.txt"
    source.write_bytes("\r\n".join("\t".join(row) for row in [*TAB_ROWS, ["合计：4人"], ["制表人：王晓燕"]])
                       .encode("utf-16"))
    done = runner.invoke(app, ["--lang", lang, "pii", "scan", str(source), "--json", *AS])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["rows"] == 4 and report["kind"] == "table"
    names = sorted(f["row"] for f in report["findings"] if f["column"] == "姓名")
    assert names[:2] == [0, 1]  # 王秀英, 张　伟 (the Latin names are left to the name column's rule in deid)
    assert {c["column"]: c["entity_type"] for c in report["columns"]}["姓名"] == "PERSON"
    assert {c["column"] for c in report["columns"] if c["has_pii"]} >= {"姓名", "证件号码", "手机号码"}
    plain = tmp_path / "来电记录.txt"  # free text stays line by line
    plain.write_text("王秀英来电反映，电话13957112846。\n李建国\t说明情况。\n", encoding="utf-8")
    text = json.loads(runner.invoke(app, ["pii", "scan", str(plain), "--json", *AS]).stdout)
    assert text["kind"] == "text" and text["rows"] == 2


def test_why_a_release_is_not_anonymised_is_said_in_the_users_language(people_home: Path, tmp_path: Path) -> None:
    """The zh page showed '标为去标识化而非匿名化的原因：pseudonymised/masked identifiers remain: …; k=7 < 10'."""
    from privacy.release import create_release
    from sandbox.i18n import set_language
    from tests.privacy.release_helpers import STEWARD

    source = _quasi_csv(tmp_path / "低保.csv")
    set_language("zh")
    made = create_release(actor=STEWARD, source=source, dataset="why-zh", policy="anonymise")
    assert made["label"] == "去标识化"
    assert any("低于要求的 10" in r for r in made["anonymisation_reasons_shown"]), made["anonymisation_reasons_shown"]
    assert not any(c.isascii() and c.isalpha() and c not in "k" for r in made["anonymisation_reasons_shown"] for c in r)
    test = made["manifest"]["anonymisation_test"]
    assert any("k=" in r and "<" in r for r in test["reasons"]) and any("低于" in r for r in test["reasons_zh"])
    set_language("en")
    made = create_release(actor=STEWARD, source=source, dataset="why-en", policy="anonymise")
    assert any(r.startswith("k=") and "< 10" in r for r in made["anonymisation_reasons_shown"])


def test_a_number_next_to_a_district_is_no_split_address(home: Path) -> None:
    """锦城街道 | 65 (a 街道镇 column before 年龄 or 金额) read as 锦城街道65: the re-scan of the output then refused
    every such export (年龄: ADDRESS) — seen on the 1M-row bench table."""
    from privacy._split_address import split_address_columns
    from privacy.deid import deidentify_frame, load_policy

    frame = pd.DataFrame({"姓名": ["张伟", "王芳", "李娜", "刘洋"] * 25,
                          "街道镇": ["锦城街道", "太湖源镇", "青山湖街道", "锦北街道"] * 25,
                          "年龄": [str(60 + i % 30) for i in range(100)], "金额": ["1260"] * 100})
    assert split_address_columns(frame) == {}
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    assert result.pii_after == {} and result.frame.loc[0, "年龄"] == "60-69"  # the age band beside 锦城街道 too
    door = pd.DataFrame({"乡镇街道": ["五常街道"] * 20, "村社区": ["荆山湾村"] * 20, "门牌号": ["4组17号"] * 20,
                         "年龄": ["65"] * 20})
    assert set(split_address_columns(door)) == {"门牌号", "村社区"}  # a real door number still ends an address
