"""Names in the slot after a strong cue: whoever a role, kin or form word introduces is named next.

After a word that is always followed by a person — a role ending in 人 (来电人, 借款人), a kin word
(父亲, 叔叔, 表姐), a job title (经理, 会计), an IOU's 今借到/今收到, a boundary in a 宅基地 notice
(东至 … 宅) — what comes next is read as surname + one or two characters, whatever the model's word
boundaries say (来电人万家齐（…）, 父亲乐本和是…, 今借到谈国华现金, 新任经理温新移交, 东至甄茂森宅). The
slot's end is where the text goes on in a way a name is followed: a boundary (punctuation, a digit,
the end), a word (移交, 现金, 沟通), or a one-character function word (是, 说, 的). A character that
often ends a clause or a family (和, 家, 大) may end a given name only before a boundary or a person's
act (乐本和|是; not 王明|和母亲). Not a name: a word for people or a label (来电人称, 父亲节), a common word
(父亲常年…), a place or an organisation the model read there.

The slot wins against a shorter or shifted reading of the same name; a longer name that starts at the
same place (an element name the surname list cuts, 乌日古木勒) is left as it is.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable

from privacy.recognizers._base import SEPARATOR, Hit, Verdict
from privacy.recognizers._lac import Words
from privacy.recognizers._person_rules import (
    _LABEL_WORDS,
    PERSON_NOUNS,
    PREFIX_CONTEXT,
    SUFFIX_CONTEXT,
    _jieba_tables,
    jieba_word,
    name_char_score,
    surnames,
)
from privacy.recognizers._spans import Overlaps

__all__ = ["SLOT_SCORE", "aged_names", "cued_names", "merge_slots"]

SLOT_SCORE = 0.9
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Kin words and job titles before a name (their own words, not the surname-led 王叔叔 forms).
_KIN_CUES = ("叔叔", "伯伯", "舅舅", "姑姑", "姑妈", "姨妈", "舅妈", "婶婶", "伯母", "表哥", "表姐", "表弟", "表妹",
             "堂哥", "堂姐", "堂弟", "堂妹", "姐夫", "妹夫", "嫂子", "弟媳", "儿媳", "女婿", "侄女", "外甥", "外甥女",
             "老公", "老婆", "爱人", "前夫", "前妻", "继子", "养子", "养女", "大儿子", "小儿子", "大女儿", "小女儿")
_JOB_CUES = ("经理", "总经理", "副经理", "项目经理", "厂长", "站长", "所长", "队长", "会计", "出纳", "老板", "律师", "法官",
             "班主任", "辅导员", "包工头", "工头", "队员", "组员", "成员", "店长", "经纪人")
# A receipt's or an IOU's opening: 今借到X现金…, 今收到X交来…
_IOU_CUES = ("今借到", "今借", "今收到", "兹收到", "今欠", "借款人", "出借人", "贷款人", "付款人", "领款人", "交款人", "缴款人",
             "出租人", "承租人", "出卖人", "买受人", "转让人", "受让人", "继承人", "赡养人", "抚养人")
# Not strong: words for people in general, or that also introduce a place (我是, 叫, 老人).
_WEAK = frozenset(("老人", "病人", "工人", "本人", "独居老人", "孤寡老人", "残疾人", "老人家", "我是", "叫", "认识", "请联系",
                   "冒充", "转发给", "对象", "学生", "儿童", "农民", "农民工", "教师", "军人", "退役军人", "志愿者", "群众",
                   "员工", "职工", "@", "＠", "电话联系", "已联系", "联系上", "转告", "告知", "任命", "委托", "免去",
                   "兹有", "主持人", "文/", "图/", "文丨", "图丨", "文｜", "图｜", "摄影", "摄像", "校对", "责编", "美编",
                   "撰文", "记者", "通讯员", "实习生", "编辑", "责任编辑", "顾问", "销售顾问", "坐席", "调解员",
                   # Words for a population, not one person's slot (居民|养老保险, 用户|满意度).
                   "市民", "居民", "村民", "住户", "用户", "客户", "家长", "家属", "患者", "患者家属", "病人", "租户"))
# 四至 of a plot: 东至甄茂森宅 — a name only when a home or a field of someone's follows.
_BOUNDS = re.compile("[东西南北](?:至|邻|靠)[：:]?")
_BOUNDS_AFTER = re.compile("宅|家|户|房|屋|地|田|承包|责任田|自留地")
# Never inside a given name.
_HARD = frozenset("的了是在我你他她它们这那有没不也都就又还或等说称向对被把给将从到去来地得着过个些么吗呢吧啊其某"
                  "，。、；：！？")
# Inside a given name only before a boundary or a person's act.
_SOFT = frozenset("和与及跟同家大户")
# One-character words that follow a name.
_FOLLOW_CHARS = frozenset("是说称在的和与及跟等也都已将把被向对给今于从到为因来去要不没又还就才曾系现年")
_ACTS = re.compile("是|系|说|称|反映|来电|表示|今年|现年|同志|于|因|已|在|的")
_PEOPLE_AFTER = re.compile("(?:母亲|父亲|妻子|丈夫|儿子|女儿|孩子|家人|老伴|爱人|[妻夫子女父母兄弟姐妹])")


# The model's one-character words that end a name before them (祁磊|患, 梅林|讲, 房佳|已, 严丽|已).
_AFTER_NAME_POS = frozenset(("v", "d", "p", "u"))
# The model's reading of the "surname" as a function word (老伴|都|满, 申请人|于|收到).
_FUNCTION_POS = frozenset(("d", "p", "c", "u", "r"))


@functools.cache
def _cue_pattern() -> re.Pattern[str]:
    strong = {w for w in PREFIX_CONTEXT if w not in _WEAK and len(w) >= 2}
    strong |= {*_KIN_CUES, *_JOB_CUES, *_IOU_CUES}
    alternation = "|".join(sorted(strong, key=len, reverse=True))
    return re.compile(f"(?:{alternation})[：:]?[ \u3000]?")


def _boundary(text: str, at: int) -> bool:
    return at >= len(text) or _HAN.match(text[at]) is None


def _word_at(text: str, at: int, words: Words) -> bool:
    """A common word starts at ``at`` (移交, 现金, 沟通), a one-character function word, or a verb the
    model reads there (患, 讲)."""
    if at >= len(text):
        return True
    model = words.at(at)
    if text[at] in _FOLLOW_CHARS or (model is not None and model[1] in _AFTER_NAME_POS):
        return True
    _, freq, _ = _jieba_tables()
    return any(freq.get(text[at : at + n], 0) >= 20 for n in (2, 3, 4) if at + n <= len(text))


def _strong_word_at(text: str, at: int) -> bool:
    """A common word that is not a name starts at ``at`` (移交): a two-character name ends before it."""
    tags, freq, _ = _jieba_tables()
    return any(freq.get(text[at : at + n], 0) >= 50 and not tags.get(text[at : at + n], "").startswith("nr")
               for n in (2, 3) if at + n <= len(text))


def _given_ok(text: str, g: int, k: int, words: Words, *, bounds: bool) -> bool:
    given = text[g : g + k]
    if len(given) < k or any(_HAN.match(c) is None or c in _HARD for c in given):
        return False
    end = g + k
    if bounds:
        return _BOUNDS_AFTER.match(text, end) is not None
    if any(c in _SOFT for c in given):
        if not (_boundary(text, end) or _ACTS.match(text, end)):
            return False
        if text[g + k - 1] in "和与及跟同" and _PEOPLE_AFTER.match(text, end):
            return False  # 王明和|母亲: the conjunction before another person
    return _boundary(text, end) or _word_at(text, end, words)




def _slot(text: str, at: int, words: Words, *, bounds: bool, full: bool = False) -> int | None:
    """The end of the name that starts at ``at``, or None when the slot holds no name.

    ``full``: where both a surname + one and a surname + two characters end before a common word (蒲思|远大学,
    蒲思远|大学), take the full name (after an age, where a whole name is written).
    """
    single, compound = surnames()
    surname = next((c for c in compound if text.startswith(c, at)), None) or (text[at] if text[at : at + 1] in single else None)
    if surname is None:
        return None
    g = at + len(surname)
    first = words.at(at)
    if first is not None and first[0] == at + 1 and first[1] in _FUNCTION_POS:
        return None
    two = _given_ok(text, g, 2, words, bounds=bounds)
    one = _given_ok(text, g, 1, words, bounds=bounds)
    third = words.at(g + 1)
    if two and one and ((not _boundary(text, g + 2) and _strong_word_at(text, g + 1)
                         and not (full and len(surname) == 1 and _strong_word_at(text, g + 2))) or (
            third is not None and third[0] == g + 2 and third[1] in _AFTER_NAME_POS)):
        two = False  # 温新|移交, 祁磊|患: the third character starts a word
    if not (two or one):
        return None
    end = g + (2 if two else 1)
    name = text[at:end]
    if (name in PERSON_NOUNS or name in PREFIX_CONTEXT or name in SUFFIX_CONTEXT or name in _LABEL_WORDS
            or text[g:end] in PERSON_NOUNS or jieba_word(name, min_freq=100)):
        return None
    head = text[at : at + 2]
    if len(surname) == 1 and end - at == 3 and not _boundary(text, end) and jieba_word(head, min_freq=500):
        return None  # 父亲|常年…: the surname and the next character are a common word
    head_word = words.at(at)
    if head_word is not None and head_word[0] == at + 2 and head_word[1] in ("v", "vn", "vd", "ad") and end > at + 2:
        return None  # 网格员|公示牌: the model reads the surname and the next character as a verb
    return end


def _joined_cue(text: str, cue_start: int, at: int) -> bool:
    """True when the cue and the next character are one word (居民楼, 父亲节)."""
    cue = text[cue_start:at].rstrip("：: \u3000")
    return len(cue) == at - cue_start and jieba_word(cue + text[at], min_freq=5)


def _near(places: list[tuple[int, int]], starts: list[int], low: int, high: int) -> list[tuple[int, int]]:
    """The places (the model's words, which do not overlap) that overlap ``[low, high)``."""
    k = bisect.bisect_left(starts, high) - 1
    found = []
    while k >= 0 and places[k][1] > low:
        found.append(places[k])
        k -= 1
    return found


def cued_names(text: str, words: Words, places: list[tuple[int, int]], *, is_place: Callable[[str], bool]) -> list[Hit]:
    """Names in the slot after a strong cue (see the module docstring); ``places``: the model's LOC/ORG words."""
    found: list[Hit] = []
    place_starts = [a for a, _ in places]
    for pattern, bounds in ((_cue_pattern(), False), (_BOUNDS, True)):
        for match in pattern.finditer(text):
            at = match.end()
            if at >= len(text) or _HAN.match(text[at]) is None:
                continue
            if _joined_cue(text, match.start(), at):
                continue  # 居民楼, 市长|安区: the cue is part of a word or a place
            end = _slot(text, at, words, bounds=bounds)
            if end is None or is_place(text[at:end]):
                continue
            home = _BOUNDS_AFTER.match(text, end) if bounds else None
            if any(((a <= at and end <= b) or a < at < b or a < match.end()) and not (
                    home is not None and (a, b) == (at, home.end())) for a, b in _near(places, place_starts, match.start(), end)):
                continue  # a place or an organisation the model read there (but 甄茂森宅 is one's home)
            cue = match.group().rstrip("：: \u3000")
            verdict = Verdict("pii.why.person_context", {"context": cue}, SLOT_SCORE)
            found.append(Hit("PERSON", at, end, SLOT_SCORE, verdict, cue))
    return found


# An age said before someone (二十四岁的苏明轩, 68岁的X, 三十多岁的X, 年过七旬的X): only a person has an age, so
# an organisation the model reads there is the name run into the next word (苏明轩|大学毕业 read as 苏明轩大学).
_AGE_CUE = re.compile(
    "(?:[0-9０-９]{1,3}|[一二三四五六七八九十两百]{1,4})(?:多|来)?周?岁半?的|年(?:过|近|逾)(?:[五六七八九]旬|花甲|古稀|耄耋)的"
)


def aged_names(text: str, words: Words, spans: list, *, is_place: Callable[[str], bool]) -> list[Hit]:
    """Names in the slot after an age (see ``_AGE_CUE``): not a place the model read there, not a word."""
    if "岁" not in text and "年过" not in text and "年近" not in text and "年逾" not in text:
        return []
    found: list[Hit] = []
    _, freq, _ = _jieba_tables()
    person_starts = {s.start for s in spans if s.label == "PER"}
    places = Overlaps((s.start, s.end) for s in spans if s.label == "LOC")  # a batch holds thousands of words
    for match in _AGE_CUE.finditer(text):
        at = match.end()
        end = _slot(text, at, words, bounds=False, full=True) if at < len(text) else None
        if end is None or is_place(text[at:end]) or name_char_score(text[at + 1 : end]) < -8:
            continue  # 三岁的金毛犬: characters rare in given names
        if freq.get(text[at : at + 2], 0) >= 10 and at not in person_starts:
            continue  # 十八岁的花季少女, 三十岁的白领, 十二岁的初中生: a word, and the model reads no name there
        if places.any(at, end):
            continue  # 24岁的韩国留学生 (an organisation there is the name: 苏明轩大学 before 毕业; 华为 is a word)
        verdict = Verdict("pii.why.person_context", {"context": match.group()}, SLOT_SCORE)
        found.append(Hit("PERSON", at, end, SLOT_SCORE, verdict, match.group()))
    return found


def merge_slots(text: str, hits: list[Hit], slots: list[Hit]) -> list[Hit]:
    """``hits`` with each slot name in place of the readings it overlaps, unless one at its start is longer
    (and does not run on into a home, 甄茂森|宅)."""
    if not slots:
        return hits
    longest: dict[int, int] = {}
    for hit in hits:
        longest[hit.start] = max(longest.get(hit.start, 0), hit.end)
    kept = sorted((s for s in slots if longest.get(s.start, -1) < s.end or _BOUNDS_AFTER.match(text, s.end)),
                  key=lambda s: s.start)
    if not kept:
        return hits
    starts = [s.start for s in kept]

    def overlapped(hit: Hit) -> bool:
        k = bisect.bisect_left(starts, hit.end) - 1
        while k >= 0 and kept[k].start > hit.start - 16:
            if kept[k].end > hit.start:
                return True
            k -= 1
        return False

    return [h for h in hits if not overlapped(h)] + kept


# A list item written as place + name (+ household): 翠湖社区花丽珠家庭、北关社区木永强家庭; 东坝村安置昌德发一户4人.
_PLACE_ITEM = re.compile(
    "(?:^|(?<=[：:、，,；;（(\\s“]))(?P<place>[\u4e00-\u9fff]{1,6}?(?:社区|村|组|小区|街道|居委会))(?:安置)?"
    "(?P<name>[\u4e00-\u9fff]{2,4}?)(?=家庭|一户|户(?![\u4e00-\u9fff])|家(?![\u4e00-\u9fff])|[、，,；;）)。”\\s]|$)")


_OFFICE_END = frozenset("所站局委办院校部处厂馆行")


def place_listed_names(text: str, *, is_place: Callable[[str], bool]) -> list[Hit]:
    """Names in a list whose items are place + name: at least two such items in one text (of a batch joined
    by SEPARATOR), each name surname-shaped, not a place, a word for people, an office or a common word."""
    from privacy.recognizers._person_lists import name_like

    found: list[Hit] = []
    by_text: dict[int, list[Hit]] = {}
    for match in _PLACE_ITEM.finditer(text):
        name = match.group("name")
        if (not name_like(name) or is_place(name) or name in PERSON_NOUNS or name[-1] in _OFFICE_END
                or jieba_word(name, min_freq=2000)):
            continue
        verdict = Verdict("pii.why.person_context", {"context": match.group("place")}, 0.8)
        hit = Hit("PERSON", match.start("name"), match.end("name"), 0.8, verdict, match.group("place"))
        by_text.setdefault(text.count(SEPARATOR, 0, match.start()) if SEPARATOR in text else 0, []).append(hit)
    for hits in by_text.values():
        found += hits if len(hits) >= 2 else []
    return found


# A Latin-letter name and a Chinese name written as a pair, one in brackets after the other:
# Emily Zhao（赵以琳，外籍）, Kenji Tanaka（田中健二）, 戴维（David Morgan，英国籍外教）.
_LATIN = "[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}"
# 戴维（David Morgan）, Emily Zhao（赵以琳，外籍）, Kelvin（真名叫梁嘉俊）: the bracket may say it is the real name.
_REAL_NAME = "(?:真名|本名|原名|中文名字?|大名|全名)(?:叫|是|为)?[：:]?"
# A message's sender or a member's card: an English nickname with the real name in brackets or after a dash
# (Amy（唐思琪）：…, Coco（方晓蕾）已入群, Tony-郑浩：收到) — at a line's or clause's start, the bracket holding only
# the name. A long transliteration in the bracket keeps its dots (Abdurahman Tursun（阿不都热合曼·吐尔逊）).
_LATIN_THEN_HAN = re.compile(
    f"(?<![A-Za-z])(?:(?P<latin>{_LATIN})[（(]|(?P<nick>[A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}})[（(]{_REAL_NAME}"
    f"|(?:^|(?<=[\n\x00 \u3000@＠，,。！？!?；;：:]))(?P<card>[A-Z][a-z]{{1,11}})(?:[（(](?=[\u4e00-\u9fff·]{{2,12}}[）)])|[-－—_]))"
    f"(?P<han>[\u4e00-\u9fff·]{{2,12}})(?=[，,）)：:]|$|[ \n\u3000])")
_HAN_THEN_LATIN = re.compile(f"[（(](?P<latin>{_LATIN})(?=[，,）)])")


def paired_latin(text: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` and the other half of each Latin/Chinese name pair: the Latin name next to a name found,
    and the whole bracketed Chinese name (田中健|二 → 田中健二) after a Latin name."""
    if not hits or not any(c in text for c in "（(-－—_"):
        return hits
    by_start = {h.start: h for h in hits}
    by_end = {h.end: h for h in hits}
    added: list[Hit] = []
    for match in _LATIN_THEN_HAN.finditer(text):
        a, b = match.span("han")
        found = by_start.get(a)
        if found is None or found.end > b:
            continue
        if found.end < b:
            hits = [h for h in hits if h is not found]
            added.append(Hit("PERSON", a, b, found.score, found.verdict, found.context_word))
        latin = next(g for g in ("latin", "nick", "card") if match.group(g))
        verdict = Verdict("pii.why.person_context", {"context": text[a:b]}, 0.8)
        added.append(Hit("PERSON", match.start(latin), match.end(latin), 0.8, verdict, text[a:b]))
    for match in _HAN_THEN_LATIN.finditer(text):
        found = by_end.get(match.start())
        if found is not None:
            verdict = Verdict("pii.why.person_context", {"context": text[found.start : found.end]}, 0.8)
            added.append(Hit("PERSON", match.start("latin"), match.end("latin"), 0.8, verdict, found.context_word))
    if not added:
        return hits
    taken = [(h.start, h.end) for h in hits]
    added = [h for h in added if not any(x < h.end and h.start < y for x, y in taken)]
    return sorted([*hits, *added], key=lambda h: h.start)
