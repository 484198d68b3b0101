"""A ·-joined name in a table cell is the whole cell, and a name never starts or ends with a blank.

Every sentence here is invented for this test (not from the evaluation corpus). Before, a Manchu or Mongolian
clan name before the dot was cut (爱新觉罗·恒瑞 → 罗·恒瑞, 博尔济吉特·萨仁 → 吉特·萨): only characters of names
written by sound were grown over.
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "春节慰问名单：\n序号\t姓名\t年龄\n1\t博尔济吉特·萨仁\t90\n2\t宝力德\t85",
            ["博尔济吉特·萨仁", "宝力德"],
        ),
        ("慰问对象\n1\t爱新觉罗·恒瑞\t90\n2\t乌兰图雅\t85", ["爱新觉罗·恒瑞", "乌兰图雅"]),
    ],
)
def test_a_joined_name_in_a_table_cell_is_the_whole_cell(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来电人买买提·吐尔逊反映摊位被占", ["买买提·吐尔逊"]),  # not a cell: the role word stays outside
        ("姓名：阿依古丽·买买提\t电话13957120846", ["阿依古丽·买买提"]),
    ],
)
def test_a_joined_name_outside_a_cell_keeps_its_own_extent(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
    assert all(name == name.strip() for name in _names(text))
