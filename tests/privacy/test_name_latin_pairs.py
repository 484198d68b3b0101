"""Latin-letter names in Chinese text: after 是, with the real name in brackets, said again by the first name,
and two names said to two people.

Every sentence here is invented for this test (not from the evaluation corpus). Before, each of these Latin
names leaked (or two names were read as one).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a role word, 是, then the name; the first name said again later is the same person
        ("来电人是Nadia Petrova的房东，称Nadia的居住登记一直没办下来", ["Nadia Petrova", "Nadia"]),
        # the bracket says which Chinese name is the real one
        ("其同事Brandon（真名叫骆景豪）上周离职后拒不交接", ["Brandon", "骆景豪"]),
        # two names said to two people are two names
        ("Milo Luna 你俩下周的值班对调一下", ["Milo", "Luna"]),
    ],
)
def test_latin_names_in_chinese_text(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_a_first_name_inside_a_longer_word_is_no_repeat() -> None:
    assert _names("联系人Grace Olsen，Graceland酒店前台") == ["Grace Olsen"]
