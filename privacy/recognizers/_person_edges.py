"""Where a name found by the model ends: what people write right next to a name is not part of it.

* a kin word written before a full name in a family list or a report (孙女|隆诗琪, 长子|符大伟,
  妻|宦秀梅, 其孙|郝天乐): the name starts after it when what is left starts with a surname;
* a gender written right after a full name in a flattened form row (肖雨桐|女1370…, 鲍文涛|男，45岁):
  the name ends before it when nothing Chinese follows;
* a byline's separator (文丨屠文静, 图丨马良) and a cell or column gap (林一诺\u3000文/图: a
  full-width space, a tab, a line break) are never inside a name — except in a name written
  with a space between its two characters (金\u3000鑫), which :mod:`._person_forms` reads.

These are conventions of writing, not of any one text: each trims only when what is left is
still a name's shape (a surname and one to three more characters). :func:`person_words` applies
them, with the older clean-ups (symbols at the ends, a split compound surname, a title or a
pronoun run into the name, :func:`~._person_vetoes.trim_model_name`), to every PER word of the model.
"""

from __future__ import annotations

import re

from privacy.recognizers._lac import Words
from privacy.recognizers._person_glue import CLAUSE_HEADS, PARTICLES
from privacy.recognizers._person_rules import PERSON_NOUNS, _jieba_tables, surnames
from privacy.recognizers._person_vetoes import trim_model_name

__all__ = [
    "before_amount",
    "before_home",
    "edge_trim",
    "nicknames",
    "not_a_person",
    "person_words",
    "titled_full_names",
    "with_kin_title",
]

# Kin words written before a name (longest first): family lists, 其妻X, 委托其弟X.
_KIN_WORDS = ("外孙女", "孙女", "孙子", "外孙", "长子", "次子", "三子", "长女", "次女", "三女", "儿子", "女儿", "儿媳",
              "女婿", "侄子", "侄女", "妻子", "丈夫", "之子", "之女", "其妻", "其夫", "其子", "其女", "其孙", "其弟",
              "其兄", "其姐", "其妹", "其父", "其母", "妻", "夫", "子", "女", "孙", "侄", "兄", "弟", "姐", "妹", "父", "母")
_BREAKS = re.compile("[\u3000\t\n\r丨｜|/]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _name_shaped(value: str) -> bool:
    """A surname (单姓 or 复姓) and one or two more Chinese characters."""
    single, compound = surnames()
    if len(value) >= 3 and value[:2] in compound:
        return len(value) <= 4 and all(_HAN.match(c) for c in value)
    return value[:1] in single and 2 <= len(value) <= 3 and all(_HAN.match(c) for c in value)


def _kin_start(text: str, start: int, end: int) -> int:
    """Where the name starts when the span begins with a kin word (孙女|隆诗琪), else ``start``."""
    single, _ = surnames()
    for kin in _KIN_WORDS:
        if not text.startswith(kin, start) or end - start - len(kin) < 2:
            continue
        rest = text[start + len(kin) : end]
        if not _name_shaped(rest):
            return start
        if len(kin) == 1 and kin in single and len(rest) < 3:
            return start  # 孙|明华 may be one name: a one-character kin word that is a surname needs a full name after it
        if len(kin) == 1 and start and _HAN.match(text[start - 1]) and text[start - 1] not in "其之":
            return start  # inside a run of text (委托书|妻…): only a kin word after a separator or 其/之
        return start + len(kin)
    return start


def _gender_end(text: str, start: int, end: int) -> int:
    """Where the name ends when a gender is glued to it (肖雨桐|女1370…), else ``end``."""
    if end - start < 4 or text[end - 1] not in "男女" or (end < len(text) and _HAN.match(text[end])):
        return end
    rest = text[start : end - 1]
    compound = len(rest) >= 3 and rest[:2] in surnames()[1]
    # only a full name is left (a surname and two given characters): 欧阳胜|男 would lose its given name
    return end - 1 if _name_shaped(rest) and len(rest) == (4 if compound else 3) else end


def edge_trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The model's span without a break, kin word or gender next to the name; None when no name is left."""
    value = text[start:end]
    if _BREAKS.search(value) is not None:
        parts = [(m.start(), m.end()) for m in re.finditer("[^\u3000\t\n\r丨｜|/]+", value)]
        if len(parts) > 1 and all(b - a == 1 for a, b in parts) and _BREAKS.search(value).group() == "\u3000":
            return start, end  # 金\u3000鑫: a two-character name spaced out
        sized = [(a, b) for a, b in parts if b - a >= 2]
        if not sized:
            return None  # 文丨, 图丨: a byline's role and its separator
        a, b = max(sized, key=lambda p: (p[1] - p[0], p[0]))
        start, end = start + a, start + b
    start = _kin_start(text, start, end)
    end = _gender_end(text, start, end)
    return start, end


_EDGE = re.compile(r"[^\u4e00-\u9fffA-Za-z·]+")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z·]")
_LINKING = frozenset("和跟向给对被把让由从同与叫问找")
_PRONOUNS = frozenset("我你他她它们咱就也还都又再先")
_FULL_NAME_TITLE = re.compile("(?:阿婆|阿姨|阿公|大爷|大妈|奶奶|爷爷|婆婆|老师|先生|女士|师傅)$")
# Prepositions that are also surnames, written right before a full name (由计德明担任, 向邱明华反映).
_FUNCTION_START = frozenset("由向和跟与被把给对从经")
_SIBLING = re.compile("[哥姐](?![们妹弟夫俩姐哥])")
_JOIN_BLOCK = frozenset(("d", "ad", "vd", "p", "c", "u", "v", "r", "m", "q", "f", "w", "xc", "LOC", "ORG"))


