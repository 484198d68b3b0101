"""Identifiers as people write them: grouped, hyphenated, full-width, +86, split over a line.

Each is validated after normalisation and reported with its span in the original text; the
label before it (身份证号：, 电话, 住址) is never part of the span.
"""

from __future__ import annotations

import pytest

from privacy.checksums import id_card_check_char, luhn_check_digit
from privacy.recognizers._numbers import normalise_digits, number_spans
from privacy.scanning import scan_text, scan_texts

_BODY = "33011219530428971"
ID = _BODY + id_card_check_char(_BODY)  # 330112 浙江省杭州市临安区, 1953-04-28
_CARD_BODY = "622202123456789012"
CARD = _CARD_BODY + luhn_check_digit(_CARD_BODY)
_FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _spans(text: str, entity: str) -> list[str]:
    found = [f for f in scan_text(text) if f.entity_type == entity]
    for finding in found:
        assert text[finding.start : finding.end] == finding.text
    return [f.text for f in found]


@pytest.mark.parametrize("written", [
    f"{ID[:4]} {ID[4:8]} {ID[8:12]} {ID[12:16]} {ID[16:]}",
    f"{ID[:6]}-{ID[6:14]}-{ID[14:]}",
    f"{ID[:6]} {ID[6:14]} {ID[14:]}",
    ID.translate(_FULL),
    f"{ID[:10]}\n{ID[10:]}",
    f"{ID[:6]}.{ID[6:14]}.{ID[14:]}",
])
def test_grouped_resident_ids_found_as_written(written: str) -> None:
    text = f"身份证号：{written}，请核对"
    assert _spans(text, "CN_RESIDENT_ID") == [written]
    finding = next(f for f in scan_text(text, lang="en") if f.entity_type == "CN_RESIDENT_ID")
    assert finding.explanation.startswith("valid region code (浙江省), valid birth date (1953), check digit ok")
    assert finding.start == len("身份证号：")


def test_lower_case_x_check_character() -> None:
    body = "11010519491231002"
    number = body + id_card_check_char(body)
    assert number.endswith("X")
    lower = number[:-1] + "x"
    assert _spans(f"证件号码{lower}。", "CN_RESIDENT_ID") == [lower]
    grouped = f"{lower[:6]} {lower[6:14]} {lower[14:]}"
    assert _spans(f"证件号码{grouped}。", "CN_RESIDENT_ID") == [grouped]


def test_grouped_id_with_wrong_check_digit_is_not_reported() -> None:
    wrong = ID[:17] + ("0" if ID[17] != "0" else "1")
    assert _spans(f"身份证号 {wrong[:4]} {wrong[4:8]} {wrong[8:12]} {wrong[12:16]} {wrong[16:]}", "CN_RESIDENT_ID") == []


@pytest.mark.parametrize("written", [
    "+86 138 1234 5678", "+86-138-1234-5678", "(+86)13812345678", "（+86）138 1234 5678", "0086 138-1234-5678",
    "+8613812345678", "１３８１２３４５６７８", "138.1234.5678", "138 1234\n5678", "138－1234－5678",
    "0571-8888 1234", "(0571)88881234", "0571-88881234转8012", "+86 (0)138 1234 5678",
])
def test_phone_numbers_found_as_written(written: str) -> None:
    assert _spans(f"联系电话：{written}，谢谢", "PHONE_NUMBER") == [written]


@pytest.mark.parametrize("written", [
    f"{CARD[:4]}-{CARD[4:8]}-{CARD[8:12]}-{CARD[12:16]}-{CARD[16:]}",
    f"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}",
    CARD.translate(_FULL),
    f"{CARD[:8]}\n{CARD[8:]}",
])
def test_bank_cards_found_as_written(written: str) -> None:
    assert _spans(f"银行卡号：{written}。", "BANK_CARD") == [written]


