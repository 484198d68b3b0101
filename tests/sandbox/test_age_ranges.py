"""Age bands as exports write them (``60-69岁``, ``70周岁及以上``, ``18岁以下``, ``老年``) → readings in whole years."""

from __future__ import annotations

import pytest

from sandbox._age_ranges import parse_age_range


@pytest.mark.parametrize(
    ("value", "readings"),
    [
        ("60-69岁", ((60, 69),)),
        ("60～69", ((60, 69),)),
        ("60 — 69 岁", ((60, 69),)),
        ("六十至六十九岁", ((60, 69),)),
        ("60多岁", ((60, 69),)),
        ("70周岁及以上", ((70, None),)),
        ("60+", ((60, None),)),
        ("≥60", ((60, None),)),
        ("60 and over", ((60, None),)),
        (">60", ((61, None),)),
        ("未满18周岁", ((0, 17),)),
        ("<18", ((0, 17),)),
        ("18岁及以下", ((0, 18),)),
        ("18岁以下（不含18岁）", ((0, 17),)),
        ("老年", ((60, None),)),
        ("未成年人", ((0, 17),)),
        # 以上/以下 alone: the number itself in (the law) or out (statistics tables) — both readings kept
        ("18岁以下", ((0, 17), (0, 18))),
        ("60岁以上", ((60, None), (61, None))),
    ],
)
def test_bands_have_their_readings(value: str, readings: tuple) -> None:  # type: ignore[type-arg]
    assert parse_age_range(value) == readings


@pytest.mark.parametrize("value", ["70岁", "70", "1950-03", "19500301", "69-60", "老", "", "未知", "1000+"])
def test_ages_dates_and_text_are_not_bands(value: str) -> None:
    assert parse_age_range(value) is None


@pytest.mark.parametrize(
    ("value", "readings"),
    [
        ("[60,70)", ((60, 69),)),
        ("【60，70）", ((60, 69),)),
        ("[60,69]", ((60, 69),)),
        ("60岁至不满70岁", ((60, 69),)),
        ("60-70岁（不含70岁）", ((60, 69),)),
        ("60-70岁", ((60, 70),)),  # both ends: the audit refuses it when 70 starts another band
    ],
)
def test_half_open_bands(value: str, readings: tuple) -> None:  # type: ignore[type-arg]
    assert parse_age_range(value) == readings