# Tags of a one-character word that can be a name's last character (新 a, 才 d, 军 n, 中 f), and
# characters after a two-character name that are a form of address or a household, never its end.
_THIRD_TAGS = frozenset(("a", "n", "d", "f"))
_NOT_THIRD = frozenset("嫂姐哥叔婶家户爷奶妈爸伯姨总工")


def _third_character(text: str, end: int, words: Words) -> bool:
    """True when the character after a surname + one character is the name's third: the model made it a
    one-character word of its own, of a kind a given name ends with, and it is common in given names."""
    from privacy.recognizers._person_given import given_name_llr

    if end >= len(text) or text[end] in _NOT_THIRD or _HAN.match(text[end]) is None:
        return False
    word = words.at(end)
    return word is not None and word[0] == end + 1 and word[1] in _THIRD_TAGS and given_name_llr(text[end]) >= 0


def person_words(text: str, spans: list, words: Words) -> list:
    """The model's PER words, cleaned: no white space or symbol at either end (邵美玲\t, 老马🐴), and a
    word that is only a surname (诸葛|明月, 上官|小燕 — the model splits compound surnames) joined to the next."""
    from privacy.recognizers.person import _not_names

    single, compound = surnames()
    found = []
    for span in spans:
        if span.label != "PER":
            continue
        start, end = span.start, span.end
        head = _EDGE.match(text, start, end)
        if head is not None:
            start = head.end()
        while end > start and _NAME_CHAR.match(text[end - 1]) is None:
            end -= 1
        edges = edge_trim(text, start, end)  # 林一诺|\u3000文, 孙女|隆诗琪, 肖雨桐|女1370…, 文丨
        if edges is None:
            continue
        start, end = edges
        value = text[start:end]
        if value in compound or (len(value) == 1 and value in single):
            following = words.at(end)
            if (following is not None and 1 <= following[0] - end <= 2 and following[1] not in _JOIN_BLOCK
                    and all(_HAN.match(c) for c in text[end : following[0]])):
                end = following[0]
        if (end - start == 3 and text[start] in _LINKING and start and text[start - 1] in _PRONOUNS
                and text[start:end] not in _not_names()):
            start += 1  # 我和|丽娟, 你跟|志刚: the word before the name, not a surname
        if end - start >= 3 and text[end - 1] in "你您" and (end == len(text) or text[end] not in "们"):
            end -= 1  # 阿强你|快递到了: the model ran the name into the pronoun after it
        title = _FULL_NAME_TITLE.search(text, start, end)
        if title is not None and title.start() - start >= 3 and text[start] in single:
            end = title.start()  # 韦秀兰|阿婆: a full name's title is not part of it (刘阿姨 is)
        elif end - start >= 4 and text.startswith("同志", end - 2):
            end -= 2  # 卫国梁|同志, 马兰|同志: a notice's 同志 is never part of the name
        if (end - start == 4 and text[start] in _FUNCTION_START and text[start : start + 2] not in compound
                and _name_shaped(text[start + 1 : end])):
            start += 1  # 组长由|计德明担任: a preposition before a full name, not a four-character name
        if end - start == 2 and _SIBLING.match(text, end):
            end += 1  # 建军哥, 春花姐: a given name with 哥/姐 is said as one name
        elif end - start == 2 and text[start] in single and _third_character(text, end, words):
            end += 1  # 孟广|才拖欠, 龙德|贵的: the model cut the name before a one-character word
        trimmed = trim_model_name(text, start, end) if end - start >= 3 else (start, end)
        if trimmed is not None and trimmed[1] > trimmed[0]:
            found.append(type(span)(*trimmed, span.label))
    return found


