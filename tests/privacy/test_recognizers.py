"""Recognizers: generated identifiers are all found, look-alikes never, next to Chinese text."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from privacy.scanning import scan_text
from tests.privacy.pii_gen import make_unionpay, make_uscc, wrong_id_check


def _found(text: str, entity: str) -> list[str]:
    return [f.text for f in scan_text(text) if f.entity_type == entity]


def test_faker_resident_ids_all_found_with_explanation(fake: Faker) -> None:
    for _ in range(300):
        number = fake.ssn()
        assert _found(f"申请人身份证号码{number}已核实", "CN_RESIDENT_ID") == [number]
        assert _found(f"其证件{number}无误", "CN_RESIDENT_ID") == [number]


def test_resident_id_explanation_names_region_birth_and_check_digit() -> None:
    findings = scan_text("身份证号11010519491231002X", lang="zh")
    assert [f.entity_type for f in findings] == ["CN_RESIDENT_ID"]
    assert findings[0].explanation.startswith("地区码有效（北京市），出生日期有效（1949 年），校验位正确")
    english = scan_text("身份证号11010519491231002X", lang="en")[0].explanation
    assert english.startswith("valid region code (北京市), valid birth date (1949), check digit ok")


@pytest.mark.parametrize("text", ["身份证号11010519491231002X", "旧身份证110105491231002", "手机 13812345678",
                                  "电话 +86 138 1234 5678", "座机 0571-88881234", "卡号 6222021234567890128"])
def test_a_masked_finding_and_its_explanation_do_not_give_the_number_back(text: str) -> None:
    """The explanation is shown next to the masked value (page, CLI, JSON): it never holds the hidden digits."""
    for lang in ("zh", "en"):
        for finding in scan_text(text, lang=lang):
            digits = "".join(ch for ch in finding.text if ch.isdigit())
            # no five hidden digits in a row (the birth year, four, is said; a region code or date is not)
            middle = digits[3:-4]
            size = min(5, len(middle))
            hidden = [middle[k : k + size] for k in range(len(middle) - size + 1)]
            explained = "".join(ch for ch in finding.explanation if ch.isdigit())
            assert hidden and not any(h in explained for h in hidden), \
                (finding.masked, finding.explanation)


def test_retired_region_code_is_accepted_with_a_note() -> None:
    # 110103 北京市崇文区 was merged into 东城区 in 2010.
    from privacy.checksums import id_card_check_char

    number = "11010319800101123"
    number += id_card_check_char(number)
    findings = scan_text(f"身份证{number}")
    assert findings and findings[0].entity_type == "CN_RESIDENT_ID"
    assert "旧" in findings[0].explanation


def test_legacy_15_digit_id() -> None:
    assert _found("老身份证号110105491231002补办", "CN_RESIDENT_ID") == ["110105491231002"]


@pytest.mark.parametrize("text", [
    "身份证号11010519491231002{}",   # wrong check digit (filled below)
    "身份证号110105194902300021",    # 30 February
    "身份证号110105209912310027",    # born in the future
    "身份证号000000194912310021",    # no such region
])
def test_invalid_resident_ids_not_reported(text: str) -> None:
    if "{}" in text:
        text = wrong_id_check(text.replace("{}", "0")[4:])
        text = "身份证号" + text
    assert _found(text, "CN_RESIDENT_ID") == []


def test_faker_wrong_check_digits_never_reported(fake: Faker) -> None:
    for _ in range(200):
        assert _found(f"编号{wrong_id_check(fake.ssn())}", "CN_RESIDENT_ID") == []


def test_faker_phone_numbers_all_found(fake: Faker) -> None:
    for _ in range(300):
        number = fake.phone_number()
        assert _found(f"联系电话{number}请回电", "PHONE_NUMBER") == [number]


@pytest.mark.parametrize("number", [
    "+86 138 1234 5678", "+86-13812345678", "138-1234-5678", "0086 13812345678",
    "010-62345678", "(010)62345678", "（0571）87654321", "0755-86001234转123",
])
def test_phone_formats(number: str) -> None:
    assert _found(f"请拨打{number}联系", "PHONE_NUMBER") == [number]


@pytest.mark.parametrize("text", [
    "订单号12345678901已发货", "编号10012345678", "金额13800元", "共计1380000.00元",
    "单号20231124123456", "工单号HL2024000123", "数字11111111111",
])
def test_non_phone_numbers_not_reported(text: str) -> None:
    assert [f for f in scan_text(text) if f.entity_type == "PHONE_NUMBER"] == []


def test_bank_cards_found(fake: Faker) -> None:
    rng = random.Random(7)
    for _ in range(100):
        card = make_unionpay(rng, rng.choice([16, 17, 18, 19]))
        assert _found(f"银行卡号{card}开户行工商银行", "BANK_CARD") == [card]
    cards = Faker("en_US")
    cards.seed_instance(11)
    for card_type in ("visa16", "visa19", "mastercard", "jcb16", "discover"):
        for _ in range(20):
            card = cards.credit_card_number(card_type=card_type)
            assert _found(f"卡号{card}已冻结", "BANK_CARD") == [card]
    assert _found("卡号6222 0212 3456 7890 128转账", "BANK_CARD") == ["6222 0212 3456 7890 128"]


@pytest.mark.parametrize("text", [
    "卡号6222021234567890129转账",  # Luhn fails
    "订单号2023112412345678901",
    "金额6222021234567890128元的订单编号",
])
def test_bank_card_look_alikes_not_reported(text: str) -> None:
    if "订单编号" in text:
        text = "订单编号6222021234567890128"
    assert _found(text, "BANK_CARD") == []


def test_uscc() -> None:
    rng = random.Random(3)
    for _ in range(50):
        code = make_uscc(rng)
        assert _found(f"统一社会信用代码{code}的企业", "CN_USCC") == [code]
    code = make_uscc(rng)
    broken = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert _found(f"统一社会信用代码{broken}", "CN_USCC") == []


def test_passport_and_permits_with_context() -> None:
    assert _found("旅客护照号码E12345678入境", "PASSPORT") == ["E12345678"]
    assert _found("护照EA1234567已过期", "PASSPORT") == ["EA1234567"]
    assert _found("往来港澳通行证C12345678办理", "CN_HMT_PERMIT") == ["C12345678"]
    assert _found("回乡证H12345678", "CN_HMT_PERMIT") == ["H12345678"]
    assert _found("台胞证12345678到期", "CN_HMT_PERMIT") == ["12345678"]
    # Without context a bare letter+digits code is not reported.
    assert _found("型号E12345678的配件", "PASSPORT") == []
    assert _found("共12345678人次", "CN_HMT_PERMIT") == []


def test_license_plates(fake: Faker) -> None:
    for _ in range(100):
        plate = fake.license_plate()
        assert _found(f"车牌{plate}违停", "CN_LICENSE_PLATE") == [plate]
    for plate in ("京A12345", "粤B·D12345", "沪AD12345", "苏E12345F", "浙A 8K9J2"):
        assert _found(f"车辆{plate}停在小区门口", "CN_LICENSE_PLATE") == [plate]


def test_email_does_not_swallow_chinese_prefix(fake: Faker) -> None:
    for _ in range(100):
        email = fake.email()
        assert _found(f"邮箱{email}请回复", "EMAIL_ADDRESS") == [email]
    assert _found("发送至zhang.san@gov.cn即可", "EMAIL_ADDRESS") == ["zhang.san@gov.cn"]
    assert _found("张三@某单位", "EMAIL_ADDRESS") == []


def test_ip_addresses(fake: Faker) -> None:
    for _ in range(50):
        v4, v6 = fake.ipv4(), fake.ipv6()
        assert _found(f"登录IP{v4}异常", "IP_ADDRESS") == [v4]
        assert _found(f"来源地址{v6}记录", "IP_ADDRESS") == [v6]
    assert _found("版本1.2.3.4发布", "IP_ADDRESS") == []
    assert _found("时间10:30:00到", "IP_ADDRESS") == []
    assert _found("地址999.1.1.1无效", "IP_ADDRESS") == []


@pytest.mark.parametrize(("text", "name"), [
    ("市民王秀英来电反映", "王秀英"),
    ("联系人：李建国，电话见附件", "李建国"),
    ("张伟先生反映小区停车难", "张伟"),
    ("低保户陈桂兰，女，73岁", "陈桂兰"),
    ("欧阳娜娜女士咨询社保", "欧阳娜娜"),
    ("申请人刘洋称其母亲", "刘洋"),
])
def test_person_names(text: str, name: str) -> None:
    assert _found(text, "PERSON") == [name]


@pytest.mark.parametrize("text", [
    "高度重视群众诉求", "方便群众办事", "马上处理", "万元以上的补贴", "于是前往现场", "常年无人居住",
    "安全隐患较多", "黄色预警", "和平路附近",
])
def test_words_starting_with_surnames_are_not_names(text: str) -> None:
    assert _found(text, "PERSON") == []


@pytest.mark.parametrize(("text", "address"), [
    ("其住在朝阳区建国路88号3号楼2单元501室，", "朝阳区建国路88号3号楼2单元501室"),
    ("家住浙江省杭州市西湖区文三路259号", "浙江省杭州市西湖区文三路259号"),
    ("现住某某镇幸福村三组，生活困难", "某某镇幸福村三组"),
    ("地址：青海省娜市花溪重庆街R座", "青海省娜市花溪重庆街R座"),
])
def test_addresses(text: str, address: str) -> None:
    assert _found(text, "ADDRESS") == [address]


@pytest.mark.parametrize("text", ["朝阳区人民政府", "反映杭州市的交通问题", "区县两级联动"])
def test_places_without_street_are_not_addresses(text: str) -> None:
    assert _found(text, "ADDRESS") == []


def test_every_recognizer_next_to_chinese_without_spaces() -> None:
    text = (
        "市民王秀英身份证11010519491231002X电话13812345678邮箱wang@example.com住朝阳区建国路88号501室"
        "车牌京AD12345银行卡6222021234567890128护照E12345678港澳通行证C12345678登录IP192.168.1.10"
    )
    found = {f.entity_type: f.text for f in scan_text(text)}
    assert found == {
        "PERSON": "王秀英",
        "CN_RESIDENT_ID": "11010519491231002X",
        "PHONE_NUMBER": "13812345678",
        "EMAIL_ADDRESS": "wang@example.com",
        "ADDRESS": "朝阳区建国路88号501室",
        "CN_LICENSE_PLATE": "京AD12345",
        "BANK_CARD": "6222021234567890128",
        "PASSPORT": "E12345678",
        "CN_HMT_PERMIT": "C12345678",
        "IP_ADDRESS": "192.168.1.10",
    }


def test_phone_plan_agrees_with_libphonenumber(fake: Faker) -> None:
    import phonenumbers
    from phonenumbers import PhoneNumberType

    from privacy.recognizers.phone import _parse

    rng = random.Random(5)
    samples = [fake.phone_number() for _ in range(200)]
    samples += [f"1{rng.randint(0, 9)}{rng.randint(0, 10**9 - 1):09d}" for _ in range(500)]
    samples += [f"0{rng.randint(10, 999)}-{rng.randint(2_000_000, 89_999_999)}" for _ in range(300)]
    for sample in samples:
        try:
            number = phonenumbers.parse(sample, "CN")
        except phonenumbers.NumberParseException:
            number = None
        # Personal numbers only: mobile and fixed lines (not 95xxx service numbers, toll-free …).
        expected = number is not None and phonenumbers.is_valid_number(number) and phonenumbers.number_type(
            number) in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
        assert (_parse(sample) is not None) == expected, sample


def test_id_with_wrong_check_digit_is_not_a_bank_card() -> None:
    wrong = wrong_id_check("43098119390524822X")
    assert [f.entity_type for f in scan_text(f"所附证件号{wrong}校验不通过")] == []


@pytest.mark.parametrize(("text", "address"), [
    ("其家住东方名都24栋1单元1402室，联系电话", "东方名都24栋1单元1402室"),
    ("家住那曲市色尼区胜利巷111号19幢3单元1302室，", "那曲市色尼区胜利巷111号19幢3单元1302室"),
    ("户籍地址杭州市临安区天目山镇一都村3组47号；", "杭州市临安区天目山镇一都村3组47号"),
    ("网格员走访和谐新村14栋3单元302室，住户", "和谐新村14栋3单元302室"),
])
def test_addresses_after_trigger_words(text: str, address: str) -> None:
    assert _found(text, "ADDRESS") == [address]


def test_batch_scan_equals_one_by_one() -> None:
    from privacy.scanning import scan_texts

    texts = [
        "市民王秀英来电，电话13812345678", "", "身份证号11010519491231002X", "张伟先生住朝阳区建国路88号501室",
        "联系人李建国", "邮箱a@example.com\x00电话13912345678",
    ]
    batch = [(f.row, f.entity_type, f.start, f.end) for f in scan_texts(texts)]
    single = [(i, f.entity_type, f.start, f.end) for i, t in enumerate(texts) for f in scan_text(t)]
    assert batch == single
