"""微信号 and QQ号: found after their labels in text, and under their headers in a table; de-identified.

A volunteer sign-up sheet or a 12345 ticket gives a WeChat or QQ account as often
as a phone number; before these recognizers ``sandbox deid`` wrote them back
untouched and the re-scan said "clean".
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


def _found(text: str, entity: str) -> list[str]:
    return [text[f.start : f.end] for f in scan_text(text) if f.entity_type == entity]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我的微信号是 zhangwei_1988，有事加一下。", "zhangwei_1988"),
        ("加我微信 lily-0312，备注楼栋号", "lily-0312"),
        ("vx：wangxy88 白天不方便接电话", "wangxy88"),
        ("联系方式：V信 chenjl1975", "chenjl1975"),
        ("微信号：qiuyue　昵称：秋月", "qiuyue"),  # no digit, but 微信号 + colon says account
        ("他的微 信 号 是 hxm-6606", "hxm-6606"),
        ("被拉黑的账号 wxid_k2j3h4g5f6 还在群里", "wxid_k2j3h4g5f6"),
    ],
)
def test_wechat_ids_after_their_label(text: str, value: str) -> None:
    assert _found(text, "WECHAT_ID") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "微信支付已到账，请查收。",
        "微信 Payment 功能暂时不能用",  # a word after 微信, no 号/colon, no digit
        "请关注微信公众号 获取通知",
        "wxid 是什么意思？",
        "微信同手机号",
    ],
)
def test_words_after_wechat_are_not_accounts(text: str) -> None:
    assert _found(text, "WECHAT_ID") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("QQ 394857261 是我老伴的，找她也行。", "394857261"),
        ("扣扣：12345678", "12345678"),
        ("QQ号码是2876543，晚上在线", "2876543"),
        ("qq号 １２３４５６７８９", "１２３４５６７８９"),
    ],
)
def test_qq_numbers_after_their_label(text: str, value: str) -> None:
    assert _found(text, "QQ_NUMBER") == [value]


@pytest.mark.parametrize(
    "text",
    [
        "业主QQ群 123456789 欢迎加入",
        "本次共收到 394857261 元",  # a number without the label
        "QQ邮箱 394857261@qq.com",  # the e-mail recognizer's
    ],
)
def test_qq_groups_and_bare_numbers_are_not_accounts(text: str) -> None:
    assert _found(text, "QQ_NUMBER") == []


def test_qq_mail_stays_an_email() -> None:
    assert _found("QQ邮箱 394857261@qq.com", "EMAIL_ADDRESS") == ["394857261@qq.com"]


def _sheet(path: Path) -> Path:
    pd.DataFrame(
        {
            "序号": ["1", "2", "3", "4"],
            "志愿者": ["邵婉清", "覃海波", "雷思远", "龙晓静"],
            "微信号": ["shaowq_2001", "qinhaibo88", "wxid_a8b7c6d5e4", "lxj-nanning"],
            "QQ": ["394857261", "28765431", "1098765432", "55667788"],
            "备注": ["周末可服务", "加我vx：leisiyuan-03", "无", "QQ 76543219 晚上在线"],
        }
    ).to_csv(path, index=False, encoding="utf-8-sig")
    return path


SECRETS = [
    "shaowq_2001",
    "qinhaibo88",
    "wxid_a8b7c6d5e4",
    "lxj-nanning",
    "394857261",
    "28765431",
    "1098765432",
    "55667788",
    "leisiyuan-03",
    "76543219",
    "邵婉清",
    "覃海波",
    "雷思远",
    "龙晓静",
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sign_up_sheet_with_wechat_and_qq_comes_out_clean(
    people_home: Path, tmp_path: Path, lang: str
) -> None:
    source = _sheet(tmp_path / "志愿者报名表.csv")
    out = tmp_path / "out"
    done = runner.invoke(app, ["--lang", lang, "deid", str(source), "--out", str(out), *AS])
    assert done.exit_code == 0, done.output
    written = (out / "志愿者报名表.deid.csv").read_text(encoding="utf-8-sig")
    assert [s for s in SECRETS if s in written] == [], written
    assert "周末可服务" in written and "晚上在线" in written  # what is not personal stays
    report = json.loads((out / "志愿者报名表.deid.json").read_text(encoding="utf-8"))
    before = report["pii_before"]
    assert before.get("WECHAT_ID") == 5 and before.get("QQ_NUMBER") == 5, before
    assert report["pii_after"] == {}
    rules = {c["column"]: c for c in report["columns"]}
    assert rules["微信号"]["kind"] == "identifier" and rules["QQ"]["kind"] == "identifier", rules
    scan = runner.invoke(
        app, ["--lang", lang, "pii", "scan", str(out / "志愿者报名表.deid.csv"), "--fail-on-pii", *AS]
    )
    assert scan.exit_code == 0, scan.output