def test_several_numbers_in_one_run_are_cut_apart() -> None:
    text = f"2024-05-01 13812345678 13912345678 {ID}"
    found = [(f.entity_type, f.text) for f in scan_text(text)]
    assert found == [("PHONE_NUMBER", "13812345678"), ("PHONE_NUMBER", "13912345678"), ("CN_RESIDENT_ID", ID)]


@pytest.mark.parametrize("written", [
    f"13812345678{ID[:4]} {ID[4:8]} {ID[8:12]} {ID[12:16]} {ID[16:]}",  # a form row flattened: phone, then ID
    f"13812345678{ID}",
    f"{ID}13812345678",
])
def test_a_phone_glued_to_an_id_is_cut_where_both_validate(written: str) -> None:
    found = sorted((f.start, f.entity_type, f.text) for f in scan_text(f"罗晓彤女{written}宿州市"))
    assert [(kind, normalise_digits(value)) for _, kind, value in found if kind != "PERSON"] == sorted(
        [("PHONE_NUMBER", "13812345678"), ("CN_RESIDENT_ID", ID)], key=lambda p: written.index(p[1][:4]))


def test_a_long_number_is_not_cut_into_a_phone_and_a_weak_rest() -> None:
    # 11 digits that pass as a mobile number and a rest that is no valid ID: one order number, nothing found
    assert scan_text("订单号 138123456781234567890", entities=["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD"]) == []
    assert scan_text(f"编号 13812345678{ID[:17]}{'0' if ID[17] != '0' else '1'}",
                     entities=["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD"]) == []


@pytest.mark.parametrize("text", [
    "金额 1380 0000 元", "编号 2023 1124 1234 5678 901", "日期 2024-05-01", "版本 13.8.1234",
    "共计1380000.00元", "尾号 5678",
])
def test_number_look_alikes_are_not_identifiers(text: str) -> None:
    assert scan_text(text, entities=["CN_RESIDENT_ID", "PHONE_NUMBER", "BANK_CARD"]) == []


@pytest.mark.parametrize(("text", "address"), [
    ("住址杭州市西湖区文三路259号", "杭州市西湖区文三路259号"),
    ("住址：杭州市西湖区文三路259号3幢", "杭州市西湖区文三路259号3幢"),
    ("家庭住址浙江省杭州市临安区锦城街道钱王街1号", "浙江省杭州市临安区锦城街道钱王街1号"),
    ("现住址临安区锦城街道钱王街1号", "临安区锦城街道钱王街1号"),
    ("地址拱墅区大关街道东一苑3幢2单元401，", "拱墅区大关街道东一苑3幢2单元401"),
    ("我家地址：西湖区文二路391号西湖国际科技大厦A座1102，", "西湖区文二路391号西湖国际科技大厦A座1102"),
])
def test_address_span_never_starts_inside_its_label(text: str, address: str) -> None:
    assert _spans(text, "ADDRESS") == [address]


def test_batch_and_single_agree_on_messy_numbers() -> None:
    texts = [f"身份证 {ID[:6]} {ID[6:14]} {ID[14:]}", "电话+86 138 1234 5678", f"卡号{CARD[:4]}-{CARD[4:]}"]
    batch = [(f.row, f.entity_type, f.start, f.end) for f in scan_texts(texts)]
    single = [(i, f.entity_type, f.start, f.end) for i, t in enumerate(texts) for f in scan_text(t)]
    assert batch == single and len(batch) == 3


def test_normalised_digits_and_column_cells() -> None:
    from privacy.recognizers import BankCardRecognizer, PhoneRecognizer, ResidentIdRecognizer

    assert normalise_digits("３３０１ １２１９-x") == "330112 19X".replace(" ", "")
    assert ResidentIdRecognizer().fullmatch(f" {ID[:6]} {ID[6:14]} {ID[14:]} ") is not None
    assert PhoneRecognizer().fullmatch("+86 138-1234-5678") is not None
    assert BankCardRecognizer().fullmatch(f"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}") is not None
    assert ResidentIdRecognizer().fullmatch(f"身份证{ID}") is None
    assert [s.kind for s in number_spans(f"{ID}\x00{CARD}")] == ["CN_RESIDENT_ID", "BANK_CARD"]


