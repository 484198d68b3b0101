"""A parent or grandparent called by the child's name (柚子妈妈, 桃子奶奶), and the child named again (你家桃子).

Corpus convention: a first or pet name + 妈妈/爸爸/奶奶 … is one name (the parent's teknonym). A child's pet name
may be any noun — a fruit, a food, a sound. Every sentence here is invented for this test (not from the
evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("柚子妈妈，明天家长会别忘了", ["柚子妈妈"]),
        ("芒果妈妈你好，芒果的校服尺码报一下", ["芒果妈妈", "芒果"]),
        ("桃子奶奶，你家桃子在楼下哭呢", ["桃子奶奶", "桃子"]),
        ("咚咚妈妈 你家咚咚的作业本拿错了", ["咚咚妈妈", "咚咚"]),
    ],
)
def test_a_parent_called_by_the_childs_pet_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "单亲妈妈，如何申请困难补助？",
        "孩子妈妈，你好，我是班主任",
        "今天妈妈不在家",
        "宝宝爸爸，记得带水杯",
        "学生家长，请于周五前缴费",
        "年轻妈妈，带娃不容易",
        "二胎妈妈你好，政策已经调整",
        "新手爸爸，冲奶粉要注意水温",
    ],
)
def test_a_word_for_the_parent_is_no_name(text: str) -> None:
    assert _names(text) == []
