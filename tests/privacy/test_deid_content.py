"""De-identification by content (issue 14): any header, every span, fail closed, re-scan.

Files come from ``tests/privacy/deid_cases.py``: the issue's five 12345 tickets
(GBK, free text in 来电内容) and a table whose headers no policy names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.deid import deidentify_file, deidentify_frame, keyed_pseudonym, load_policy, pseudonym_key
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD
from sandbox.errors import RuleViolation
from sandbox.tabular import read_table
from tests.privacy.deid_cases import TICKET_SECRETS, write_tickets, write_unknown_headers
from tests.privacy.release_helpers import STEWARD

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]
PSEUDONYM = re.compile(r"^P[0-9a-f]{16}$")


def _leaks(text: str, secrets: list[str] | tuple[str, ...]) -> list[str]:
    return [s for s in secrets if s in text]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_five_tickets_come_out_clean(people_home: Path, tmp_path: Path, lang: str) -> None:
    source = write_tickets(tmp_path / "tickets.csv")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    if lang == "zh":
        assert "已去标识化 5 行" in done.stderr and "复扫处理结果：未发现个人信息" in done.stderr
        assert "列 来电内容（自由文本列）" in done.stderr and "不是匿名化数据" in done.stderr
    else:
        assert "De-identified 5 rows" in done.stderr and "re-scan of the result: no personal information" in done.stderr
        assert "column 来电内容 (free-text column)" in done.stderr and "not anonymised" in done.stderr
    written = (out / "tickets.deid.csv").read_text(encoding="utf-8-sig")
    assert _leaks(written, TICKET_SECRETS) == [], written
    assert "浙江省杭州市西湖区北山街道" in written  # the address generalised to its 街道, not removed
    assert "市人社局" in written and "补贴标准太低" in written  # what is not personal stays
    report = json.loads((out / "tickets.deid.json").read_text(encoding="utf-8"))
    assert report["label"] == "去标识化" and report["label_en"] == "de-identified"
    assert report["pii_after"] == {} and report["rescan"] == {"rows_scanned": 5, "clean": True}
    before = report["pii_before"]
    assert before.get("PERSON", 0) >= 5, f"names found before: {before}"
    assert before["PHONE_NUMBER"] == 2 and before["CN_RESIDENT_ID"] == 1
    assert before["BANK_CARD"] == 1 and before["ADDRESS"] == 1
    text = next(c for c in report["columns"] if c["column"] == "来电内容")
    assert text["kind"] == "free_text" and text["rule"] == "spans" and text["after"] == {}
    assert "PERSON→pseudonym" in text["operator"]
    scan = runner.invoke(app, ["--lang", lang, "pii", "scan", str(out / "tickets.deid.csv"), "--fail-on-pii",
                               *AS, "--json"])
    assert scan.exit_code == 0, scan.output
    assert json.loads(scan.stdout)["findings"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unknown_headers_are_deidentified_completely(people_home: Path, tmp_path: Path, lang: str) -> None:
    source, secrets = write_unknown_headers(tmp_path / "clients.csv")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS, "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    frame, _ = read_table(out / "clients.deid.csv")
    assert _leaks(frame.to_csv(), secrets) == []
    original, _ = read_table(source)
    key = pseudonym_key()
    assert frame["客户"].tolist() == [keyed_pseudonym(v, key=key) for v in original["客户"]]  # keyed, deterministic
    assert frame["证件"].str.fullmatch(r"\d{6}\*{8}[\dX]{4}").all()
    assert frame["手机"].str.fullmatch(r"1\d{2}\*{4}\d{4}").all()
    notes = frame["备注"].tolist()
    assert re.fullmatch(r"客户要求回电至1\d{2}\*{4}\d{4}，已登记", notes[0]) and notes[1] == "已回访"
    assert frame["满意度"].tolist() == original["满意度"].tolist()
    rules = {c["column"]: (c["kind"], c["entity_type"], c["rule"]) for c in report["columns"]}
    assert rules["客户"] == ("identifier", "PERSON", "entity")
    assert rules["证件"] == ("identifier", "CN_RESIDENT_ID", "entity")
    assert rules["手机"] == ("identifier", "PHONE_NUMBER", "entity")
    assert rules["备注"][2] == "spans" and rules["满意度"][2] == "none"
    assert report["pii_before"]["PERSON"] == 60 and report["pii_after"] == {}
    assert report["identifying_columns"] == ["客户", "证件", "手机"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_policy_without_a_rule_for_a_found_type_is_refused(people_home: Path, tmp_path: Path, lang: str) -> None:
    (tmp_path / "in").mkdir()
    source, _ = write_unknown_headers(tmp_path / "in" / "clients.csv")
    policy = tmp_path / "in" / "partial.yaml"
    policy.write_text("name: partial\nversion: '1'\nentities:\n  PERSON: {op: pseudonym}\n"
                      "  CN_RESIDENT_ID: {op: mask, keep_start: 6, keep_end: 4}\n", encoding="utf-8")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--policy", str(policy), "--out", str(out), *AS])
    assert done.exit_code == 1
    message = done.stderr.strip()
    if lang == "zh":
        assert message == ("去标识化已停止，未写出任何文件：列 手机, 备注 含个人信息（PHONE_NUMBER×77），但策略 "
                           "partial@1 没有适用于 PHONE_NUMBER 的规则。请在策略的 entities 中为这些类型指定操作（如 "
                           "pseudonym、mask、label、generalize_address），或在 columns 中把该列设为 drop，然后重试。")
    else:
        assert message == ("De-identification stopped, nothing was written: column 手机, 备注 holds personal "
                           "information (PHONE_NUMBER×77) but policy partial@1 has no rule for PHONE_NUMBER. Give "
                           "these types an operator under entities (e.g. pseudonym, mask, label, "
                           "generalize_address), or set the column to drop under columns, and retry.")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "in"]  # not even a partial folder


def test_keep_over_personal_information_is_refused(people_home: Path, tmp_path: Path) -> None:
    source, _ = write_unknown_headers(tmp_path / "clients.csv")
    frame, _ = read_table(source)
    keep_column = load_policy({"name": "k", "version": "1", "entities": {"default": "label"},
                               "columns": {"客户": "keep"}})
    with pytest.raises(RuleViolation) as err:
        deidentify_frame(frame, keep_column)
    assert err.value.key == "privacy.err.keep_pii" and err.value.params["column"] == "客户"
    assert "PERSON×60" in err.value.render("zh") and "keep" in err.value.render("en")
    keep_type = load_policy({"name": "k", "version": "1", "entities": {"default": "label", "PHONE_NUMBER": "keep"}})
    with pytest.raises(RuleViolation) as err:
        deidentify_file(actor=STEWARD, source=source, policy=keep_type, out=tmp_path / "out")
    assert err.value.key == "privacy.err.keep_pii" and err.value.params["column"] == "手机, 备注"
    assert not (tmp_path / "out").exists()


def test_personal_information_left_after_deidentification_refuses_and_writes_nothing(
        people_home: Path, tmp_path: Path) -> None:
    source, _ = write_unknown_headers(tmp_path / "clients.csv")
    sloppy = {"name": "sloppy", "version": "1", "entities": {"default": "label"},
              "columns": {"序号": {"op": "pseudonym", "prefix": "电话13812345678-"}}}
    with pytest.raises(RuleViolation) as err:
        deidentify_file(actor=STEWARD, source=source, policy=sloppy, out=tmp_path / "out")
    assert err.value.key == "privacy.err.pii_remains"
    assert err.value.params["columns"] == "序号: PHONE_NUMBER×60"
    assert "未写出任何文件" in err.value.render("zh") and "nothing was written" in err.value.render("en")
    assert not (tmp_path / "out").exists()


def test_rare_identifiers_inside_other_columns_are_found_and_replaced(home: Path) -> None:
    frame = pd.DataFrame({
        "备注": ["无"] * 500 + ["请回电13812345678"] + ["正常"] * 499,  # one phone in 1,000 cells: beyond any sample
        "客户": ["张伟", "王芳", "李娜", "刘洋"] * 249 + ["王芳（电话13912345678）", "陈静", "杨磊", "赵敏"],
    })
    result = deidentify_frame(frame, load_policy("default"))
    out = result.frame
    assert out.loc[500, "备注"] == "请回电138****5678" and out.loc[0, "备注"] == "无"
    assert out["客户"].map(lambda v: bool(PSEUDONYM.match(v))).all()  # the odd cell too: a pseudonym keeps nothing
    assert "13912345678" not in out.loc[996, "客户"]
    columns = {c["column"]: c for c in result.columns}
    assert columns["备注"]["before"] == {"PHONE_NUMBER": 1} and columns["备注"]["after"] == {}
    assert columns["客户"]["rule"] == "entity" and columns["客户"]["operator"].startswith("pseudonym")
    assert result.text_entities == {"PHONE_NUMBER": 1}


def test_a_name_column_is_replaced_whole_even_where_the_model_misses_a_name(home: Path) -> None:
    names = ["王 淑 英", "Zhang Wei", "阿卜杜拉·买买提", "张伟", "欧阳明辉", "陈静", "李娜", "赵敏"]
    frame = pd.DataFrame({"A": names * 5, "备注": ["户主王淑英户"] + ["无"] * 39})  # "A": no header hint
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    columns = {c["column"]: c for c in result.columns}
    assert columns["A"]["kind"] == "identifier" and columns["A"]["entity_type"] == "PERSON"
    out = result.frame["A"]
    assert out.map(lambda v: bool(PSEUDONYM.match(v))).all(), out.tolist()  # Zhang Wei and 王 淑 英 included
    key = pseudonym_key()
    same = keyed_pseudonym("王淑英", key=key)  # spaces inside a Chinese name do not make a new person
    assert out[0] == same and result.frame.loc[0, "备注"] == f"户主{same}户"
    assert result.pii_after == {}


def test_a_messy_export_comes_out_clean_and_its_pseudonyms_are_not_names(home: Path) -> None:
    frame = pd.DataFrame({
        "客户": ["王 淑 英", "Zhang Wei", "阿卜杜拉·买买提"],
        "手机": ["+86 138-0013-8000", "0571-8888 6666转123", "１３８００１３８０００"],
        "备注": ["户主王淑英户，家住黄山路12号3幢2单元401", "联系人：欧阳明辉 13912345678", "@林涛 好的收到"],
    })
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    assert result.pii_after == {}, result.frame.to_dict()
    text = result.frame.to_csv()
    for secret in ("淑", "Zhang", "阿卜杜拉", "欧阳", "林涛", "13912345678", "黄山路12号"):
        assert secret not in text, (secret, text)
    assert result.frame.loc[2, "备注"].startswith("@P")  # a pseudonym after @ is a code, not a Latin name


def test_short_values_that_are_mostly_not_names_stay_a_text_column(home: Path) -> None:
    frame = pd.DataFrame({"状态": ["已办结", "处理中", "已受理", "待回访", "张伟"] * 8})
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    columns = {c["column"]: c for c in result.columns}
    assert columns["状态"]["kind"] != "identifier"
    assert result.frame["状态"].tolist()[:4] == ["已办结", "处理中", "已受理", "待回访"]


def test_result_is_labelled_deidentified_even_under_the_anonymise_policy(people_home: Path, tmp_path: Path) -> None:
    source, secrets = write_unknown_headers(tmp_path / "clients.csv")
    report = deidentify_file(actor=STEWARD, source=source, policy="anonymise", out=tmp_path / "out")
    assert report["label"] == "去标识化"  # only a release passing the policy's risk test may say 匿名化
    written = Path(report["output"]).read_text(encoding="utf-8-sig")
    assert _leaks(written, secrets) == [] and "<PERSON>" in written


def test_header_confirms_content_so_unparsed_addresses_are_generalised_too(home: Path) -> None:
    parsed = [f"浙江省杭州市西湖区北山街道宝石山路{i}号" for i in range(10)]
    odd = [f"浙江省杭州市临安区街道{i:02d}锦城路{i}号" for i in range(40)]  # the recognizer misses these
    frame = pd.DataFrame({"家庭住址": parsed + odd, "说明": ["北山街道宝石山路" + str(i) for i in range(50)]})
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    columns = {c["column"]: c for c in result.columns}
    assert columns["家庭住址"]["kind"] == "identifier" and columns["家庭住址"]["entity_type"] == "ADDRESS"
    assert columns["家庭住址"]["before"]["ADDRESS"] >= 5  # content evidence, confirmed by the header
    out = result.frame["家庭住址"]
    assert not out.str.contains("路").any() and out.str.startswith("浙江省杭州市").all()
    assert result.frame["说明"].tolist() == frame["说明"].tolist()  # no header hint, no findings: untouched


def test_generalised_address_in_text_does_not_run_into_the_next_words(home: Path) -> None:
    text = "市民反映：杭州市临安区高虹镇虹桥街146号12幢1单元1002室老旧小区加装电梯进度停滞"
    frame = pd.DataFrame({"工单内容": [text, "杭州市临安区锦南街道长桥路227号"]})
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    assert result.frame["工单内容"].tolist() == ["市民反映：〔杭州市临安区高虹镇〕老旧小区加装电梯进度停滞",
                                              "杭州市临安区锦南街道"]  # a whole-cell address needs no brackets
    assert result.pii_after == {} and result.pii_before == {"ADDRESS": 2}


def _mistyped_ids() -> list[str]:
    from privacy.checksums import id_card_check_char

    bodies = ["33010219530312882", "33010219670822361", "33010219881105242", "65010219900215222"]
    # a wrong check character each (a clerk's typo, or numbers made up for a form): region and birth date are real
    wrong = [b + ("0" if id_card_check_char(b) != "0" else "1") for b in bodies]
    return [*wrong[:3], f"{wrong[3][:6]} {wrong[3][6:14]} {wrong[3][14:]}"]


def test_an_id_column_whose_check_digits_are_wrong_is_still_masked(home: Path) -> None:
    ids = _mistyped_ids()
    frame = pd.DataFrame({"号码": ids * 3, "户主": ["蒋秀兰", "欧阳建华", "吴敏", "阿依古丽·买买提"] * 3})
    result = deidentify_frame(frame, load_policy("default"), suppress=False)
    columns = {c["column"]: c for c in result.columns}
    assert columns["号码"]["kind"] == "identifier" and columns["号码"]["entity_type"] == "CN_RESIDENT_ID"
    assert columns["号码"]["before"] == {"CN_RESIDENT_ID": 12}
    text = result.frame.to_csv()
    for value in ids:
        assert value not in text and value.replace(" ", "")[6:14] not in text  # the birth date is gone too
    assert result.frame.loc[0, "号码"] == ids[0][:6] + "*" * 8 + ids[0][-4:]


def test_mistyped_ids_are_explained_and_order_numbers_are_not_ids(home: Path) -> None:
    from privacy.scanning import scan_table
    from sandbox.i18n import set_language

    set_language("zh")
    orders = [f"20261130{n:010d}" for n in range(1, 13)]  # 18 digits; no region code, no birth date
    frame = pd.DataFrame({"身份证号码": _mistyped_ids() * 3, "订单号": orders})
    scan = scan_table(frame)
    found = {f.column for f in scan.findings}
    assert found == {"身份证号码"}, found
    why = next(f.explanation for f in scan.findings if f.column == "身份证号码")
    assert "校验位不符" in why and "浙江省" in why


def test_a_lone_mistyped_id_written_in_groups_of_four_is_masked(home: Path) -> None:
    """`3301 0619 6208 1512 3X` (4-4-4-4-2, wrong check) as the only filled cell of a 证件 column passed through."""
    wrong = _mistyped_ids()[0]
    grouped = " ".join(wrong[i:i + 4] for i in range(0, 18, 4))
    dashed = "-".join([wrong[:3], wrong[3:6], wrong[6:10], wrong[10:14], wrong[14:]])
    for written in (grouped, dashed):
        frame = pd.DataFrame({"证件": ["", written, ""], "备注": ["已办", "待办", "已办"]})
        result = deidentify_frame(frame, load_policy("default"), suppress=False)
        assert result.pii_before == {"CN_RESIDENT_ID": 1}, (written, result.pii_before)
        assert result.pii_after == {}
        assert wrong[6:14] not in result.frame.to_csv().replace(" ", "").replace("-", "")
