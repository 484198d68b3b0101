"""A caller who names themself by the child (我是X的妈妈, 是X的家长): the child is named.

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_edges import titled_full_names
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我姓刘，是建平的妈妈", ["建平"]),
        ("您好，我是振华的妈妈，孩子发烧请假一天", ["振华"]),
    ],
)
def test_the_child_of_a_caller_is_named(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text", ["我是外地的家长", "我是新来的家长", "我是二班的家长", "我是孩子的妈妈", "我是他的爸爸"]
)
def test_what_a_parent_says_of_themself_is_no_name(text: str) -> None:
    assert _names(text) == []


def test_a_name_run_into_whose_parent_is_cut() -> None:
    text = "您好，我是春生的奶奶"
    hit = Hit("PERSON", 5, 10, 0.8, Verdict("pii.why.person_model", {}, 0.8), "")
    [cut] = titled_full_names(text, [hit])
    assert text[cut.start : cut.end] == "春生"
