"""Names of minority peoples without a Han surname (`privacy/recognizers/_person_minority.py`).

Mongolian, Tibetan, Uyghur/Kazakh, Yi and Dai names, and names written by sound, where the
words around them say person — and the same words where they are weather, flowers, greetings,
swear words or places. Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_text, scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one element after an office or a role word, whatever verb follows
        ("由副主任其其格牵头，委员哈斯配合。", ["其其格", "哈斯"]),
        ("村支书宝音主持会议。", ["宝音"]),
        ("嘎查长满都拉通知大家开会。", ["满都拉"]),
        ("来电人努尔兰反映草场被占。", ["努尔兰"]),
        # a title or a person cue after the name
        ("请找旺堆村长签字。", ["旺堆"]),
        ("这件事请联系图雅，电话13912345678。", ["图雅"]),
        ("免去满都拉的嘎查达职务，由乌云代理。", ["满都拉", "乌云"]),
        # Dai names (岩/玉 + one syllable) with the people named after them
        ("来电人岩温（傣族）反映，橡胶地被占。", ["岩温"]),
        ("走访对象：玉罕（傣族），住景洪市。", ["玉罕"]),
        # a 、-list of element names, one with an ending (格日乐|图)
        ("低保名单：巴特尔、其其格、乌云、格日乐图。", ["巴特尔", "其其格", "乌云", "格日乐图"]),
        # a form field holding a Mongolian name of two elements (那仁|满都拉) is the name whole
        ("姓名：那仁满都拉　民族：蒙古族", ["那仁满都拉"]),
        # a Western name written in Chinese characters and joined by a dot
        ("外教约翰·史密斯的签证已经办好。", ["约翰·史密斯"]),
    ],
)
def test_minority_names_in_a_persons_context(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "天上乌云密布，眼看要下雨。",  # weather
        "草原上格桑花开了，一片金黄。",  # a flower
        "扎西德勒！欢迎来到西藏。",  # a greeting
        "尼玛的，又堵车了。",  # a chat swear word
        "我们从拉萨出发，经那曲到格尔木。",  # places
        "多吉村今年修了新路。",  # a village named with an element
        "乌兰察布市下雪了。",
        "这片岩石风化严重，岩层裸露。",  # 岩 starting ordinary words
        "村民反映乌云来了就停电。",  # a role word earlier in the sentence, the element is weather
    ],
)
def test_the_same_words_as_ordinary_words_or_places_are_no_names(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 和 between a found name and an element name: both are names (the pet-name reading 其其 gives way)
        ("巴特尔和其其格两口子来办证。", ["巴特尔", "其其格"]),
        # a register entry: name, gender, people
        ("扎西，藏族，1968年出生，现住那曲市。", ["扎西"]),
        ("多吉今年五十八岁，一直在放牧。", ["多吉"]),
        ("格桑打电话说羊跑丢了。", ["格桑"]),
        # a 民族 column holds peoples, not names (the model read 蒙古族 as one)
        ("姓名\t民族\n斯琴\t蒙古族\n卓玛\t藏族", ["斯琴", "卓玛"]),
        # a people before the name, a kin word the model read as a name, a household or a kin title after it
        ("蒙古族姑娘其其格考上了大学。", ["其其格"]),
        ("阿妈卓玛给我们倒了酥油茶。", ["卓玛"]),
        ("玉罕家的橡胶林被烧了。", ["玉罕"]),
        ("旺姆阿佳的孩子生病了。", ["旺姆"]),
        ("尼玛大叔家的牦牛丢了。", ["尼玛"]),  # was the nickname 玛大叔
        # a Western name written in Chinese characters after a role word, without a dot
        ("外教索菲亚请假了。", ["索菲亚"]),
        # a chat message that opens by calling someone (3+ characters; 乌云，… is left alone)
        ("满都拉，羊圈修好了没", ["满都拉"]),
    ],
)
def test_more_person_contexts(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "格桑梅朵是藏语里的一种花。",
        "达瓦孜表演很精彩。",
        "那达慕大会下周开幕。",
        "海伦市下雪了。",
        "布朗族村寨",
    ],
)
def test_festivals_flowers_and_arts_named_like_people_are_no_names(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("退休教师侯玉珍自发组织了一支志愿队。", ["侯玉珍"]),  # a Han name ending in an element (玉珍)
        ("来电人马海燕称孩子的学籍有误。", ["马海燕"]),  # a Han name starting with one (马海): never cut
        ("村民玉香兰说水渠堵了。", ["玉香兰"]),
    ],
)
def test_han_names_holding_an_element_stay_whole(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_the_pass_alone_does_not_read_an_element_out_of_a_han_name() -> None:
    """Even where nothing else found the name, 马海|燕 after a role word is no minority name 马海."""
    from privacy.recognizers._person_minority import minority_names

    assert minority_names("来电人马海燕称孩子的学籍有误。", [], []) == []
    assert [h.start for h in minority_names("来电人努尔兰称草场被占。", [], [])] == [3]


def test_a_cell_holding_a_minority_name_alone_is_that_name_whole() -> None:
    """A 姓名 column's cells: 其其格 was the pet name 其其 (格 left in clear), 格日乐图 was cut to 格日乐."""
    import pandas as pd

    from privacy.scanning import scan_table

    table = pd.DataFrame({"姓名": ["其其格", "格日乐图", "巴特尔"], "民族": ["蒙古族", "蒙古族", "蒙古族"]})
    assert [f.text for f in scan_table(table).findings] == ["其其格", "格日乐图", "巴特尔"]
    assert [f.text for f in scan_texts(["乌云密布", "扎西德勒", "格桑花"])] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the middle dot typed as a full stop, a hyphen or a full-width stop: one name, not two
        ("来电人买买提.艾力反映工资被拖欠。", ["买买提.艾力"]),
        ("热依拉-吐尔逊的补贴已经到账。", ["热依拉-吐尔逊"]),
        ("申请人：古丽娜尔．吐尔逊", ["古丽娜尔．吐尔逊"]),
        ("姓名：约翰.史密斯", ["约翰.史密斯"]),
    ],
)
def test_a_typed_dot_joins_the_parts_of_one_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("其其格", {"zh": "整格或整段只有这个名字", "en": "whole cell or text"}),
        ("满都拉，羊圈修好了没", {"zh": "消息开头的称呼", "en": "calling someone"}),
    ],
)
def test_a_name_found_by_its_place_is_explained_by_its_place(text: str, said: dict[str, str], lang: str) -> None:
    """The explanation of 其其格 alone in a cell said "next to the context ⇥" (the pass's mark for a whole cell)."""
    found = [f for f in scan_text(text, lang=lang) if f.entity_type == "PERSON"]
    assert len(found) == 1 and said[lang] in found[0].explanation, found
    assert "⇥" not in found[0].explanation and "“，”" not in found[0].explanation
