"""A table's column headed 姓名/申请人/联系人 is read even when the model found no name anywhere in the text.

Before, the table logic only ran for a text holding at least one person hit; a table whose names the model read
as organisations (a tab is unknown to it: ``巫春花⇥`` became ORG) or as ordinary words (高兴, 安静) gave nothing.
Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts
from tests.privacy.person_names import person_names

_BANK_TABLE = "申请人\t身份证号\t开户银行\n巫春花\t330104195801011234\t农商银行"
_WORD_NAMES = "序号\t姓名\t联系电话\t签名\n1\t高兴\t139 0571 2233\t高兴\n2\t安静\t（空）\t未签"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_BANK_TABLE, ["巫春花"]),
        (_WORD_NAMES, ["高兴", "高兴", "安静"]),
        ("联系人｜单位｜电话\n柏晓青｜农商银行｜0571-8810 2233", ["柏晓青"]),
    ],
)
def test_a_name_column_without_any_name_found(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


def test_the_same_in_a_batch_of_texts_with_and_without_names() -> None:
    texts = ["路灯不亮已派单", _BANK_TABLE, "来电人王建军反映噪音", _WORD_NAMES]
    found = [(f.row, f.text) for f in scan_texts(texts) if f.entity_type == "PERSON"]
    assert found == [(1, "巫春花"), (2, "王建军"), (3, "高兴"), (3, "高兴"), (3, "安静")]


def test_a_headed_column_of_no_names_stays_empty() -> None:
    assert person_names("来电人\t诉求\n（空）\t路灯不亮\n（空）\t噪音扰民") == []
