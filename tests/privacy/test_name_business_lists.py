"""Items of an enumeration that 等 closes with a word for businesses are businesses, not people.

(“吴裕泰”“张一元”等茶叶门店, 钟薛高（…店）、武昌鱼馆等门店.) Every sentence here is invented for this test (not from
the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    "text",
    [
        "味千拉面、周黑鸭等连锁店参加了食品安全培训。",
        "“李先生”“张亮”等餐饮品牌入驻新商场",
        "王大妈、马大姐等多家本地食品企业签了承诺书",
        "钟薛高（万达店）、武昌鱼馆（中山路店）等门店被责令整改",
    ],
)
def test_an_enumeration_of_businesses_holds_no_names(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("王建国、李红等企业代表参加了座谈会", ["王建国", "李红"]),  # representatives are people
        ("张伟、刘洋等企业家出席了论坛", ["张伟", "刘洋"]),
        ("李明、王芳等商户反映租金太高", ["李明", "王芳"]),  # 商户 may be people
    ],
)
def test_people_of_businesses_stay_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
