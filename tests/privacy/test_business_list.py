"""The enumeration-of-businesses veto read without backtracking says what the rule as written says."""

from __future__ import annotations

import random
import re

import pytest

from privacy.recognizers._person_vetoes import ITEMS_BEFORE, LIST_END, business_list

_AS_WRITTEN = re.compile(ITEMS_BEFORE + LIST_END.pattern)


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        ("“吴裕泰”“张一元”等茶叶门店", 4, True),
        ("钟薛高（万达店）、武昌鱼馆等门店", 3, True),
        ("周大福、六福等多家企业", 3, True),
        ("李明、王芳等商户", 2, False),
        ("张三、李四等企业代表", 2, False),
        ("张三、李四等人参加了会议。", 2, False),
    ],
)
def test_examples(text: str, at: int, expected: bool) -> None:
    assert business_list(text, at) is expected
    assert (_AS_WRITTEN.match(text, at) is not None) is expected


def test_same_answer_as_the_rule_as_written_on_generated_text() -> None:
    rng = random.Random(7)
    alphabet = list('张三李等企业门店多家品牌、，,“”"「」『』（()）x。·一代表主')
    pieces = [
        "张三",
        "李四五",
        "王",
        "吴裕泰",
        "“张一元”",
        "（东门店）",
        "(x)",
        "、",
        "，",
        "等",
        "茶叶门店",
        "企业",
    ]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(20_000)]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))) for _ in range(20_000)]
    found = 0
    for text in texts:
        for at in (0, 1):
            expected = _AS_WRITTEN.match(text, at) is not None
            assert business_list(text, at) is expected, (text, at)
            found += expected
    assert found > 500  # the generated text holds lists of businesses, not only misses
