"""Vetoes for name findings: businesses, estates, idioms, function words read as surnames.

* a finding followed by a shop, brand, company or office word names the business (张小泉剪刀店,
  卫健部门), unless a role word introduced it;
* a ·-joined brand and estate (融创·壹号院) is an address, not a transliterated name;
* a model name that is a four-character idiom or half of one (欣欣向荣);
* a rule candidate whose "surname" the model reads as a one-character preposition before a
  time or number word (低保户|于|本周);
* a model name that took a neighbour (``trim_model_name``): a kin word before a full name
  (其|孙|郝天乐), a form label after it (雷金发|关系夫), the verb after a known name
  (穆罕默德|拉进来), a spelt-out surname after a space (陈 耳东陈: dropped), 家/户 after a name said before (麦克|家养的狗), or a time word after a
  surname (小谢|明天去 — dropped; 小谢 is a familiar form).
"""

from __future__ import annotations

import functools
import re

from privacy.recognizers._base import Hit
from privacy.recognizers._lac import Words
from privacy.recognizers._person_rules import (
    _AFTER_GENDER,
    PREFIX_CONTEXT,
    SUFFIX_CONTEXT,
    _jieba_tables,
    jieba_word,
    surnames,
)

__all__ = ["ESTATE", "ITEMS_BEFORE", "LIST_END", "brand", "business_list", "function_word_start", "in_idiom", "said_of_a_person", "starts_word", "trim_model_name"]

# A ·-joined brand and estate (融创·壹号院), not a transliterated name.
ESTATE = re.compile("[·•・][\u4e00-\u9fff]{0,4}(?:[院苑府园湾城墅庭邸舍](?![\u4e00-\u9fff])|[壹贰叁][号])")
# A name followed by a shop, brand or company word is the business's name (张小泉剪刀店, 周大福金店).
_BUSINESS = re.compile(
    "(?:专卖店|旗舰店|门店|店|剪刀|金店|珠宝|百货|商店|商行|超市|餐厅|饭店|酒店|酒楼|公司|集团|"
    "品牌|牌|药店|大药房|连锁|火锅|面馆|诊所|工作室|有限|商贸|汽修|装饰|网吧|烧烤|小吃|奶茶|书店|理发|"
    "部门|系统|窗口|麻辣烫|米线|快餐|餐饮|食品|水果|蛋糕|烘焙|包子|饺子|炸鸡|烤鸭|"
    "生鲜|菜市场|市场|经销|专柜|门市|方便面|冰淇淋|雪糕|矿泉水|饮料)")

_FUNCTION_TAGS = frozenset(("p", "c", "u", "d"))
_NOT_GIVEN_TAGS = frozenset(("TIME", "f", "m", "r", "q", "v", "d", "p"))


def function_word_start(words: Words, hit: Hit) -> bool:
    """True when the model reads the rule's surname as a one-character function word and what follows as
    a time, place-direction, number or verb word (于|本周, 与|此同时) — not a name."""
    first = words.at(hit.start)
    if first is None or first[0] != hit.start + 1 or first[1] not in _FUNCTION_TAGS:
        return False
    rest = words.at(hit.start + 1)
    return rest is not None and rest[1] in _NOT_GIVEN_TAGS


def in_idiom(text: str, start: int, end: int) -> bool:
    """A model name that is a four-character idiom or half of one (欣欣向荣, 欣欣|向荣, 自强|不息)."""
    if end - start == 4:
        return jieba_word(text[start:end], min_freq=5)  # 欣欣向荣 read whole as a name
    return end - start == 2 and (jieba_word(text[start : start + 4], min_freq=5)
                                 or (start >= 2 and jieba_word(text[start - 2 : end], min_freq=5)))


def starts_word(text: str, at: int) -> bool:
    """True when text[at] begins a common two-character word with the next character (孔德明|代为)."""
    return jieba_word(text[at : at + 2], min_freq=200)


def brand(text: str, hit: Hit) -> bool:
    """A finding that names a business, not a person: followed by 店/公司/品牌 …, or an item of an enumeration
    that 等 closes with a word for businesses (钟薛高（…店）、武昌鱼馆等门店; “吴裕泰”“张一元”等茶叶门店); not 商户/商家, who
    may be people (李明、王芳等商户); no role word before it."""
    if hit.context_word in PREFIX_CONTEXT:
        return False
    if _BUSINESS.match(text, hit.end) is not None:
        return True
    if (hit.context_word not in SUFFIX_CONTEXT and _listed_brand(text[hit.start : hit.end])
            and not said_of_a_person(text, hit.start) and _PARENT_AFTER.match(text, hit.end) is None
            and _AFTER_GENDER.match(text, hit.end) is None):  # 李宁，女，1936年生: a person
        return True  # 张小泉的剪刀, 王老吉凉茶: a listed brand that no word for a person vouches for
    return "等" in text and business_list(text, hit.end)


# A child's pet name before the parent it names (柚子妈妈, 花生爸爸): a person, though the word is a food.
_PARENT_AFTER = re.compile("妈妈|爸爸|奶奶|爷爷|姥姥|姥爷|外婆|外公|家长")
# Spouses and partners said right before a name (她老公周大福): a person, whatever else the name is.
_PARTNERS = frozenset(("老公", "老婆", "媳妇", "爱人", "对象", "男友", "女友", "男朋友", "女朋友", "前夫", "前妻"))


def said_of_a_person(text: str, start: int) -> bool:
    """A word for a person (店员, 老公, 邻居) right before ``start``."""
    from privacy.recognizers._person_rules import PERSON_NOUNS

    return any(w in PERSON_NOUNS or w in PREFIX_CONTEXT or w in _PARTNERS
               for w in (text[max(0, start - k) : start] for k in (2, 3)))


