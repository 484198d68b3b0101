"""Where a name ends: a kin word before it, a gender after it, a byline's separator, a cell gap.

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.recognizers._person_edges import edge_trim
from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(("text", "expected"), [
    # A family list: the kin word is the relation, not part of the name.
    ("户主：隗长林／妻宦秀梅／长子隗大伟／孙女隗晓萌", ["隗长林", "宦秀梅", "隗大伟", "隗晓萌"]),
    ("户主禤德明／妻付桂英／次子禤小军／孙子禤浩然", ["禤德明", "付桂英", "禤小军", "禤浩然"]),
    # A gender written right after the name in a flattened form row.
    ("矫雨彤女13905531234宿州市埇桥区", ["矫雨彤"]),
    ("綦文涛男，45岁，汉族，住蚌埠市", ["綦文涛"]),
    # Bylines: 丨 and a full-width space are never inside a name.
    ("文丨暴文静\u3000图丨揭海涛", ["暴文静", "揭海涛"]),
    ("（记者 严晓峰\u3000实习生 阙一鸣\u3000文/图）", ["严晓峰", "阙一鸣"]),
    ("摄影 蒯思远\u3000编辑 佴若晴\u3000校对 璩立新", ["蒯思远", "佴若晴", "璩立新"]),
    # A ·-joined name keeps its first and last characters.
    ("肉孜·司马义和阿依努尔·买买提来了", ["肉孜·司马义", "阿依努尔·买买提"]),
])
def test_names_without_what_is_written_next_to_them(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("孙子涵今天没来上课", ["孙子涵"]),  # 孙 + 子涵 is a name, not 孙子 + 涵
    ("欧阳胜男，女，汉族", ["欧阳胜男"]),  # a name that ends in 男 keeps it
    ("王胜男13905531234", ["王胜男"]),
    ("金\u3000鑫", None),  # a two-character name spaced out stays whole
])
def test_names_that_only_look_like_a_neighbour_stay_whole(text: str, expected: list[str] | None) -> None:
    if expected is None:
        assert edge_trim(text, 0, len(text)) == (0, len(text))
    else:
        assert _names(text) == expected


def test_a_byline_role_alone_is_no_name() -> None:
    text = "文丨\u3000图丨"
    assert edge_trim(text, 0, 2) is None
    assert _names("文丨本报评论员\u3000图丨新华社") == []


@pytest.mark.parametrize(("text", "expected"), [
    # The model cut a three-character name before a one-character word (才, 新): the name runs on.
    ("房东蒲广才拖欠押金三千元", ["蒲广才"]),
    ("来电人简建新咨询医保转移", ["简建新"]),
    # A preposition before a full name is not its surname; 同志 after a name is not part of it.
    ("第四村民小组组长由甘德明担任", ["甘德明"]),
    ("县委决定：卫国强同志不再担任县林业局局长职务", ["卫国强"]),
    # A compound surname with its title is a titled name, not a bare surname.
    ("推荐人：司马主任（区妇联）", ["司马主任"]),
    ("其舅舅白老汉住在村东头", ["白老汉"]),
])
def test_where_a_name_starts_and_ends(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize("text", [
    "村主任私下和老板签了合同",  # 和 mid-clause is a conjunction, not the surname of 和老板
    "金额：陆仟元整",  # an amount in capital numerals
    "收费标准：2.1元/平方米·月",  # a unit written with a middle dot
    "电价0.6元/千瓦·时",
    "他不是蔡林记的老板",  # X记: a shop sign
])
def test_amounts_units_and_shop_signs_are_not_names(text: str) -> None:
    assert _names(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # A numbered list (接龙): one found name makes the other whole-line items names too.
    ("周六义务劳动接龙：\n1. 岩应\n2. 玉罕\n3. 宝音 +1", ["岩应", "玉罕", "宝音"]),
    # A Yi clan name and two characters; a transliterated name ending in 古丽.
    ("来电人吉克依果反映，她家的房子漏雨", ["吉克依果"]),
    ("推荐名单：吐尔洪·买买提、努尔比亚古丽、赵长江。", ["吐尔洪·买买提", "努尔比亚古丽", "赵长江"]),
    # A first or pet name with a kin title is said as one name; a full name keeps its title outside.
    ("朵朵妈妈说今天不来接了", ["朵朵妈妈"]),
    ("这是秀兰阿姨做的月饼", ["秀兰阿姨"]),
    ("这是玉珍阿姨做的月饼", ["玉珍阿姨"]),  # both characters far more common in given names: a first name
    ("这是王芳阿姨做的月饼", ["王芳"]),
])
def test_lists_minority_names_and_kin_titles(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_a_doubled_common_word_before_a_title_is_no_name() -> None:
    assert _names("收到，谢谢老师") == []  # jieba tags 谢谢 as a name


@pytest.mark.parametrize(("text", "expected"), [
    ("来电反映胡大妈生鲜店的鸡蛋过期了", []),  # a shop named after a person: the shop word follows
    ("邱师傅方便面经销点门口堆满纸箱", []),
    ("门卫说快递放了两天了没人拿", []),  # words for people are not given names
    ("你上次说的那个保姆阿姨，电话是多少", []),
    ("称父亲去世后，继母不让她们进门", []),
    ("公益岗位：护林员韦老三、保洁员覃桂兰、水管员蒙德林。", ["韦老三", "覃桂兰", "蒙德林"]),  # …员 is a post
])
def test_shops_and_words_for_people_are_not_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("户\u3000主：江河\u3000人口：3", ["江河"]),  # a label aligned with spaces between its characters
    # A table whose cells are split by single spaces: the column headed 姓名 holds names.
    ("拟录取名单\n准考证号 姓名 专业\n2024001 安然 法学\n2024002 向前 医学", ["安然", "向前"]),
    # A header that is a role ending in 人 heads a column of names, and is no name itself.
    ("补偿结果\n户号\t承租人\t金额\nA-01\t乐平\t3,000\nA-02\t管宁\t2,000", ["乐平", "管宁"]),
    ("物品清单\n名称 数量 单价\n白板 2 300\n红旗 5 20", []),
])
def test_form_labels_and_table_columns(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("找一下翠花，她知道", ["翠花"]),  # a verb taking a person, softened by 一下
    ("找一下物业，让他们来修", []),
    ("问一下价格再说", []),
])
def test_a_given_name_after_a_softened_verb(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Kevin李：明天的会改到下午了", ["Kevin李"]),  # a message's speaker: an English name with a surname
    ("Note: 会议改期", []),
])
def test_an_english_name_with_a_surname_speaking_a_message(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("入住用户须知：请保管好门禁卡", []),  # a notice's heading after a role word (jieba tags 须知 as a name)
    ("共转移群众300余人，安置在镇中心小学。", []),  # 余 after a number is "more than", not a surname
    ("来电人余人杰反映路灯不亮", ["余人杰"]),
])
def test_words_after_a_number_or_a_role_that_are_no_names(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
