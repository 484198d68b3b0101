"""Bank accounts with no card check: passbook (存折) and credit-cooperative accounts after their label, and a
column of them under an account header.

A subsidy list pays into 存折 accounts (19–21 digits, no Luhn digit, no card IIN): the scanner reported none of
them, in a ticket's text or in a 存折账号 column, and ``sandbox deid`` wrote them back with "re-scan: clean".
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.scanning import scan_text
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


def _cards(text: str) -> list[str]:
    return [text[f.start : f.end] for f in scan_text(text) if f.entity_type == "BANK_CARD"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("补贴打到我的存折上，存折账号 1010 0001 2345 6789 012，是信用社的。", "1010 0001 2345 6789 012"),
        ("经核验，该户的养老金发放账户为 6217 0012 3456 7890 123。", "6217 0012 3456 7890 123"),
        ("收款账号：3301-0400-0123-4567-8", "3301-0400-0123-4567-8"),
        ("存折号是２０１９０３１５０００８８２１７６", "２０１９０３１５０００８８２１７６"),
    ],
)
def test_an_account_after_its_label_is_found_as_written(text: str, value: str) -> None:
    assert _cards(text) == [value]


@pytest.mark.parametrize(
    "text",
    [
        "卡号：6217 0019 1000 5566 少了一位",  # 卡号 + a card failing Luhn: free text reports no mistyped card
        "工单号 2023 0615 0001 2345 已转办",  # not an account label
        "账号 1234 已停用",  # too short for an account
        "账户余额 1000000000000 元",  # the label is not right before the number
        "账号：0000 0000 0000 0000",  # one digit repeated: a placeholder
    ],
)
def test_other_numbers_are_not_accounts(text: str) -> None:
    assert _cards(text) == []


def test_a_valid_phone_after_the_label_stays_a_phone() -> None:
    found = {(f.entity_type, f.text) for f in scan_text("账号为 13805719988（手机号注册）")}
    assert found == {("PHONE_NUMBER", "13805719988")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_passbook_column_comes_out_masked(people_home: Path, tmp_path: Path, lang: str) -> None:
    accounts = ["10100001234567890123", "1010 0002 7654 3210 987", "20190315000882176", "101000055566677788"]
    source = tmp_path / "补贴发放.csv"
    pd.DataFrame(
        {"序号": ["1", "2", "3", "4"], "存折账号": accounts, "金额": ["785", "785", "1570", "785"]}
    ).to_csv(source, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = (out / "补贴发放.deid.csv").read_text(encoding="utf-8-sig")
    assert [a for a in accounts if a in written] == [], written
    report = json.loads((out / "补贴发放.deid.json").read_text(encoding="utf-8"))
    assert report["pii_before"] == {"BANK_CARD": 4} and report["pii_after"] == {}
    column = next(c for c in report["columns"] if c["column"] == "存折账号")
    assert column["kind"] == "identifier" and column["entity_type"] == "BANK_CARD"