# Amounts in capital numerals (陆佰元整), units written with a middle dot (平方米·月, 千瓦·时), and a
# shop named "X记" (蔡林记, 袁记云饺 — the old shop-sign form; 书记 is a title, not a shop).
_AMOUNT = re.compile("[佰仟]|元整$|[壹贰叁肆伍陆柒捌玖拾][元角]")
_UNIT_SIDE = re.compile("(?:^|[·•・])[米月时日年天吨度次瓦秒克升](?:$|[·•・])")
_SHOP_SIGN = re.compile("^[\u4e00-\u9fff](?:记|[\u4e00-\u9fff](?<!书)记)")


def not_a_person(text: str, start: int, end: int, *, unintroduced: bool, uncued: bool = False) -> bool:
    """True for a finding that is an amount, a unit, (not introduced by a role word) a shop sign or a
    description of people (优秀毕业生: a common word and a word for people), or (with no context word at all)
    a common adjective, verb or adverb (辛苦)."""
    value = text[start:end]
    if _AMOUNT.search(value) is not None or _UNIT_SIDE.search(value) is not None:
        return True
    if (uncued and _plain_word(value)) or _verb_given(value):
        return True
    return unintroduced and (_SHOP_SIGN.match(value) is not None or _described_people(value))


def _verb_given(value: str) -> bool:
    """A surname and a particle or the head of a clause (安|陪 in ``丁佑安陪老人``: 陪 + 老人 read as a title):
    no given name is one of those characters alone (:mod:`._person_glue`)."""
    return len(value) == 2 and (value[1] in CLAUSE_HEADS or value[1] in PARTICLES) and value[0] in surnames()[0]


# jieba's tags of words that say how or what, never who: adjectives, verbs, adverbs, pronouns, particles.
_PLAIN_TAGS = frozenset(("a", "ad", "an", "b", "v", "vd", "vn", "d", "c", "p", "r", "u", "y"))


def _plain_word(value: str) -> bool:
    """A common adjective, verb or adverb the model tagged as a name with no word for a person near it:
    辛苦 in ``辛苦柴钰了`` (jieba frequency ≥ 1,000; words jieba knows as names — 安静, 文明, 阳光 — are not)."""
    if len(value) != 2:
        return False
    tags, freq, _ = _jieba_tables()
    return tags.get(value) in _PLAIN_TAGS and freq.get(value, 0) >= 1000


_PEOPLE_ENDS = frozenset("生员者人工师户民")


def _described_people(value: str) -> bool:
    """A common word (not a name, not a compound surname) and then a word for people: 优秀|毕业生, 先进|工作者."""
    if len(value) < 4 or value[:2] in surnames()[1]:
        return False
    tags, freq, _ = _jieba_tables()
    for k in range(2, len(value) - 1):
        head, tail = value[:k], value[k:]
        if freq.get(head, 0) < 200 or tags.get(head, "nr").startswith("nr"):
            continue
        tag = tags.get(tail, "")
        if tail in PERSON_NOUNS or (tag.startswith("n") and not tag.startswith("nr") and tail[-1] in _PEOPLE_ENDS
                                    and freq.get(tail, 0) >= 50):
            return True
    return False


# How a child's parent or grandparent, or an elder, is called by a first name: 花花妈妈, 一鸣爸爸, 秀芝阿姨.
_KIN_TITLE = re.compile("爸爸|妈妈|奶奶|爷爷|姥姥|姥爷|外婆|外公|阿姨|叔叔|婶婶|大爷|大妈|伯伯|嫂子|大嫂|大姐|大哥|姐姐|哥哥")


def _given_only(value: str) -> bool:
    """Both characters far more common in given names than in text (桂芝, 玉兰; not 王芳, 李娜): a first name."""
    from privacy.recognizers._person_given import given_name_llr

    return given_name_llr(value) >= 2.0


