"""A name before 家 "home" said of a household (冯卫国|家天花板, 吕建东|家装修, 冯振东|家漏水).

The model reads 国家 "the state" or 东家 "the boss" and cuts a name ending in 国/东 before it, or runs a
name into 家. Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("楼下冯卫国家天花板都湿了", ["冯卫国"]),
        ("隔壁吕建东家装修噪音很大", ["吕建东"]),
        ("昨天去邱振国家做客", ["邱振国"]),
        ("对门侯爱国家孩子考上大学了", ["侯爱国"]),
        ("楼上钱卫国家漏水了，物业也不管", ["钱卫国"]),
        ("楼上冯振东家漏水了", ["冯振东"]),  # 家 is not part of the name
    ],
)
def test_a_name_before_a_household_keeps_its_last_character(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("按国家装修标准验收", []),
        ("王刚全家都搬走了", ["王刚"]),  # 全家 "the whole family": the word is meant
        ("农家院子很大，适合周末去玩", []),
        ("大家孩子都上学了吗", []),
        ("他回老家房子漏雨", []),
    ],
)
def test_household_words_are_no_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
