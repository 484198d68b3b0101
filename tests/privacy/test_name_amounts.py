"""A list of names with amounts: the name runs up to the number (刘德全480元, not 刘德 + 全 "all").

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
        ("低保金发放：钱德全480元、孙秀兰520元", ["钱德全", "孙秀兰"]),
        ("临时救助：\n蒋德全 1200元\n韦桂兰 800元", ["蒋德全", "韦桂兰"]),
    ],
)
def test_a_name_before_an_amount_runs_up_to_the_number(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("补助名单：孙德全、周秀兰各480元", ["孙德全", "周秀兰"]),  # 各 is "each", not part of the name
        ("慰问金：钱芳共500元", ["钱芳"]),
    ],
)
def test_a_word_before_the_amount_stays_outside(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
