"""A name that is also a word, after a verb whose object is a person (回访高山，…; 聘任文明为…).

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from tests.privacy.person_names import person_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("回访高山，高山表示满意。", ["高山", "高山"]),
        ("回访江海，对处理结果满意。", ["江海"]),
        ("经研究，聘任文明为社区法律顾问。", ["文明"]),
        ("回访钱江，钱江表示满意。", ["钱江", "钱江"]),
    ],
)
def test_a_word_name_after_a_verb_for_people(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "回访时来电人不在家。",
        "回访结果：满意。",
        "回访工作由街道负责。",
        "聘用合同已签订。",
        "聘任制度改革方案已印发。",
        "授予荣誉称号的人员名单见附件。",
    ],
)
def test_what_else_follows_those_verbs_is_no_name(text: str) -> None:
    assert person_names(text) == []
