"""A person's other name said as such (小名, 乳名, 外号, 绰号, 别名, 一口一个“…”): it names the person as well.

Every sentence here is invented for this test (not from the evaluation corpus). Before, each alias was missed
(the model has no reason to read 牛娃, 芳子 or 铁柱 as a name).
"""

from __future__ import annotations

import pytest

from tests.privacy.person_names import person_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("被拆迁人范长贵（小名“牛娃”）已领取补偿款", ["范长贵", "牛娃"]),
        ("今借到周翠芳（小名芳子）人民币伍仟元整", ["周翠芳", "芳子"]),
        ("村里人都管他叫“铁柱”，他的大名是韩建业", ["铁柱", "韩建业"]),
        ("刘根生，外号“刘大炮”，因寻衅滋事被行政拘留", ["刘根生", "刘大炮"]),
        ("邱德旺绰号“黑皮”，多次在菜市场收取保护费", ["邱德旺", "黑皮"]),
        ("工友们都喊他“老黑”，真名叫钟大海", ["老黑", "钟大海"]),
    ],
)
def test_an_alias_after_its_cue_is_a_name(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "他的外号很多，我也记不全",  # what is said of the aliases, not one of them
        "小名不好听，大家就不叫了",
        "孩子的小名是什么来着，我一时想不起来",
        "群昵称：快乐每一天",  # an online handle is no alias read here
    ],
)
def test_words_about_aliases_are_no_name(text: str) -> None:
    assert person_names(text) == []
