"""A list item written as a name and the person's address in brackets (白跃进（毕节市…）).

The item is a name even when it reads as a word (白 "in vain" + 跃进, 向前进). Every sentence here is invented
for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("危房改造补助对象：白跃进（毕节市七星关区撒拉溪镇冲锋村四组）补助2.1万元。", ["白跃进"]),
        (
            "低保对象：向前进（遵义市播州区鸭溪镇），月补助650元；于长江（仁怀市茅台镇），月补助600元。",
            ["向前进", "于长江"],
        ),
        (
            "危房改造对象：1. 石建国（大方县羊场镇）；2. 白跃进（大方县八堡乡）；3. 向东方（大方县猫场镇）",
            ["石建国", "白跃进", "向东方"],
        ),
    ],
)
def test_a_list_item_before_a_bracketed_address_is_a_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "项目名称：安居（毕节市七星关区）",
        "学校：育才（大方县羊场镇）",
        "施工单位：华建（毕节市七星关区）",
        "中标单位：宏达建设（毕节市七星关区）",
        "获奖单位：贵阳一中（云岩区）、实验三小（南明区）",
    ],
)
def test_an_organisation_or_a_word_before_an_address_is_no_name(text: str) -> None:
    assert _names(text) == []
