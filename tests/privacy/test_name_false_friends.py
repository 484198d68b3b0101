"""Words that read as names in a person's context but are not (马上改, 钱财, 小楼, 信箱, 代母亲, 姓明).

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("好的张姐，马上改", ["张姐"]),  # a reply starting with an adverb is no list item
        ("诈骗团伙专门骗取独居老人钱财", []),  # what a population owns, said mid-clause
        ("网格员要登记独居老人信息", []),
        ("村口有栋三层小楼，是去年新盖的", []),  # a numeral and a measure word: 小 is "small"
        ("市民在市长信箱留言反映路灯不亮", []),  # an office heading a compound noun
        ("由其子代母亲领取补贴", []),  # 代 + a word for people
        ("姓明：赵春燕  性别：女", ["赵春燕"]),  # a mistyped 姓名 label
    ],
)
def test_words_in_a_persons_context_are_no_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小区居民金山反映楼道灯坏了", ["金山"]),  # a population word, then a name that acts
        ("村民石头反映水渠堵了", ["石头"]),
        ("7栋小刘，你家快递到了", ["小刘"]),  # a building number, not a count of things
        ("局长王国栋主持会议", ["王国栋"]),
    ],
)
def test_names_in_the_same_frames_stay(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
