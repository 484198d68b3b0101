"""A full name as the owner of a person's records (X的电话, X的户籍, X的银行卡), even with an ordinary word as
the given name.

Every sentence here is invented for this test (not from the evaluation corpus). The lexical model finds most such
names itself; the rule (``owner_names``) catches the ones its context hides (on the dev split two, e.g. a surname
that is also a common character). Its own cases are tested directly; the scan must find them and nothing in the
negative cases.
"""

from __future__ import annotations

import pytest

from privacy.recognizers._person_owned import owner_names
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有没有人存了冉光明的电话？他家空调外机滴水", ["冉光明"]),
        ("经查，系统内芮春英的户籍仍在原村", ["芮春英"]),
        ("请核对一下宓安康的银行卡是否已销户", ["宓安康"]),
    ],
)
def test_the_owner_of_a_record_is_a_name(text: str, expected: list[str]) -> None:
    assert [text[h.start : h.end] for h in owner_names(text)] == expected
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "请提供单位的电话和地址",
        "全市的户籍人口略有增加",
        "原审核的低保名单有误",  # a verb after a surname-like character
        "你看一下那一栏的身份证号",
        "区民政局的账户已变更",
        "石家庄的地址写错了",
    ],
)
def test_no_owner_name_without_one(text: str) -> None:
    assert owner_names(text) == []
    assert _names(text) == []
