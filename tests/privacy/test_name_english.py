"""Names in Latin letters after an English label or title, in English-only and mixed text.

Every sentence here is invented for this test (not from the evaluation corpus). Before, a text without a
Chinese character never reached the name recognizer: every name below leaked.
"""

from __future__ import annotations

import pytest

from privacy._detect import Detector, get_detector
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Name: Qiao Yuning", ["Qiao Yuning"]),
        ("Applicant: SHAO Jinglan", ["SHAO Jinglan"]),  # the surname in capitals, as a passport writes it
        ("NAME: DU HAIRONG SEX: F", ["DU HAIRONG"]),  # a field word ends the name
        ("Passenger: FENG/XIAOTAO  Seat 32A", ["FENG/XIAOTAO"]),
        ("Surname: Gu   Given names: Peiwen", ["Gu", "Peiwen"]),
        (
            "Contact person: Ms. Ruan Qiuyue, Tel 13957120846",
            ["Ruan Qiuyue"],
        ),  # a full name without its title
        ("Dear Mr. Tang, your refund has been approved.", ["Mr. Tang"]),  # a surname with its title (王先生)
        ("Reported by: KONG Dewei (Inspector)", ["KONG Dewei"]),
        ("The applicant Lou Fangzhi called twice about the subsidy.", ["Lou Fangzhi"]),
        ("Patient: Eleanor Whitcombe; DOB: 1961-03-08", ["Eleanor Whitcombe"]),
        ("Account holder: WEN XIAOLAN  Card: 6222 0202 1234 5678 99", ["WEN XIAOLAN"]),
        ("Name: Dai Shuting, Lu Haoran", ["Dai Shuting", "Lu Haoran"]),  # a comma between two names
        ("Name: MIAO, Zhenyu", ["MIAO, Zhenyu"]),  # SURNAME, Given: one name
        ("联系人 Contact: Ms. Hu", ["Ms. Hu"]),  # mixed text
        ("申请人 Applicant: Zhou Yuqing，电话13957120846", ["Zhou Yuqing"]),  # the English label is no name
    ],
)
def test_a_name_after_an_english_label_or_title_is_found(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Owner: Lakeside Trading Ltd",  # an organisation
        "Contact: Customer Service",  # a field word, not a name
        "Name: N/A",
        "Attention: Please reply by Friday",
        "Hong Kong Long Lane 12",  # pinyin-like words without a label
        "The quick brown fox jumps over the River Bank at dawn",
        "Signature: ________",
    ],
)
def test_no_name_without_one_after_the_label(text: str) -> None:
    assert _names(text) == []


def test_a_title_alone_follows_the_partial_names_policy() -> None:
    assert [h.start for h in Detector(partial_names="none").hits("Dear Mr. Tang, thanks.")] == []
    assert [(h.start, h.end) for h in get_detector().hits("Dear Mr. Tang, thanks.")] == [(5, 13)]


def test_a_batch_finds_what_each_text_finds() -> None:
    texts = [
        "Name: Qiao Yuning",
        "来电人邝秀云反映 Zhang Wei",
        "Order shipped",
        "Dear Mr. Tang",
        "Payment: 20",
    ]
    detector = get_detector()
    assert detector.findings_many(texts) == [detector.findings(text, row=i) for i, text in enumerate(texts)]
    assert [[f.text for f in found] for found in detector.findings_many(texts)][3] == ["Mr. Tang"]
