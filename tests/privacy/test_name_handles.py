"""A chat handle joined to the real name by a dot (静待花开·蔡淑芬：…): the name is the part after the dot.

Every sentence here is invented for this test (not from the evaluation corpus). Before, the handle's last
character went into the name (开·蔡淑芬) or the whole handle did (阳光·李建国).
"""

from __future__ import annotations

import pytest

from tests.privacy.person_names import person_names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("岁月静好·王秀兰：收到，明天准时到", "王秀兰"),
        ("阳光·李建国：好的", "李建国"),
        ("静待花开·蔡淑芬：已交", "蔡淑芬"),
    ],
)
def test_the_name_after_a_handle_and_a_dot(text: str, name: str) -> None:
    assert name in person_names(text)
    assert not any("·" in found for found in person_names(text))


@pytest.mark.parametrize(
    ("text", "name"), [("艾力·买买提，男，维吾尔族", "艾力·买买提"), ("约翰·李维来电咨询", "约翰·李维")]
)
def test_a_transliterated_name_stays_whole(text: str, name: str) -> None:
    assert person_names(text) == [name]
