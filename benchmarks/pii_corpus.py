"""A labelled evaluation corpus for PII detection: realistic 12345 / 社会救助 texts.

Every text is composed from templates written for this corpus (hotline tickets,
social-assistance case notes, visit records) with the personal information
inserted at known offsets, so each text carries its gold spans. Identifiers
come from Faker zh_CN or are built with valid check characters; addresses
combine real GB/T 2260 districts with road, building and village patterns;
distractors (amounts, order numbers, dates, wrong check digits, 11-digit
numbers that are no phone numbers, words that start with a surname) are
mixed in unlabelled. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

from privacy.checksums import id_card_check_char, luhn_check_digit
from sandbox.regions import region_table

__all__ = ["LabelledText", "build_corpus", "id_number"]


@dataclass
class LabelledText:
    text: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, piece: str, entity: str | None = None) -> LabelledText:
        if entity:
            self.spans.append((len(self.text), len(self.text) + len(piece), entity))
        self.text += piece
        return self


_ROADS = ("人民路", "解放路", "中山北路", "建设大道", "文化路", "新华街", "和平路", "青年路", "滨江大道", "学院路",
          "长江路", "光明街", "胜利巷", "东风路", "朝阳路", "幸福大街", "环城西路", "工农路")
_ESTATES = ("阳光花园", "锦绣家园", "翠苑小区", "金色港湾", "东方名都", "怡景苑", "和谐新村", "丽水公寓")
_VILLAGE_PARTS = "东西南北上下前后大小新老马王李张杨黄石河山桥塘湾岭坪田林沟"
_ISSUES = ("反映小区楼道堆放杂物存在消防隐患", "反映低保金本月未到账", "咨询临时救助申请需要哪些材料",
           "投诉楼上住户夜间噪音扰民", "反映所在村道路灯损坏", "咨询高龄津贴发放标准", "反映物业擅自涨价",
           "反映家中老人无人照料希望社区帮助", "咨询残疾人两项补贴政策", "反映雨天道路积水出行不便")
_DISTRACTORS = ("订单号{order}已签收", "共计{amount}元", "于{date}提交申请", "工单编号{order}", "金额{amount}万元",
                "高度重视群众诉求", "方便群众办事", "马上安排人员核实", "万元以下的补助", "于是再次来电",
                "常年在外务工", "安全隐患较多", "文明城市创建", "黄色预警期间", "向阳花开", "年满{age}周岁")


def id_number(rng: random.Random, codes: list[str]) -> str:
    body = rng.choice(codes) + f"{rng.randint(1935, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    return body + id_card_check_char(body)


def _address(rng: random.Random, fake: Faker, districts: list[tuple[str, str]]) -> str:
    city, district = rng.choice(districts)
    style = rng.random()
    if style < 0.4:
        return (f"{city}{district}{rng.choice(_ROADS)}{rng.randint(1, 399)}号{rng.randint(1, 30)}幢"
                f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}室")
    if style < 0.6:
        village = "".join(rng.sample(_VILLAGE_PARTS, 2)) + "村"
        return f"{district}{rng.choice(('城关镇', '新安镇', '白石乡', '青山镇'))}{village}{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
    if style < 0.8:
        return f"{rng.choice(_ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 3)}单元{rng.randint(1, 25)}0{rng.randint(1, 4)}室"
    return fake.address().split(" ")[0]


def _distractor(rng: random.Random) -> str:
    pattern = rng.choice(_DISTRACTORS)
    return pattern.format(order=f"{rng.randint(2020, 2025)}{rng.randint(10**9, 10**10 - 1)}",
                          amount=f"{rng.randint(100, 99_999)}.{rng.randint(0, 99):02d}",
                          date=f"{rng.randint(2020, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                          age=rng.randint(60, 100))


def build_corpus(n: int = 600, *, seed: int = 20241124) -> list[LabelledText]:
    """``n`` labelled texts (hotline tickets, assistance case notes, visit records)."""
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    table = region_table()
    codes = [c for c in table if not c.endswith("00")]
    districts = [(table.get(c[:4] + "00", ""), table[c]) for c in codes if table[c].endswith("区")]
    districts = [(city if city not in ("市辖区", "") else "", d) for city, d in districts]
    corpus: list[LabelledText] = []
    for i in range(n):
        name, phone, ident = fake.name(), fake.phone_number(), id_number(rng, codes)
        address = _address(rng, fake, districts)
        doc = LabelledText()
        kind = i % 9
        if kind == 0:
            doc.add("市民").add(name, "PERSON").add("来电").add(rng.choice(_ISSUES)).add("，其家住")
            doc.add(address, "ADDRESS").add("，联系电话").add(phone, "PHONE_NUMBER").add("。")
        elif kind == 1:
            doc.add("救助对象：").add(name, "PERSON").add("，身份证号").add(ident, "CN_RESIDENT_ID")
            doc.add("，户籍地址").add(address, "ADDRESS").add("，").add(_distractor(rng)).add("。")
        elif kind == 2:
            doc.add(name, "PERSON").add(rng.choice(("先生", "女士"))).add("来电称").add(rng.choice(_ISSUES))
            doc.add("，回电号码").add(phone[:3] + "-" + phone[3:7] + "-" + phone[7:], "PHONE_NUMBER").add("。")
        elif kind == 3:
            payload = "62" + "".join(str(rng.randint(0, 9)) for _ in range(16))
            card = payload + luhn_check_digit(payload)
            doc.add("申请人").add(name, "PERSON").add("，").add(rng.choice(("男", "女"))).add("，")
            doc.add(str(rng.randint(60, 95))).add("岁，社保卡号").add(card, "BANK_CARD").add("，")
            doc.add(_distractor(rng)).add("。")
        elif kind == 4:
            plate = fake.license_plate()
            doc.add("网格员走访").add(address, "ADDRESS").add("，住户").add(name, "PERSON")
            doc.add("反映车牌").add(plate, "CN_LICENSE_PLATE").add("的车辆长期占用消防通道，")
            doc.add(_distractor(rng)).add("。")
        elif kind == 6:
            child = fake.name()
            doc.add("经核实，低保户").add(name, "PERSON").add("的儿子").add(child, "PERSON")
            doc.add("常年在外务工，").add(rng.choice(("去张家界打工", "在高新区上班", "在王府井附近开店")))
            doc.add("，家中仅老人独居于").add(address, "ADDRESS").add("。")
        elif kind == 7:
            doc.add(name, "PERSON").add("，").add(rng.choice(("男", "女"))).add(f"，{rng.randint(1930, 1960)}年生，")
            doc.add("持护照").add(f"E{rng.randint(10**7, 10**8 - 1)}", "PASSPORT").add("出境探亲，紧急联系电话")
            doc.add("+86 " + phone, "PHONE_NUMBER").add("，").add(_distractor(rng)).add("。")
        elif kind == 8:
            district = rng.choice(districts)[1]
            spot = f"{district}{rng.choice(_ROADS)}{rng.randint(1, 300)}号"
            doc.add("反映").add(spot, "ADDRESS").add("门口积水严重，来电人").add(name, "PERSON")
            doc.add("（港澳通行证").add(f"C{rng.randint(10**7, 10**8 - 1)}", "CN_HMT_PERMIT").add("）")
            doc.add("要求回复，").add(_distractor(rng)).add("。")
        else:
            email = fake.email()
            wrong = ident[:17] + ("0" if ident[17] != "0" else "1")
            doc.add("来信人").add(name, "PERSON").add("（邮箱").add(email, "EMAIL_ADDRESS")
            doc.add("）咨询政策，所附证件号").add(wrong).add("校验不通过，已电话").add(phone, "PHONE_NUMBER")
            doc.add("告知补正；").add(_distractor(rng)).add("。")
        corpus.append(doc)
    return corpus