@pytest.mark.parametrize("written", ["0086 571 8613 2207", "+86 571 8613 2207", "+86-21-6432-1234"])
def test_landline_written_for_callers_abroad_without_its_trunk_zero(written: str) -> None:
    text = f"请按备用号码{written}回电"
    found = [(f.text, f.entity_type) for f in scan_text(text)]
    assert found == [(written, "PHONE_NUMBER")]
    assert scan_text("571 8613 2207") == [] and scan_text("编号57186132207") == []  # no prefix: not a phone


@pytest.mark.parametrize(("text", "phone"), [
    ("回拨号码是幺五九 零六七七 四幺二八 谢谢", "幺五九 零六七七 四幺二八"),
    ("家属手机一五八 二二四一 七七零六，白天打", "一五八 二二四一 七七零六"),
    ("号码是159 零六七七 四幺二八 嗯就这个", "159 零六七七 四幺二八"),
    ("座机零五七幺 八六幺三 二二零七", "零五七幺 八六幺三 二二零七"),
    ("对讲机里报的号码：幺三拐 洞洞勾幺 五五六八，收到", "幺三拐 洞洞勾幺 五五六八"),  # radio speech: 洞 0, 拐 7, 勾 9
])
def test_phone_numbers_read_out_in_chinese_digits(text: str, phone: str) -> None:
    assert _spans(text, "PHONE_NUMBER") == [phone]


@pytest.mark.parametrize("text", ["一二三四五六七八九十", "二〇二六年十二月七日", "第一二三四五组", "三三三三三三三三三三三",
                                  "前面路口往左拐三百米再勾选一下"])
def test_chinese_numerals_that_are_not_read_out_numbers(text: str) -> None:
    assert [f.entity_type for f in scan_text(text) if f.entity_type in ("PHONE_NUMBER", "CN_RESIDENT_ID")] == []


def test_an_id_read_out_in_chinese_digits() -> None:
    spoken = ID.translate(str.maketrans("0123456789", "零幺二三四五六七八九"))
    assert _spans(f"他说身份证是{spoken}对吧", "CN_RESIDENT_ID") == [spoken]


def test_a_landline_in_a_table_row_is_a_phone_not_part_of_an_address() -> None:
    text = "责任人\t路段\t电话\n罗金城\t光华路\t0571-8613 2207\n"
    assert _spans(text, "PHONE_NUMBER") == ["0571-8613 2207"]
    assert _spans(text, "ADDRESS") == []


@pytest.mark.parametrize(("text", "number"), [
    ("外籍人员登记：护照号：KJ4471902，国籍：泰国", "KJ4471902"),
    ("证件类型：护照　证件号码：B61739204", "B61739204"),
    ("委托人Ivan Petrov（护照 71 4412963）", "71 4412963"),
    ("passport no. 548812307", "548812307"),
    ("护照 EA6612394", "EA6612394"),
    ("姓名（拼音）：WANG LEI　护照号码：E5531 2874　签发地：浙江", "E5531 2874"),   # a Chinese one in two groups
    ("护照号 G 45120937，有效期至2031年", "G 45120937"),
    ("Name: LIU Yang　Nationality: China　Passport No.: E48213579", "E48213579"),  # a returnee's English form
    ("Passport Number: G12873465", "G12873465"),
])
def test_passports_of_other_countries_after_the_word_passport(text: str, number: str) -> None:
    assert _spans(text, "PASSPORT") == [number]


@pytest.mark.parametrize("text", ["我的护照丢了，快递单号SF1234567", "工号KJ4471902", "订单 548812307", "护照号码：A1111111",
                                  "型号E5531 2874的配件", "E1111 1111"])
def test_other_codes_are_not_passports(text: str) -> None:
    assert _spans(text, "PASSPORT") == []
