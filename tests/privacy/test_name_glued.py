"""A name glued to the word after it: a particle or the head of the next clause is not the name's.

The model runs a name whose characters it rarely saw into what follows (苏湛呀, 邓砚拉|进群, 魏岚陪|老人).
Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_glue import glued_ends
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return sorted(f.text for f in scan_texts([text]) if f.entity_type == "PERSON")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("应该是苏湛吧", ["苏湛"]),
        ("葛杉呀，今天值班吗", ["葛杉"]),
        ("戚蔓了，你们认识吗", ["戚蔓"]),
        ("把房卓拉进群里一起商量", ["房卓"]),
        ("熊斐拉进群了没有", ["熊斐"]),
        ("谁把冯翊拉黑了", ["冯翊"]),
        ("唐淼陪老人去体检了", ["唐淼"]),
        ("把钟昱廷拉进群里一起商量", ["钟昱廷"]),
        ("卢佩珊拉进群了没有", ["卢佩珊"]),
        ("那田润泽呢", ["田润泽"]),  # the demonstrative before a full name
        ("丁佑安陪老人去体检了", ["丁佑安"]),  # 安|陪 + 老人 is no "old man An Pei"
        ("苏锦程陪老人去体检了", ["苏锦程"]),
    ],
)
def test_a_particle_or_the_next_verb_is_cut_off(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("索南才让来电反映草场被占", ["索南才让"]),  # 才让: a Tibetan name element ends there
        ("户主：次仁拉姆，家庭人口三人", ["次仁拉姆"]),
        ("原房主孟广才拖欠物业费", ["孟广才"]),  # 才 ends many given names: not in the list
        ("来电人依拉到窗口办理低保", ["依拉"]),
        ("那英的演唱会门票", ["那英"]),  # 那 is a surname too
        ("王强在吗", ["王强"]),
        ("李明让我转告你", ["李明"]),
    ],
)
def test_names_ending_in_such_characters_stay(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def _hit(start: int, end: int) -> Hit:
    return Hit("PERSON", start, end, 0.8, Verdict("pii.why.person_model", {}, 0.8))


def test_the_cut_needs_a_name_shape_and_a_han_span() -> None:
    text = "阿卜杜拉进了会议室，伍拉进来了"
    assert [(h.start, h.end) for h in glued_ends(text, [_hit(0, 4)])] == [
        (0, 4)
    ]  # a known transliterated name
    assert [(h.start, h.end) for h in glued_ends(text, [_hit(10, 12)])] == [(10, 12)]  # too short to cut
    assert [(h.start, h.end) for h in glued_ends("熊斐拉进群", [_hit(0, 3)])] == [(0, 2)]
    assert [(h.start, h.end) for h in glued_ends("熊斐拉", [_hit(0, 3)])] == [(0, 3)]  # nothing after 拉


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("村民孙德胜利完成了任务", ["孙德胜"]),
        ("业主冯志远程办理了过户", ["冯志远"]),
        ("来电人冯志远程办理了业务", ["冯志远"]),
        ("困难户刘桂芝的儿子杨东常年在外打工", ["刘桂芝", "杨东"]),  # 常 is the word's
        ("居民庄旭来电反映路灯不亮", ["庄旭"]),
    ],
)
def test_a_word_run_into_a_full_name_is_cut_to_three(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来电人乐乐妈妈反映孩子午饭吃不饱", ["乐乐妈妈"]),  # a teknonym is one name
        ("委托代理人：许剑律师", ["许剑"]),  # the title is cut by its own pass
        ("户主：索朗卓玛，家庭人口四人", ["索朗卓玛"]),  # minority name elements
    ],
)
def test_four_character_names_of_other_kinds_stay(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来电人高一臻反映楼上漏水", ["高一臻"]),  # 高一 "senior year one" broke the name
        ("请高一学生到操场集合", []),
        ("周一晴转多云", []),
    ],
)
def test_a_name_broken_at_one(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
