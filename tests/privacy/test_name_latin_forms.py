"""Names in Latin letters as Chinese text writes them: pinyin with a hyphen, a slash or a comma, the given name
first, Wade–Giles, an English nickname with the real name beside it, a contract's party.

Every sentence here is invented for this test (not from the evaluation corpus). Before, each name was missed or
cut (WANG Xiu-ying gave WANG Xiu; Ms. gave a name of its own).
"""

from __future__ import annotations

import pytest

from tests.privacy.person_names import person_names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a given name of two syllables joined by a hyphen, in capitals or not
        ("申请人英文名：WANG Xiu-ying", ["WANG Xiu-ying"]),
        ("护照上写的是Liu Yu-hang，跟身份证对不上", ["Liu Yu-hang"]),
        ("委托人Jiang Wei-dong（江卫东）", ["Jiang Wei-dong", "江卫东"]),
        # a booking's surname, a slash or a comma, then the given name
        ("乘客姓名HE/XIAOLI，航班取消未退款", ["HE/XIAOLI"]),
        ("收款人户名：ZHANG, Meiling", ["ZHANG, Meiling"]),
        # the given name first, the surname last
        ("邮件署名Jianguo LI，说是我们小区的业主", ["Jianguo LI"]),
        # Wade–Giles or Cantonese: a two-part given name joined in lower case
        ("台湾同胞Hsu Chih-ming咨询落户政策", ["Hsu Chih-ming"]),
        # a title before a full name stays outside the span and is no name of its own
        ("客户Ms. Gao Yan要求退款", ["Gao Yan"]),
        # an English nickname and the real name: in brackets, after a dash
        ("Amy（唐思琪）：明天开会吗", ["Amy", "唐思琪"]),
        ("Coco（方晓蕾）已入群", ["Coco", "方晓蕾"]),
        ("Tony-郑浩：收到", ["Tony", "郑浩"]),
        # a long transliteration in the bracket
        (
            "低保年审通知：Abdukerim Tohti（阿不都克力木·托合提）户请于本月到社区办理",
            ["Abdukerim Tohti", "阿不都克力木·托合提"],
        ),
        # a contract's party
        ("甲方：周立新\n乙方（承租方）：Park Jiwoo（韩国籍）", ["周立新", "Park Jiwoo"]),
    ],
)
def test_latin_forms_in_chinese_text(text: str, expected: list[str]) -> None:
    assert person_names(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "乙方（承租方）：Samsung Electronics（韩国）",  # a company after a party label
        "Apple（苹果）发布了新手机",  # a brand with its Chinese name
        "Wi-Fi密码是多少",
        "请用Word-文档格式提交",
    ],
)
def test_latin_words_that_name_no_one(text: str) -> None:
    assert person_names(text) == []


def test_the_given_name_first_only_as_a_whole_run() -> None:
    # Nguyen Van An is one name: Van An inside it is not a pinyin given name + surname
    assert person_names("留学生Nguyen Van An反映宿舍热水器坏了") == ["Nguyen Van An"]
