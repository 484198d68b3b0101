"""A given name with a kin title names one person (翠姐, 长顺叔); kin words and titles alone do not.

Every sentence here is invented for this test (not from the evaluation corpus). Before, 私聊X姐 mid-clause and
X叔 after a job title were missed or cut (顺叔).
"""

from __future__ import annotations

import pytest

from privacy._detect import Detector
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("报销单据有问题可以私聊蕙姐", ["蕙姐"]),
        ("孩子们都喊她“琴姐”", ["琴姐"]),
        ("门卫福生叔说地下车位满了", ["福生叔"]),
        ("村里水管员长贵叔说明天停水", ["长贵叔"]),
        ("隔壁玉珍嫂送来一篮鸡蛋", ["玉珍嫂"]),
    ],
)
def test_a_given_name_with_a_kin_title_is_a_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "他表哥在外地打工",
        "空姐服务很周到",
        "护士姐姐很耐心",
        "我二姐在深圳",
        "快递小哥放在门口了",
        "邻居叔叔帮了大忙",
        "谢谢美女姐姐",
        "村里婶子们都来帮忙了",
        "2025年“最美村嫂”评选结果公示",
    ],
)
def test_kin_words_and_titles_alone_are_no_names(text: str) -> None:
    assert _names(text) == []


def test_nicknames_follow_the_partial_names_policy() -> None:
    assert Detector(partial_names="none").hits("报销单据有问题可以私聊蕙姐") == []
