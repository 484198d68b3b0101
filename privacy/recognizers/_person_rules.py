"""PERSON 姓名: surname list + jieba's part-of-speech dictionary + context.

A candidate is a surname (单姓 or 复姓) followed by one or two given-name
characters. It is scored by

* context: a word before it (市民, 联系人, 申请人, 姓名：…) or after it
  (先生, 女士, 老人, 阿姨, "，男，" …) — strong evidence;
* jieba's dictionary: whether jieba tags the candidate (or its given name) as
  a person name (``nr``), or knows the characters as an ordinary word
  (``高度``, ``方便``, ``万元`` are not names);
* how often each given-name character occurs in the names jieba knows.

Without context the score stays below the default threshold unless jieba and
the character statistics agree it is a name. A surname with an honorific
alone (王先生, 李阿姨) is reported with a lower score.
"""

from __future__ import annotations

import functools
import math
import re
from importlib import resources

from privacy.recognizers._base import Hit, Verdict, _drop_overlaps, han_class_without
from privacy.recognizers._person_words import PERSON_NOUNS, PREFIX_CONTEXT, SUFFIX_CONTEXT

__all__ = [
    "FOLLOWER_WORDS",
    "PERSON_NOUNS",
    "PREFIX_CONTEXT",
    "SUFFIX_CONTEXT",
    "NameRules",
    "jieba_name",
    "jieba_word",
    "name_char_score",
    "surnames",
]

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters that end a name: function words and verbs that follow names in reports.
_STOP = set(
    "的了在是来电反映称说和与及等向对被把给因为请要求希望并且但也都还就又已将其他她我你您们这那有没不很该"
    "于从到至去回住家所之曾再才仍均共同等诉讲问答打拨找办去经领申报投举咨询表示今昨前后年月日时分号里上下"
    "男女老先大某等岁系户和或及、，。；：！？摄副"
    "省市区县镇乡村街路巷号楼室组"  # place suffixes: 於潜镇, 高虹镇 are places, not people
)
_AFTER_GENDER = re.compile(r"[，,、（(\s]?(先生|女士|[男女])(?:[，,、）)\s]|(?=[0-9０-９]))")
_NUMERALS = frozenset("一二两三四五六七八九十")
# Words about a name, an act on someone's behalf, or a form's column headers that begin with a surname
# character (全名, 代签, 单位, 国籍): never a name after a role word.
_LABEL_WORDS = frozenset(("全名", "真名", "本名", "小名", "乳名", "学名", "别名", "原名", "曾用名", "代签", "代领", "代办",
                          "代理", "代为", "代缴", "代写", "单位", "国籍", "性别", "年龄", "民族", "职务", "住址", "关系",
                          "职业", "备注", "签名", "电话", "须知"))
_MEASURES = frozenset("项名位个张条件户家门支根座间只头本片份批次届期号段级层栋年余")  # 余: 400余人 = more than 400
_SCHOOL_YEAR = re.compile("[高初][一二三]")
_CODE_AFTER = re.compile("[A-Za-z]|(?!1[3-9][0-9])[0-9]")
_COUNTED = frozenset("户人位名家个")
# After a role word, what a person does next (业主夏天投诉 …): a common word there is still a name.
_ACTS_AFTER_ROLE = re.compile(
    "来电|来信|来访|致电|反映|投诉|诉称|咨询|举报|称|表示|要求|拒绝|多次|未|没有|不同意|同意|签字|将|把|被|已|也|还|又|"
    "正在|说|讲|回复|告诉|家|的")