def with_kin_title(text: str, hits: list) -> list:
    """Hits for a first name or pet name (not a surname + given name) said with a kin title after it,
    grown over the title: the whole form names a person (花花妈妈, 一鸣爸爸, 秀芝阿姨; 王芳|阿姨 stays)."""
    single = surnames()[0]
    out = []
    for hit in hits:
        value = text[hit.start : hit.end]
        title = _KIN_TITLE.match(text, hit.end) if len(value) == 2 and hit.entity_type == "PERSON" else None
        if title is not None and (value[0] == value[1] or value[0] not in single or _given_only(value)):
            hit = type(hit)(hit.entity_type, hit.start, title.end(), hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out


# A nickname made of a given name and a kin title said to or about a neighbour, a colleague, a villager:
# one character + 姐/哥 (翠姐, 芬姐), two characters + 叔/婶/嫂/伯 (长顺叔, 玉梅嫂). Not 姐姐/姐妹/哥们/婶子 ….
_NICK_SHORT = re.compile("(?<=(.))([\u4e00-\u9fff])(?:姐(?![姐妹们夫])|哥(?![哥们俩儿]))", re.S)
_NICK_LONG = re.compile("([\u4e00-\u9fff]{2})[叔婶嫂伯](?![叔婶嫂伯子母父们娘])")
_NICK_BEFORE = frozenset("聊找问叫喊跟和与给让请“「（(，,、 \n\t\u3000\x00：:")
_PLACE_CHARS = frozenset("村镇乡区县市街路组队社店厂站所院局")  # 最美村嫂: a title of an award, not a name
_KIN_CHARS = frozenset("叔婶嫂伯姐哥姨妈爸爷奶公婆舅姑")
_NOT_NICK_FIRST = frozenset("一二三四五六七八九十两几大小老阿表堂师学空帅亲家我你他她它咱其该这那谁某各每的了是在和与")


def nicknames(text: str) -> list:
    """Given names with a kin title that name one person (翠姐, 长顺叔): the character(s) are those of given
    names (``given_name_llr``), the form is no dictionary word (空姐, 表哥, 帅哥) and the part before the title
    no word for people or places (邻居, 村里)."""
    if not any(c in text for c in "姐哥叔婶嫂伯"):
        return []
    from privacy.recognizers._base import Hit, Verdict
    from privacy.recognizers._person_given import given_name_llr
    from privacy.recognizers._person_rules import PERSON_NOUNS, _jieba_tables, jieba_word

    tags, freq, _ = _jieba_tables()
    found = []
    for match in _NICK_SHORT.finditer(text):
        char, before = match.group(2), match.group(1)
        form = text[match.start(2) : match.end()]
        if char in _NOT_NICK_FIRST or form in freq or given_name_llr(char) < 1.0:
            continue
        if before not in _NICK_BEFORE and (freq.get(before + char, 0) > 0 or given_name_llr(before) >= 1.0):
            continue  # 美女|姐: the character ends a word before it; 红英姐: a longer given name (other rules)
        found.append(Hit("PERSON", match.start(2), match.end(), 0.85, Verdict("pii.why.person_nickname", {}, 0.85), ""))
    for match in _NICK_LONG.finditer(text):
        given = match.group(1)
        if given in PERSON_NOUNS or given[0] in _NOT_NICK_FIRST or given[1] in _PLACE_CHARS or any(c in _KIN_CHARS for c in given) or tags.get(given, "") in (
                "s", "f", "r", "m", "q", "t", "p", "c", "u", "d") or given_name_llr(given) < -0.5:
            continue
        if jieba_word(given, min_freq=5000):
            continue  # a very common word (国家)
        found.append(Hit("PERSON", match.start(), match.end(), 0.85, Verdict("pii.why.person_nickname", {}, 0.85), ""))
    return found


# A list of names with amounts or counts (刘德全480元、王秀兰520元): the model may read the given name's last
# character as an adverb (刘德|全480元: 全 "all"); before a number that ends a list item's name it is the name's.
_ITEM_START = frozenset("、，,；;：:\n\t \u3000\x00（(")
_NOT_BEFORE_AMOUNT = frozenset("各共计约均每补领欠交付为得获减增发余合和等实应已仅再另又也都还才就只多少近超达至到于需缴退扣收拿给"
                               "借捐出花用赔送存取月年日号岁人户元分第")


def before_amount(text: str, hits: list) -> list:
    """Two-character names at the start of a list item grown by the one character between them and a number."""
    out = []
    single = surnames()[0]
    for hit in hits:
        end = hit.end
        if (hit.entity_type == "PERSON" and end - hit.start == 2 and end + 1 < len(text) and text[hit.start] in single
                and (hit.start == 0 or text[hit.start - 1] in _ITEM_START) and "\u4e00" <= text[end] <= "\u9fff"
                and text[end] not in _NOT_BEFORE_AMOUNT and text[end + 1] in "0123456789０１２３４５６７８９"):
            hit = type(hit)(hit.entity_type, hit.start, end + 1, hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out


# A title after a full name is not part of it (corpus convention: [许剑]律师, [相桂兰]大娘, [殷文军]哥), while a
# first name or pet name said with a kin title is one name (冬梅姐, 秀芝阿姨) and a surname with a title is a
# partial name (刘阿姨, 欧阳先生). Offices and professions after a surname and one or two characters; kin titles
# and a household's 家 (冯振东|家漏水) only after a surname and two characters (or a compound surname and one or
# two): 建军哥 stays whole, 王振家 may be a name.
_OFFICE_TITLE = re.compile(
    "(?:律师|医生|大夫|护士|老师|师傅|主任|书记|局长|处长|科长|所长|院长|校长|站长|队长|村长|组长|"
    "经理|老板|先生|女士|同志|同学|老人)$"
)
_KIN_TITLE_END = re.compile(
    "(?:大哥|大姐|大叔|大婶|大嫂|大娘|大爷|大妈|大伯|阿姨|阿婆|阿公|奶奶|爷爷|婆婆|姥姥|姥爷|"
    "妈妈|爸爸|叔叔|伯伯|哥哥|姐姐|[哥姐叔姨婶嫂伯家])$"
)


_OF_KIN = re.compile("的(?:妈妈|爸爸|家长|奶奶|爷爷|姥姥|姥爷|外婆|外公|母亲|父亲|老师|同学)$")


def _titled_end(value: str) -> int | None:
    """Where the name ends in ``value`` when a title follows a full name in it, else None."""
    single, compound = surnames()
    of_kin = _OF_KIN.search(value)
    if of_kin is not None and of_kin.start() >= 2:
        return of_kin.start()  # 春生的奶奶 read as one name: the child, then whose grandmother
    for pattern in (_OFFICE_TITLE, _KIN_TITLE_END):
        title = pattern.search(value)
        if title is None:
            continue
        name = value[: title.start()]
        if value[:2] in compound:
            shaped = 3 <= len(name) <= 4
        else:  # 王芳|老师, but 冬梅姐 and 王建大哥 (王建 + 大哥 or 王 + 建大哥?) stay whole
            shaped = name[:1] in single and (len(name) == 3 or (len(name) == 2 and pattern is _OFFICE_TITLE))
        return len(name) if shaped and all(_HAN.match(c) for c in name) else None
    return None


def titled_full_names(text: str, hits: list) -> list:
    """Person hits that ran a full name into the title after it (许剑律师, 相桂兰大娘, 殷文军哥), cut to the name."""
    out = []
    for hit in hits:
        value = text[hit.start : hit.end]
        end = _titled_end(value) if hit.entity_type == "PERSON" and len(value) >= 4 else None
        if end is not None:
            hit = type(hit)(hit.entity_type, hit.start, hit.start + end, hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out


# A two-character name before 国家/东家 + what is found in or said of a home (张强国|家天花板, 刘建东|家漏水): the
# model reads the word 国家 "the state" (东家 "the boss") and cuts the name before 国/东 — among the commonest last
# characters of given names (建国, 卫国, 建东, 卫东). Not before what follows 国家 "the state" (国家级, 国家队,
# 国家大剧院, 国家电网). Not 全家/新家/成家 (张伟全家都去了, 张伟新家装修, 张伟成家的时候: the word is meant).
_HOME_AFTER = re.compile(
    "[国东]家(?:的|里|门|楼|院|屋|房|装修|天花|孩子|老人|老[大二三]|吃|做客|住|玩|串门|借|狗|猫|水管|阳台|窗|墙|厨房|"
    "卫生间|漏水|隔壁|旁边|对面|附近|那边|这边|[^\u4e00-\u9fff]|$)"
)


def before_home(text: str, hits: list) -> list:
    """Two-character names (surname + one character) before 国家/东家 said of a home, grown by the 国/东."""
    if "国家" not in text and "东家" not in text:
        return hits
    out = []
    single = surnames()[0]
    for hit in hits:
        end = hit.end
        if (
            hit.entity_type == "PERSON"
            and end - hit.start == 2
            and text[hit.start] in single
            and _HOME_AFTER.match(text, end) is not None
        ):
            hit = type(hit)(hit.entity_type, hit.start, end + 1, hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out
