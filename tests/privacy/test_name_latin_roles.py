"""Latin-letter names after a Chinese role word, with a compound pinyin surname, or in a passport-style form."""

from __future__ import annotations

import pytest

from privacy import scan_text

FOUND = [
    ("外籍人士Peter Novak来电反映出租车拒载", "Peter Novak"),
    ("市外办邀请德国专家Klaus Becker（中文名贝克）指导", "Klaus Becker"),
    ("外教 Maria Lopez 的工作许可证已到期", "Maria Lopez"),
    ("姓名（拼音）：OUYANG Lingling", "OUYANG Lingling"),
    ("姓名（拼音）：GONGSUN Hao  性别：男", "GONGSUN Hao"),
    ("Name (Surname/Given name): LIANG / YUTING  Nationality: CHN", "LIANG / YUTING"),
    ("Full name (as in passport): HUANG / QIAN, Sex: F", "HUANG / QIAN"),
]
NOT_FOUND = [
    "知情人士透露，Apple将在明年推出新品",
    "Name (Surname/Given name): N/A",
    "业内人士认为，AI Act 对出口企业影响有限",
]


@pytest.mark.parametrize(("text", "name"), FOUND)
def test_the_name_is_found_whole(text: str, name: str) -> None:
    found = [text[f.start : f.end] for f in scan_text(text) if f.entity_type == "PERSON"]
    assert name in found, found


@pytest.mark.parametrize("text", NOT_FOUND)
def test_no_name_where_there_is_none(text: str) -> None:
    assert [text[f.start : f.end] for f in scan_text(text) if f.entity_type == "PERSON"] == []