@functools.cache
def _listed() -> frozenset[str]:
    from privacy.recognizers.person import _not_names

    return _not_names()


def _listed_brand(value: str) -> bool:
    """``value`` is a brand, product or thing of ``data/not_names.txt`` (李宁, 张小泉), or starts with one of three
    characters or more (王老吉凉茶)."""
    listed = _listed()
    return value in listed or (len(value) >= 4 and any(value[:k] in listed for k in range(3, len(value))))


# The rest of an enumeration after an item, closed by 等 and a word for businesses (not 企业代表/企业家: people).
_QUOTE_END = "[”\"」』]?"
_ITEM_REST = f"{_QUOTE_END}(?:[（(][^）)]{{1,12}}[）)])?"
ITEMS_BEFORE = f"{_ITEM_REST}(?:[、，,]?[“\"「『]?[\u4e00-\u9fff·]{{2,8}}{_ITEM_REST})*"  # the rule as written
LIST_END = re.compile(
    "等(?:多家|几家|数家|一批|[0-9一二两三四五六七八九十百]+家)?[\u4e00-\u9fff]{0,4}?"
    "(?:企业|门店|品牌|店铺|厂家|餐馆|饭店|超市|老字号|连锁店|商铺)(?!代表|负责人|法人|老板|员工|职工|家|主)"
)
# ITEMS_BEFORE read without backtracking: its items (2–8 characters, nothing between them required) join into
# runs of 2+ characters, so it is the same language as runs of 2+ read whole (possessive) with non-empty gaps
# (closing quote, bracketed aside, separator, opening quote) between them. Matched as written, a sentence's
# worth of characters before a 等 that closes no list of businesses was split every possible way: real-text
# scans went from ~1,300 to ~120 sentences per CPU second. tests/privacy/test_name_vetoes_speed.py compares both.
_HAN_RUN = "[\u4e00-\u9fff·]{2,}+"
_ITEMS = re.compile(
    f"(?>{_ITEM_REST})(?:(?>[、，,]?[“\"「『]?){_HAN_RUN}"
    f"(?:(?=[^\u4e00-\u9fff·])(?>{_ITEM_REST}[、，,]?[“\"「『]?){_HAN_RUN})*(?>{_ITEM_REST}))?"
)
# How far items can reach: characters they may hold and whole bracketed asides (≤ 12 characters inside).
_REACH = re.compile("(?:[\u4e00-\u9fff·、，,“\"「『”」』]|[（(][^）)]{1,12}[）)])*+")


def business_list(text: str, at: int) -> bool:
    """True when ``text[at:]`` starts with the rest of an enumeration closed by 等 and a word for businesses
    (``re.match(ITEMS_BEFORE + LIST_END.pattern, text[at:])``): every 等 the items can reach is tried once."""
    end = _REACH.match(text, at).end()  # type: ignore[union-attr]  # matches the empty string at least
    close = text.find("等", at, end)
    while close >= 0:
        if _ITEMS.fullmatch(text, at, close) is not None and LIST_END.match(text, close) is not None:
            return True
        close = text.find("等", close + 1, end)
    return False


# Form labels that a model name can run into when a form is written without separators.
_LABEL_INSIDE = re.compile("关系|性别|年龄|民族|电话|住址|职业|手机|身份证|联系")
_KIN_BEFORE = frozenset("妻夫子女孙侄")
_VERB_TAGS = frozenset(("v", "vd", "vn"))
# Days and times of day said right after a familiar name (小谢明天去, 老王今晚来); not 国庆/老四 (given names too).
_DAY_WORDS = frozenset(("今天", "明天", "昨天", "后天", "前天", "今晚", "明晚", "昨晚", "上午", "下午", "中午", "晚上",
                        "早上", "明早", "刚才", "马上"))


def trim_model_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The model's name without a neighbour it took (see the module docstring); None to drop it."""
    tags, freq, _ = _jieba_tables()
    single, compound = surnames()
    if " " in text[start:end]:
        from privacy.recognizers.person import _not_names

        tail = text[start : end + 3]
        if any(part in _not_names() for part in text[start:end].split(" ")) or any(
                word in tail and tail.find(word) < end - start for word in _not_names() if len(word) == 3):
            return None  # 陈 耳东陈, 李 木子|李: a caller spelling the surname out, not a name
    if (end - start == 4 and start and text[start - 1] in "其之" and text[start] in _KIN_BEFORE
            and text[start + 1] in single and text[start : start + 2] not in compound):
        start += 1  # 其孙|郝天乐代笔: the grandson's name, not 孙郝天乐
    label = _LABEL_INSIDE.search(text, start + 2, end)
    if label is not None:
        end = label.start()  # 联系人雷金发|关系夫电话: a form written without separators
    if end - start >= 3 and tags.get(text[start : end - 1], "").startswith("nr") \
            and tags.get(text[end - 1 : end + 1]) in _VERB_TAGS and freq.get(text[end - 1], 0) > 1000:
        end -= 1  # 穆罕默德|拉进来: a known name, then a verb
    if end - start >= 3 and text[end - 1] in "家户" and text.count(text[start : end - 1]) >= 2:
        end -= 1  # 麦克的邻居…麦克家养的狗: the household of a name said before
    if end - start == 3 and text[start] in single and text[start + 1 : end] in _DAY_WORDS:
        return None  # 小谢|明天去: a surname and a time word
    return (start, end) if end - start >= 2 else None
