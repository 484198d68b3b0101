"""A table typed with bars between its cells (姓名｜单位｜电话): its name column is read like a tab-separated one.

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


def test_a_bar_separated_sign_in_sheet() -> None:
    text = "培训签到：姓名｜单位｜电话\n韦秋菊｜县卫健局｜0771-5562 3108\n严浩然｜县教育局｜0771-5563 9021"
    assert _names(text) == ["韦秋菊", "严浩然"]


def test_a_byline_with_bars_is_not_a_table() -> None:
    assert _names("文｜记者 周小敏 图｜实习生 吴一凡") == ["周小敏", "吴一凡"]