# jieba tags of ordinary words that can still be someone's given name (石头, 夏天, 宁静), not verbs or adverbs.
_NAME_LIKE_TAGS = frozenset(("n", "nr", "ns", "nz", "nrt", "t", "a", "an", "s", "ng", "nt"))
# Words that often follow a name at the start of a sentence (王秀英来电反映 …).
_NAME_FOLLOWER = re.compile("来电(?![人者])|反映(?!人)|投诉(?!人)|咨询|称|表示|说|家住|住在|现住|的|于|在|向|要求|诉求|申请|因")
# What only a person does right after their name at the start of a clause.
_PERSON_ACTS = re.compile("(?:来电|来信|来访|致电|反映|投诉|诉称|咨询|举报)(?![人者])")
# Trailing character of a candidate that begins one of those words (向晴|致电): not part of the name.
FOLLOWER_WORDS = frozenset(("致电", "来电", "来信", "来访", "反映", "投诉", "咨询", "举报", "表示", "认为"))
HONORIFICS = ("先生", "女士", "老汉", "老太", "阿姨", "大爷", "大妈", "师傅", "奶奶", "爷爷", "老师", "同志", "大姐", "婆婆",
              "书记", "主任", "经理", "会计", "出纳", "局长", "科长", "处长", "所长", "院长", "队长", "老板", "律师", "医生", "大夫",
              "总(?![是算共结体计之部理统裁监量额数有要会支])", "队(?![伍员列])", "工(?![作人程厂业资具地会商号种序艺期位委]|[\u4e00-\u9fff]{2})", "姐(?![妹])", "哥(?![们])", "叔(?![叔])")


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# One-character kinship words before a name in a form's list of family members (妻房小燕、子房俊).
_KIN = "[妻夫子女父母兄弟姐妹孙侄](?![妻夫子女父母兄弟姐妹侄])"
_PREFIX_RE = re.compile(f"({_alternation(PREFIX_CONTEXT)}|(?<=[：:、，, ]){_KIN})[：:丨｜]?[ \u3000]{{0,3}}$")
# Transliterated and minority names joined by a middle dot: 阿卜杜拉·买买提, 古丽米拉·艾则孜.
JOINED_NAME = re.compile("[\u4e00-\u9fff]{1,8}(?:[·•・][\u4e00-\u9fff]{1,8})+")
# A household or home after a name: 叶秋生户、…, 左明家。, 钱卫国家漏水 (not 户口, 家长).
_HOME = "户(?=[^\u4e00-\u9fff]|共|等|的|停|纳|申|享|被|列|取消|不|家庭|$)|家(?=的|门口|里|中|漏水|装修|天花板|孩子|老人|院子|阳台|水管|空调|房子|厨房|窗户|大门|[^\u4e00-\u9fff]|$)"
_SUFFIX_RE = re.compile(f"{_alternation(SUFFIX_CONTEXT)}|{_HOME}")
_HONORIFIC_RE = re.compile(f"(?:{_alternation(HONORIFICS)})")


