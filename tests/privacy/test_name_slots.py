"""A name in the slot after a strong cue (a role ending in 人, a kin word, a job title, an IOU's 今借到, 东至 … 宅).

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(("text", "expected"), [
    # Characters that usually end a name or a clause (家, 和) are inside the name before a boundary or an act.
    ("来电人万家和（电话13912345678）反映", ["万家和"]),
    # Kin words and job titles that are not in the role list, and an IOU's opening.
    ("其伯伯祝长福反映拆迁款未到账", ["祝长福"]),  # and 伯伯 is a kin word, no name
    ("请向新任会计温平移交账本", ["温平"]),  # 移交 starts a word: a two-character name
    ("今借到谈永华现金贰仟元", ["谈永华"]),
    # 四至 of a plot: a neighbour's home (the model reads 戚茂祥宅 as a place).
    ("北至戚茂祥宅，南至村道", ["戚茂祥"]),
    ("东至乐本和家，西至水塘", ["乐本和"]),
])
def test_a_strong_cue_names_the_next_slot(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("父亲邝明和母亲李芳都来了", ["邝明", "李芳"]),  # 和 before another person is the conjunction
    ("父亲常年在外务工", []),  # the surname and the next character are a common word
    ("老伴都满七十岁了", []),  # the model reads 都 as an adverb
    ("请申请人于收到通知后补交材料", []),
    ("东至村道，西至河沟", []),
    ("经办人邬丽已电话回访", ["邬丽"]),  # 已 after the name is not part of it
])
def test_the_slot_is_no_name_or_ends_early(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A list whose items are place + name: the name is whatever follows the village or community,
    # word-like (兰花) or with a compound surname that is also a village's name (上官村上官明).
    ("慰问对象：上官村上官明、南塘村南秀山、东坡村欧阳庆丰。", ["上官明", "南秀山", "欧阳庆丰"]),
    ("推荐名单（前湾村兰花、后湾村金凤、中岗村梅香），均为孝老爱亲典型。", ["兰花", "金凤", "梅香"]),
    # Offices and posts after a place are no names.
    ("列席人员：各村文书、各组组长。", []),
    ("请到街道房管所、社区服务站办理。", []),
])
def test_names_listed_after_their_place(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A Latin-letter name and a Chinese name written as a pair, one in brackets after the other.
    ("奖学金补录：Chloe Martin（马可欣，外籍）材料已齐全。", ["Chloe Martin", "马可欣"]),
    ("来电人安娜（Anna Schmidt，德国籍）反映签证延期问题", ["安娜", "Anna Schmidt"]),
    ("请携带Microsoft Word（文档）格式的材料", []),
])
def test_a_latin_name_paired_with_a_chinese_one(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
