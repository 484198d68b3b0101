"""A title after a full name is not part of the name (殷文军|哥, 许剑|律师, 相桂兰|大娘).

The corpus convention: a full name keeps the title or kin word outside ([郑秀英]阿姨, [王德明]大爷), a first
name or pet name said with a kin title is one name (冬梅姐, 秀芝阿姨) and a surname with a title is a partial
name (刘阿姨, 欧阳先生). Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.recognizers._base import Hit, Verdict
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("潘卫东叔，你家的快递到了", ["潘卫东"]),
        ("严秀珍姨，周末来家吃饭吧", ["严秀珍"]),
        ("隔壁郑秋菊大娘今天又送来了鸡蛋。", ["郑秋菊"]),
        ("谭国栋哥，明早六点村口集合", ["谭国栋"]),
        ("委托代理人：邝志诚律师  委托人：韦小曼", ["邝志诚", "韦小曼"]),
    ],
)
def test_a_full_name_ends_before_its_title(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("冬梅姐，晚上来吃饭", ["冬梅姐"]),  # a first name with 姐 is said as one name
        ("秀芝阿姨来电咨询高龄补贴", ["秀芝阿姨"]),
        ("有事找刘阿姨", ["刘阿姨"]),  # a surname with a title: a partial name, one span
        ("好的邵哥，我下午过去", ["邵哥"]),
        ("欧阳先生来电反映路灯不亮", ["欧阳先生"]),
    ],
)
def test_a_first_name_or_surname_keeps_its_title(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def _hit(start: int, end: int) -> Hit:
    return Hit("PERSON", start, end, 0.9, Verdict("pii.why.person_model", {}, 0.9), "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("殷文军哥", "殷文军"),
        ("司马青云姐", "司马青云"),  # a compound surname and two characters
        ("上官燕大娘", "上官燕"),
        ("王芳老师", "王芳"),  # an office after a surname and one character
        ("建军哥", "建军哥"),  # a first name: the kin title stays
        ("王建大哥", "王建大哥"),  # a surname and one character before a kin title: 建 + 大哥 is as likely
        ("李雪姐姐", "李雪姐姐"),
        ("王老师", "王老师"),  # a surname alone before a title
    ],
)
def test_titled_full_names_cuts_only_a_full_name(value: str, expected: str) -> None:
    from privacy.recognizers._person_edges import titled_full_names

    [hit] = titled_full_names(value, [_hit(0, len(value))])
    assert value[hit.start : hit.end] == expected
