"""Brands and descriptions of people read as names.

A brand of ``data/not_names.txt`` found by the model and a surname rule together was reported unless a
role word came first (张小泉的剪刀); a word of praise and a word for people (优秀毕业生) was read as one name.
Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return sorted(f.text for f in scan_texts([text]) if f.entity_type == "PERSON")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张小泉的剪刀很好用，就是贵", []),
        ("药店里陈李济的药卖完了", []),
        ("王老吉凉茶喝多了上火", []),
        ("优秀毕业生代表在典礼上发言", []),
        ("宁波市优秀毕业生名单公示", []),
    ],
)
def test_brands_and_descriptions_are_no_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("店员李宁态度很好", ["李宁"]),  # a word for a person before a listed brand
        ("邻居张小泉的车挡了消防通道", ["张小泉"]),
        ("她老公周大福昨晚又没回家", ["周大福"]),
        ("李宁，男，1958年生，退休工人", ["李宁"]),  # a gender after a listed name: a person
        ("欧阳先生来电反映噪音问题", ["欧阳先生"]),  # a compound surname + title is no description
    ],
)
def test_people_called_like_brands_stay(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("辛苦柴钰了", ["柴钰"]),  # 辛苦 "thanks for the trouble" was a second name
        ("辛苦金俊熙了", ["金俊熙"]),
        ("来电人高兴反映楼道灯坏了", ["高兴"]),  # a word that is a name after a role word stays
    ],
)
def test_a_common_adjective_without_a_cue_is_no_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
