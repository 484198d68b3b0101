"""Identifiers typed with a Chinese input method, and phone numbers that are accounts.

A Chinese input method in full-width mode types ``ｚｈａｎｇｗｅｉ＠１６３．ｃｏｍ`` or ``护照Ｅ１２３４５６７８``, and its
full stop turns ``163.com`` into ``163。com``, and it offers × for the X of an ID. Before, every ASCII-shaped identifier (e-mail, passport, 通行证, plate,
IP, 微信号, 统一社会信用代码) written that way was no personal information to the scanner, and ``sandbox deid`` wrote
it back with "re-scan: clean". Also a valid mobile number right after 账号/卡号/快递 was dropped as "an account, not
a phone" — ``支付宝账号 13905718822`` is both, and either way personal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from privacy.scanning import scan_table, scan_text
from sandbox.cli import app
from sandbox.demo import DEMO_PASSWORD

runner = CliRunner()
AS = ["--as", "steward", "--password", DEMO_PASSWORD]


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.entity_type, text[f.start : f.end]) for f in scan_text(text)]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("邮箱 zhangwei＠163．com 请回复", "EMAIL_ADDRESS", "zhangwei＠163．com"),
        ("发邮件到 ｌｉ．ｎａ＠ｑｑ．ｃｏｍ。", "EMAIL_ADDRESS", "ｌｉ．ｎａ＠ｑｑ．ｃｏｍ"),
        ("我的邮箱是chenxm@126。com，谢谢", "EMAIL_ADDRESS", "chenxm@126。com"),
        ("护照号Ｅ１２３４５６７８，下月出境", "PASSPORT", "Ｅ１２３４５６７８"),
        ("往来港澳通行证Ｃ１２３４５６７８已过期", "CN_HMT_PERMIT", "Ｃ１２３４５６７８"),
        ("车牌浙Ａ１２３４５违停两天", "CN_LICENSE_PLATE", "浙Ａ１２３４５"),
        ("登录IP：１９２．１６８．１．２３", "IP_ADDRESS", "１９２．１６８．１．２３"),
        ("微信号：ｚｈａｎｇｗｅｉ＿１９８８", "WECHAT_ID", "ｚｈａｎｇｗｅｉ＿１９８８"),
        ("ＱＱ号 76543219 晚上在线", "QQ_NUMBER", "76543219"),
        (
            "统一社会信用代码：９１３３０１０６ＭＡ２Ｂ１２３４５Ｎ",
            "CN_USCC",
            "９１３３０１０６ＭＡ２Ｂ１２３４５Ｎ",
        ),
        ("身份证号33010219480715109×，户籍在西湖区", "CN_RESIDENT_ID", "33010219480715109×"),  # × typed for X
        ("支付宝账号 13905718822 已冻结", "PHONE_NUMBER", "13905718822"),
        ("会员卡号 13905718822，积分清零了", "PHONE_NUMBER", "13905718822"),
        ("快递小哥13905718822一直打不通", "PHONE_NUMBER", "13905718822"),
    ],
)
def test_identifiers_as_an_input_method_types_them(text: str, entity: str, value: str) -> None:
    assert (entity, value) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "订单号13905718822已发货",  # an order number that looks like a phone is still an order number
        "句号后面是。com 不是邮箱",
        "全角字母ＡＢＣ和数字１２３",
    ],
)
def test_what_stays_unreported(text: str) -> None:
    assert _found(text) == []


def test_a_column_of_full_width_addresses_is_one_column_of_emails() -> None:
    frame = pd.DataFrame({"邮箱": ["ｗａｎｇ＠１６３．ｃｏｍ", "li@qq。com", "zw@126.com"]})
    (summary,) = scan_table(frame).columns
    assert (summary.entity_type, summary.hit_cells) == ("EMAIL_ADDRESS", 3)


SECRETS = [
    "ｌｉｕｆａｎｇ＠１６３．ｃｏｍ",
    "ｌｉｕｆａｎｇ",
    "zhou_jm@qq。com",
    "Ｅ８８２１４３７６",
    "13905718822",
    "ｗｘ＿ｌｉｕ０１",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ticket_export_typed_full_width_comes_out_clean(
    people_home: Path, tmp_path: Path, lang: str
) -> None:
    source = tmp_path / "工单导出.csv"
    pd.DataFrame(
        {
            "工单号": ["GD001", "GD002"],
            "来电内容": [
                "市民反映补贴未到账，回复邮箱ｌｉｕｆａｎｇ＠１６３．ｃｏｍ，支付宝账号 13905718822。",
                "出境需开证明，护照号Ｅ８８２１４３７６，邮箱zhou_jm@qq。com，微信号：ｗｘ＿ｌｉｕ０１",
            ],
        }
    ).to_csv(source, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = (out / "工单导出.deid.csv").read_text(encoding="utf-8-sig")
    assert [s for s in SECRETS if s in written] == [], written
    assert "补贴未到账" in written  # what is not personal stays
    report = json.loads((out / "工单导出.deid.json").read_text(encoding="utf-8"))
    assert report["pii_after"] == {}
    assert {"EMAIL_ADDRESS", "PASSPORT", "PHONE_NUMBER", "WECHAT_ID"} <= set(report["pii_before"]), report
