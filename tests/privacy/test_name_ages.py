"""A name after an age (二十四岁的X, 68岁的X, 年过七旬的X): only a person has an age.

The model may read the name run into the next word as an organisation (X大学 before 毕业). Every sentence
here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二十六岁的卢子轩大学毕业后回乡种茶。", ["卢子轩"]),
        ("今年三十一岁的蒲思远大学毕业就进了工厂", ["蒲思远"]),
        ("年过七旬的柴桂芬每天坚持锻炼", ["柴桂芬"]),
    ],
)
def test_a_name_after_an_age(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "十八岁的花季少女",
        "三十岁的白领",
        "十二岁的初中生",
        "三岁的金毛犬被车撞了",
        "42岁的华为员工猝死引发讨论",
        "24岁的韩国留学生在地铁上丢了钱包",
        "九十岁的高龄还在劳动",
        "他三十岁的时候去了深圳",
        "45岁的付某因涉嫌诈骗被刑事拘留",
    ],
)
def test_what_follows_an_age_is_not_always_a_name(text: str) -> None:
    assert _names(text) == []
