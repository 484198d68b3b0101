"""A name split by an OCR line break inside a cell (姓名郭⏎建华): read again without the break.

Every sentence here is invented for this test (not from the evaluation corpus). Before, only the part after the
break was found (建华), or nothing.
"""

from __future__ import annotations

import pytest

from privacy._detect import get_detector
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("扫描件识别：姓名滕\n海鸥　电话139 5712 0846", ["滕\n海鸥"]),
        ("户主：鲍\n春燕", ["鲍\n春燕"]),
        ("联系人：上官\n晓岚，已登记", ["上官\n晓岚"]),  # a compound surname
        ("滕\n海鸥", ["滕\n海鸥"]),  # the cell alone
        ("特困人员：谢春\n燕（城关镇）", ["谢春\n燕"]),  # surname + one character, the last on the next line
        ("申请人：白\n雪（大方县）", ["白\n雪"]),
    ],
)
def test_a_name_split_by_a_line_break_in_a_cell_is_one_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "材料请交给鲍\n谢谢",  # the surname does not start a cell
        "明天下午\n开会",  # no surname at the line end
    ],
)
def test_no_name_across_a_line_break_without_a_cell(text: str) -> None:
    assert all("\n" not in name for name in _names(text))


def test_a_batch_finds_the_same_broken_names() -> None:
    texts = ["户主：鲍\n春燕", "来电人滕海鸥反映", "姓名：鲍\n春燕\n电话：13957120846"]
    detector = get_detector()
    assert detector.findings_many(texts) == [detector.findings(text, row=i) for i, text in enumerate(texts)]
