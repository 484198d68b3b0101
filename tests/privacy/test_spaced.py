"""Letter-spaced text (OCR, screenshot-to-text, spaced form fields): names and numbers written apart are found."""

from __future__ import annotations

import pandas as pd
import pytest

from privacy import scan_text
from privacy._detect import get_detector
from privacy._spaced import collapse, spaced_lines
from privacy.deid import deidentify_frame, load_policy

OCR_FORM = "扫描件OCR：申 请 人 ：马 丽 娟\n联 系 电 话 ：1 3 9 9 1 2 4 5 0 7 3"


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[h.start : h.end], h.entity_type) for h in get_detector().hits(text)]


@pytest.mark.parametrize(("text", "expected"), [
    (OCR_FORM, [("马 丽 娟", "PERSON"), ("1 3 9 9 1 2 4 5 0 7 3", "PHONE_NUMBER")]),
    ("姓\u3000\u3000名：欧  阳  敏\u3000性\u3000\u3000别：男", [("欧  阳  敏", "PERSON")]),
    ("通知（截图转文字）：请 何 丽 萍 、罗 建 军 两位同志 于周三前 到 人事科 报到",
     [("何 丽 萍", "PERSON"), ("罗 建 军", "PERSON")]),
    ("借条（手写扫描）：今借到宋 晓 燕现金伍万元整，借款人刘 海 波",
     [("宋 晓 燕", "PERSON"), ("刘 海 波", "PERSON")]),
])
def test_names_and_numbers_written_apart_are_found_whole(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


def test_spaced_digits_alone_are_not_joined_into_a_number() -> None:
    # Single-digit scores would read as a valid mobile number if joined; without a spaced Chinese run on the
    # line nothing is joined.
    assert _found("本周各题得分：1 3 9 9 1 2 4 5 0 7 3（满分10）") == []
    assert spaced_lines("各题得分 1 3 9 9 1 2 4 5 0 7 3") == []


def test_a_name_in_ordinary_spaced_speech_keeps_its_own_reading() -> None:
    # 当 嗯 叮 is a run, but 丁当 was not written apart: the original reading's name stays.
    assert ("丁当", "PERSON") in _found("来电人丁当 嗯 叮叮当当的当 不对 是丁 甲乙丙丁的丁")


def test_collapse_maps_back_to_the_original_characters() -> None:
    line = "申 请 人 ：马 丽 娟"
    collapsed, origin = collapse(line)
    assert collapsed == "申请人：马丽娟"
    assert "".join(line[i] for i in origin) == collapsed
    assert spaced_lines(f"第一行\n{line}\n第三行") == [(4, 4 + len(line))]


def test_batched_scans_find_the_same_spans_as_one_text() -> None:
    texts = ["来电人张秀英反映路灯坏了。", OCR_FORM, "无个人信息的一句话。", "签到：黄 二 妹/13097715538"]
    batched = get_detector().findings_many(texts)
    for text, findings in zip(texts, batched, strict=True):
        assert [(f.start, f.end, f.entity_type) for f in findings] == \
               [(f.start, f.end, f.entity_type) for f in get_detector().findings(text)]
    assert [f.text for f in batched[1]] == ["马 丽 娟", "1 3 9 9 1 2 4 5 0 7 3"]
    assert [f.text for f in batched[3]] == ["黄 二 妹", "13097715538"]


def test_scan_text_reports_the_spaced_name_with_its_original_span() -> None:
    persons = [f for f in scan_text(OCR_FORM) if f.entity_type == "PERSON"]
    assert [(p.start, p.end, p.text) for p in persons] == [(OCR_FORM.index("马"), OCR_FORM.index("娟") + 1, "马 丽 娟")]


def test_deidentification_replaces_spaced_names_and_numbers_and_the_rescan_is_clean() -> None:
    frame = pd.DataFrame({"识别结果": [OCR_FORM, "截图文字识别：俞 建 萍 ： 收 到 ， 明 天 到 岗", "正常的一句话。"]})
    result = deidentify_frame(frame, load_policy("default"))
    written = " ".join(result.frame["识别结果"])
    for secret in ("马 丽 娟", "丽 娟", "1 3 9 9 1 2 4 5", "俞 建 萍", "建 萍"):
        assert secret not in written, written
    column = {c["column"]: c for c in result.columns}["识别结果"]
    assert column["before"]["PERSON"] == 2 and column["after"] == {}


def _id_with_x() -> str:
    from privacy.checksums import id_card_check_char

    body = next(b for b in (f"3301021953031{n:04d}" for n in range(100)) if id_card_check_char(b) == "X")
    return " ".join(body) + " X"


@pytest.mark.parametrize(("text", "number", "entity"), [
    # a form flattened with tabs: the label is a cell before, the digits alone are spaced
    ("姓\t名\t王加林\n身份证号\t3 7 0 2 0 2 1 9 5 6 0 9 0 4 2 3 1 6", "3 7 0 2 0 2 1 9 5 6 0 9 0 4 2 3 1 6",
     "CN_RESIDENT_ID"),
    ("3 7 0 2 0 2 1 9 5 6 0 9 0 4 2 3 1 6", "3 7 0 2 0 2 1 9 5 6 0 9 0 4 2 3 1 6", "CN_RESIDENT_ID"),
    (f"证件号码：{_id_with_x()}", _id_with_x(), "CN_RESIDENT_ID"),
    # a phone broken over the lines of a cell, one digit at a time, after its label
    ("电话：\n1 3 9\n5 8 0 2\n7 3 6 1", "1 3 9\n5 8 0 2\n7 3 6 1", "PHONE_NUMBER"),
    ("联系电话：\n0 2 1 - 6 4 3 8 5 2 7 1\n诉求：垃圾清运", "0 2 1 - 6 4 3 8 5 2 7 1", "PHONE_NUMBER"),
])
def test_numbers_written_one_digit_at_a_time_without_spaced_chinese(text: str, number: str, entity: str) -> None:
    """More than eight one-digit groups were never one number unless the line also had spaced Chinese."""
    assert (number, entity) in _found(text)


def test_one_digit_groups_without_a_label_are_still_not_a_phone_or_card() -> None:
    # an ID passes its check character, date and region; a row of one-digit scores may pass a number plan or Luhn
    card = " ".join("6222020200000000014")
    assert _found("第二轮评委打分 1 3 9 5 8 0 2 7 3 6 1") == []
    assert _found(f"各项得分 {card}") == []
    assert _found(f"银行卡号：{card}") == [(card, "BANK_CARD")]