@functools.cache
def surnames() -> tuple[frozenset[str], tuple[str, ...]]:
    """(single-character surnames, compound surnames) from the bundled list."""
    text = (resources.files("privacy.recognizers") / "data" / "surnames.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    single = frozenset(_HAN.findall(lines[0]))
    compound = tuple(lines[1].split()) if len(lines) > 1 else ()
    return single, compound


@functools.cache
def _jieba_tables() -> tuple[dict[str, str], dict[str, int], dict[str, float]]:
    """(word → POS tag, word → frequency, given-name character → log share) from jieba's dictionary."""
    import jieba.posseg

    from privacy.nlp import quiet_jieba

    quiet_jieba()
    tags: dict[str, str] = jieba.posseg.dt.word_tag_tab
    freq: dict[str, int] = jieba.dt.FREQ
    single, _ = surnames()
    counts: dict[str, int] = {}
    total = 0
    for word, tag in tags.items():
        if tag == "nr" and len(word) == 3 and word[0] in single:
            for ch in word[1:]:
                counts[ch] = counts.get(ch, 0) + 1
                total += 1
    shares = {ch: math.log(n / total) for ch, n in counts.items()}
    return tags, freq, shares


def jieba_word(value: str, *, min_freq: int = 200) -> bool:
    """True when ``value`` is a common ordinary word in jieba's dictionary (not tagged as a name)."""
    tags, freq, _ = _jieba_tables()
    return not tags.get(value, "nr").startswith("nr") and freq.get(value, 0) >= min_freq  # nr, nrt, nrfg: names


_NOT_NAME_TAGS = frozenset(("r", "f", "d", "p", "c", "u", "y"))
_VERB_TAGS = frozenset(("v", "vn", "vd", "d", "p", "c", "r", "u"))
_FUNCTION_SURNAMES = frozenset("和向由与及跟对把被给从于包同将让叫为以经")


def _function_surname(surname: str, given: str, *, mid_clause: bool) -> bool:
    """True when ``surname`` + ``given`` reads better as a function word and what follows it: the given
    part is a word for people or a common noun (和|丈夫, 包|饺子, 和|慢性病), or — in the middle of a
    clause without a role word — is itself surname + name (暂由|阚莉同志)."""
    if surname not in _FUNCTION_SURNAMES or len(given) < 2:
        return False
    if given in PERSON_NOUNS or given in PREFIX_CONTEXT or given[0] in "阿":
        return True  # 和|丈夫, 跟|阿雅: a word for people or a familiar name after the function word
    tags, _, _ = _jieba_tables()
    if tags.get(given) in ("n", "vn", "b", "nz") and jieba_word(given):
        return True
    return mid_clause and given[0] in surnames()[0] and not jieba_word(given, min_freq=1)


_BIG_WORDS = frozenset(("大哥", "大嫂", "大叔", "大伯", "大娘", "大婶", "大姑", "大舅", "大姨", "大妈", "大爷", "大姐", "大夫", "大家"))


def _big_name(text: str, at: int) -> bool:
    """True when 大 at ``at`` starts a given name (大海, 大勇): the next character is common in names."""
    from privacy.recognizers._person_given import given_name_llr

    return (text[at : at + 2] not in _BIG_WORDS and at + 1 < len(text) and _HAN.match(text[at + 1]) is not None
            and given_name_llr(text[at + 1]) >= 0.8)


# Words for a pair or group of relatives: 石秀梅|姐妹家 is not surname 梅 + given 姐妹.
_KIN_GROUPS = frozenset(("姐妹", "兄弟", "夫妇", "夫妻", "父子", "母女", "母子", "父女", "姐弟", "兄妹", "婆媳", "一家"))
# Offices that also head a compound noun (市长信箱, 书记热线): a common noun after them is not a name.
_OFFICE_PREFIXES = frozenset(("市长", "县长", "区长", "镇长", "乡长", "村长", "省长", "书记", "主任", "局长", "校长",
                              "院长", "厂长", "所长", "站长", "社长", "行长", "部长", "处长", "科长", "组长", "队长"))


# Words for a population that also stand before what its members own (老人钱财, 居民房屋, 村民土地).
_POPULATIONS = frozenset(("老人", "独居老人", "孤寡老人", "居民", "村民", "群众", "市民", "住户", "用户", "客户", "患者",
                          "病人", "学生", "儿童", "职工", "员工", "农民", "农民工", "工人", "租户", "家属", "家长", "业主"))


def _misread_context(text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """True when the context word belongs to a word, not to a name: the "given name" is a word for
    relatives (梅|姐妹家) or people (代|母亲), a household suffix ends a word (金|账户, 文明户), the role word and
    the "surname" are one word (居民楼|发生), an office heads a compound noun (市长信箱), or a population word
    mid-clause stands before a common word that no act follows (骗取老人钱财)."""
    tags, freq, _ = _jieba_tables()
    name = text[start:end]
    if name[1:] in _KIN_GROUPS or name[-2:] in _KIN_GROUPS:
        return True
    if suffix.startswith("户") and (jieba_word(text[end - 1 : end + 1], min_freq=50)
                                    or jieba_word(text[start : end + 1], min_freq=1)):
        return True
    if prefix and text[start - len(prefix) : start] == prefix:
        if jieba_word(prefix + text[start], min_freq=5):
            return True
        head = name[:2]  # 市长|信箱留言: the rule's name may run past the compound noun
        if prefix in _OFFICE_PREFIXES and any(tags.get(w) == "n" and freq.get(w, 0) >= 100 for w in {name, head}):
            return True
        if (prefix in _POPULATIONS and start > len(prefix) and _HAN.match(text[start - len(prefix) - 1])
                and freq.get(name, 0) >= 100 and _ACTS_AFTER_ROLE.match(text, end) is None):
            return True  # 骗取多名老人|钱财: a thing of a population said mid-clause, not a person who acts
    if len(name) >= 3 and name[1:] in PERSON_NOUNS:
        return True  # 儿子代|母亲签字: the "given name" is a word for people
    return False


def jieba_name(value: str) -> bool:
    """True when jieba's dictionary tags ``value`` as a person's name (``nr``)."""
    return _jieba_tables()[0].get(value) == "nr"


def name_char_score(chars: str) -> float:
    """Mean log-share of the given-name characters among known names (0 = very common)."""
    _, _, shares = _jieba_tables()
    floor = math.log(1e-6)
    return sum(shares.get(ch, floor) for ch in chars) / len(chars)


class NameRules:
    """姓名 by rules: surname + 1–2 given-name characters, confirmed by context or jieba."""

    ENTITY = "PERSON"

    def __init__(self) -> None:
        surname = self.pattern_specs()[0][1]
        self._candidate = re.compile(surname)
        name_char = han_class_without(_STOP)
        # Where a name may start: after a context word, or not inside a run of Chinese
        # characters; inside a run only when a form of address or a gender follows.
        self._scan = re.compile(
            f"(?:(?P<pre>{_alternation(PREFIX_CONTEXT)}|(?<=[：:、，, ]){_KIN})[：:丨｜]?[ \\u3000]{{0,3}}"
            f"|(?<![\\u4e00-\\u9fff]))(?P<s>{surname})"
            f"|(?P<s2>{surname}){name_char}{{0,2}}?(?=(?:{_SUFFIX_RE.pattern})|[（(，,]?[男女][，,、）)0-9０-９]"
            f"|{_HONORIFIC_RE.pattern}|[ ]?(?:[+＋]86|1[3-9][0-9]))"
        )

    def pattern_specs(self) -> tuple[tuple[str, str, float], ...]:
        single, compound = surnames()
        alternatives = "|".join(compound) + ("|" if compound else "") + "[" + "".join(sorted(single)) + "]"
        return (("surname", f"(?:{alternatives})(?=[\\u4e00-\\u9fff])", 0.5),)

    def find(self, text: str) -> list[Hit]:
        """Rule candidates in ``text``: context words, form labels, names joined by a middle dot."""
        from privacy.recognizers._person_fields import field_values

        hits: list[Hit] = []
        position = 0
        while True:
            match = self._scan.search(text, position)
            if match is None:
                break
            group = "s" if match.start("s") >= 0 else "s2"
            start, g = match.span(group)
            prefix = match.group("pre") or ""
            if not prefix and self._joins_previous(text, start):
                position = start + 1
                continue
            found = self._judge(text, start, g, prefix)
            if found is None:
                position = start + 1
                continue
            end, verdict = found
            if not prefix and self._title_inside(text, start, end):
                position = end - 1  # 谢谢|程师傅: the title form starts at the last character
                continue
            hits.append(Hit(self.ENTITY, start, end, verdict.score or 0.5, verdict, verdict.params.get("context", "")))
            # A weak candidate (由祖母) must not hide a name that a context word inside it introduces (祖母|包桂英).
            position = end if verdict.score >= 0.5 else start + 1
        hits += field_values(text, self._candidate)
        return _drop_overlaps(hits)

    @staticmethod
    def _title_inside(text: str, start: int, end: int) -> bool:
        """True for 谢谢程|师傅, 麻烦张|阿姨: a common word, then a surname with its form of address."""
        if end - start < 3 or text[end - 1] not in surnames()[0] or _HONORIFIC_RE.match(text, end) is None:
            return False
        _, freq, _ = _jieba_tables()
        return freq.get(text[start : end - 1], 0) > 100

    @staticmethod
    def _joins_previous(text: str, start: int) -> bool:
        """True when the character before ``start`` and the surname form a common word (社区|高, 保安|刘)."""
        if start == 0 or not _HAN.match(text[start - 1]):
            return False
        _, freq, _ = _jieba_tables()
        return freq.get(text[start - 1 : start + 1], 0) > 20

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        if not text:
            text, start = value, 0
        match = self._candidate.match(text, start)
        if match is None:
            return None
        found = self._judge(text, start, match.end(), self._prefix(text, start))
        if found is None or (end and found[0] != end):
            return None
        return found[1]

    def fullmatch(self, value: str) -> Verdict | None:
        value = value.strip()
        if JOINED_NAME.fullmatch(value) is not None and len(value) <= 24:
            return Verdict("pii.why.person_joined", {}, 0.6)
        if not 2 <= len(value) <= 4:
            return None
        match = self._candidate.match(value)
        if match is None:
            return None
        given = value[match.end() :]
        if not 1 <= len(given) <= 2 or any(ch in _STOP or not _HAN.match(ch) for ch in given):
            return None
        return Verdict("pii.why.person_cell", {"surname": match.group(), "given": len(given)}, 0.6)

    # -- scoring ----------------------------------------------------------
    def _prefix(self, text: str, start: int) -> str:
        match = _PREFIX_RE.search(text, max(0, start - 7), start)
        return match.group(1) if match else ""

    def _judge(self, text: str, start: int, g: int, prefix: str) -> tuple[int, Verdict] | None:
        """(end, verdict) for a surname at text[start:g] after the context word ``prefix``, or None."""
        surname = text[start:g]
        # Surname + honorific alone: 王先生, 李阿姨.
        honorific = _HONORIFIC_RE.match(text, g)
        if honorific is not None:
            word = honorific.group()
            if surname in _FUNCTION_SURNAMES and start and (text[start - 1] in "我你他她们咱俺" or (
                    not prefix and _HAN.match(text[start - 1]) and len(surname) == 1)):
                return None  # 我和|阿姨, 私下和|老板签: a function word mid-clause, not a surname
            if jieba_word(text[start : g + len(word)], min_freq=50):
                return None  # 班主任, 副主任: a word for an office, not a surname with a title
            return g + len(word), Verdict("pii.why.person_title", {"surname": surname, "context": word}, 0.6)
        given = ""
        for ch in text[g : g + 2]:
            if (ch in _STOP and not (ch == "大" and not given and prefix and _big_name(text, g))) or not _HAN.match(ch):
                break  # 大 starts a given name only after a role word (户名蒙大海), never 大哥/大家
            given += ch
        if not given:
            return None
        # Choose the name length: a suffix context word or a stop decides; else jieba.
        tags, freq, _ = _jieba_tables()
        if len(given) == 2:
            if text[g + 1 : g + 3] in FOLLOWER_WORDS:
                given = given[:1]
            elif _SUFFIX_RE.match(text, g + 1) and not _SUFFIX_RE.match(text, g + 2):
                given = given[:1]
            elif freq.get(given[1] + text[g + 2 : g + 3], 0) > 300 and name_char_score(given[1]) < -6.5:
                # The third character is rare in names and starts a common word (陈慧常年 …): two characters.
                given = given[:1]
        if len(given) == 2 and given[1] in _NUMERALS and text[g + 2 : g + 3] in _COUNTED:
            given = given[:1]  # 贺新|五户, 冯雪|两位
        elif (len(given) == 2 and len(surname) == 1 and tags.get(text[start : g + 1], "nr") != "nr"
              and freq.get(text[start : g + 1], 0) > 500 and tags.get(text[start : g + 2]) != "nr"
              and not (prefix and (g + 2 >= len(text) or not _HAN.match(text[g + 2])))):
            given = given[:1]  # 户主|房屋|漏雨: the first two characters are a common word
        if _function_surname(surname, given, mid_clause=not prefix and start > 0 and _HAN.match(text[start - 1]) is not None):
            return None  # 来电人|和丈夫, 老人|和慢性病, 暂|由阚莉同志: the "surname" is a function word
        end = g + len(given)
        name = text[start:end]
        suffix_match = _SUFFIX_RE.match(text, end)
        suffix = suffix_match.group() if suffix_match else ""
        gender = _AFTER_GENDER.match(text, end) if not suffix else None
        if gender is not None:
            suffix = gender.group(1)
        context = prefix or suffix
        doubled = len(name) == 2 and name[0] == name[1]  # 谢谢 (jieba tags it nr): a common doubled word
        common = freq.get(name, 0) if tags.get(name) != "nr" or doubled else min(freq.get(name, 0), 100)
        chars = name_char_score(given)
        if context:
            if _misread_context(text, start, end, prefix, suffix):
                return None
            at_boundary = end >= len(text) or not _HAN.match(text[end])
            if name in PERSON_NOUNS or name in _LABEL_WORDS or name in PREFIX_CONTEXT or (
                    prefix and tags.get(name) in _NOT_NAME_TAGS and freq.get(name, 0) > 2000):
                return None  # 来电人 那个: a pronoun or verb after the role word
            if common > 500 and not (prefix and tags.get(name, "nr") not in _VERB_TAGS and (
                    at_boundary or _ACTS_AFTER_ROLE.match(text, end))):
                return None  # 向来电人|解释，: a verb after the role word, not a name
            if not prefix and tags.get(name, "nr") != "nr" and freq.get(name, 0) > 20:
                return None  # a word (高龄, 党支部) before 老人/书记, not a name
            score = 0.85 if chars > -9 else 0.7
            return end, Verdict("pii.why.person_context", {"context": context}, score)
        if start > 0 and (_HAN.match(text[start - 1]) or (surname in _MEASURES and text[start - 1].isdigit())):
            return None  # inside a word, or a measure word after a number (12项入选)
        # No context word: a plausible name at a boundary, not a common word, with a lower score —
        # unless what follows only a person does (田野来电, 白雪反映).
        if _PERSON_ACTS.match(text, end) is not None and len(name) >= 2 and name not in PERSON_NOUNS:
            return end, Verdict("pii.why.person_context", {"context": _PERSON_ACTS.match(text, end).group()}, 0.85)
        lead = text[start : start + 2]
        if _SCHOOL_YEAR.fullmatch(name) or freq.get(name, 0) > (100 if tags.get(name, "nr").startswith("nr") else 10) \
                or freq.get(lead, 0) > 300 or chars < -8:
            return None
        if _CODE_AFTER.match(text, end):
            return None  # 计科2201, 高三2班: the start of a code or a class, not a name
        followed = end >= len(text) or not _HAN.match(text[end]) or _NAME_FOLLOWER.match(text, end) is not None
        score = 0.6 if followed else 0.45
        return end, Verdict("pii.why.person_plain", {"surname": surname}, score)
