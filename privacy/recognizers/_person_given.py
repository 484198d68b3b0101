"""Given names and nicknames said without a surname, as messages say them.

In a chat people call each other by the given name or a nickname — ``国强你到哪了``,
``红旗啊 你媳妇让你早点回来``, ``让国庆顶一下``, ``找建国拿钥匙`` — and many of those are
ordinary words too (国庆, 石头, 平安). Without a surname only the *frame* says that a
person is meant, so a two-character word counts here only

* at the start of a message or clause (a line, after a space or sentence punctuation),
  followed by what is said to or about a person: ``你`` (not 你们), ``啊``/``呀``, a comma,
  ``在吗``, a sibling form ``哥``/``姐`` (kept in the span: 建军哥), a parent of the child
  (``一鸣妈妈``: the child's name), or — weaker — an adverb
  or verb of a person's doing (又, 说, 今天 …);
* or right after a word that takes a person as its object (让, 叫, 找, 跟, 问, 转给 …)
  and before a verb or a pronoun;

* or as the one pulled into a group or fetched (``把海燕也拉进来``, ``把安康拉进群``);
* or as an @-mention standing alone (``@大海 能不能…``): a handle names a member, whatever the
  word — unless it is a word for people or an office (``@所有人``, ``@物业``, ``@市长信箱``);
* or as the speaker of a message line (``金花：我明天请假``) when both characters are far more
  common in given names than in text (``given_name_llr``; a form's labels 性别/备注/地址 are not);

and only when the word itself can be a given name: not a pronoun, time, number or verb,
not a word for people (老公, 领导, 邻居), not a very common ordinary word, and made of
characters that given names use (``name_char_score``). The pass is one regular
expression over the text plus dictionary look-ups per candidate.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter

from privacy.recognizers._base import Hit, Verdict

__all__ = ["UNSEEN_LLR", "can_be_given_name", "can_be_pet_name", "given_name_llr", "given_name_table_from_jieba",
           "given_names", "parent_of", "pulled_and_mentioned"]

# Where a clause starts in a message.
_CLAUSE = "(?:(?<![^\\n\\x00 \\u3000，,。！？!?～~…“「【])|(?<=[@＠]))"
# Words that take a person as their object: 让国庆顶一下, 找建国拿钥匙.
_LINKERS = frozenset(("让", "叫", "喊", "找", "跟", "问", "催", "问问", "转给", "告诉", "通知", "提醒", "转发给", "谢谢",
                      "感谢", "麻烦", "恭喜"))
_TAKES_PERSON = ("(?<=[让叫喊找跟问催])|(?<=问问|转给|告诉|通知|提醒|谢谢|感谢|麻烦|恭喜)|(?<=转发给)"
                 "|(?<=[叫喊找问催]一下)|(?<=告诉一下|通知一下|提醒一下)")  # 找一下翠花: the verb softened
_STRONG = "你(?!们)|您|啊|呀|哥(?![们哥])|姐(?![妹们姐])|叔(?![叔])|姨(?![妈])|阿姨|阿婆|奶奶|爷爷|[，,！!]|在吗|在不在|在么|在家吗|(?:妈妈|爸爸|家长)(?:(?![\u4e00-\u9fff])|(?=你|您|好))"
_WEAK = "又|说|今天|明天|刚才|已经|也|还|都|把|被|让|跟|不|没|怎么|什么时候"
_CANDIDATE = re.compile(
    f"(?:{_CLAUSE}|{_TAKES_PERSON})(?=(?P<w>[\u4e00-\u9fff]{{2}})(?:(?P<f>{_STRONG}|{_WEAK})|(?P<v>.)))", re.S)
_FIRST_NOT = frozenset("我你他她它这那哪谁每各某本该此其啥咋怎么什多几第每全所有没不就也都还又在是姓")  # 姓明：(姓名)
_LAST_NOT = frozenset("们的了着过吗呢吧啊呀哦嘛啦么些个里上下中名族")
# Words for people that a message addresses or talks about without naming them.
_ADDRESS = frozenset((
    "老公", "老婆", "宝贝", "宝宝", "亲爱", "大家", "各位", "领导", "兄弟", "姐妹", "哥们", "美女", "帅哥", "同志",
    "朋友", "老铁", "妈妈", "爸爸", "老妈", "老爸", "群主", "亲们", "闺女", "姑娘", "小伙", "媳妇", "老弟", "老哥",
    "大哥", "大姐", "哥哥", "姐姐", "弟弟", "妹妹", "奶奶", "爷爷", "外婆", "外公", "舅舅", "阿姨", "叔叔", "大爷",
    "大妈", "婆婆", "公公", "姑姑", "小姨", "二姨", "大舅", "老人", "老师", "师傅", "医生", "护士", "物业", "客服",
    "楼上", "楼下", "对面", "隔壁", "邻居", "孩子", "儿子", "女儿", "同学", "老板", "老乡", "师父", "亲家", "家长",
    "所有人", "全体", "群友", "管理员", "班长", "组长", "队长", "村长", "社长", "会长", "主任", "书记", "团长",
))
# Pulled into a group or fetched: 把海燕也拉进来, 把安康拉进群, 把豆豆接回来.
_PULLED = re.compile(
    "(?<=把)(?P<w>[\u4e00-\u9fff]{2})(?=(?:也|都|一起|一块)?(?:拉进|拉到|拉入|拉上|加进|加到|加入|踢出|移出|叫来|叫上|"
    "带上|带来|喊来|喊上|请来|接回|送回))")
# An @-mention standing alone: @大海 能不能…
_MENTION = re.compile("(?<=[@＠])(?P<w>[\u4e00-\u9fff]{2,3})(?=[ \u3000\n，,：:！!？?。]|$)")
# A message line's speaker: 金花：我明天请假 (not a label with nothing after it).
_SPEAKER = re.compile("(?:^|(?<=[\n\x00]))(?P<w>[\u4e00-\u9fff]{2})(?=[：:][ \u3000]*[^ \u3000\n\x00])")
_OFFICE_END = re.compile("(?:信箱|热线|客服|官方|中心|[办局委站群部科处所队组室厅馆会社长])$")
# jieba tags of words that are not given names: time, pronoun, number, verb, adverb …
_NOT_GIVEN_TAGS = frozenset(("t", "r", "m", "q", "d", "p", "c", "u", "y", "e", "o", "v", "vn", "vd", "f", "s",
                             "ad", "ul", "uj", "zg", "l", "i", "tg"))
_NOT_NAME_POS = frozenset(("LOC", "v", "vd", "vn", "d", "p", "c", "r", "m", "q", "f", "u", "xc", "w"))
_TIME_END = frozenset("天年月日午晚早晨周末节时点分秒前后间期初底季夜")
# The model's tags of a following word that a person does (a verb, a pronoun, a preposition).
_ACT_POS = frozenset(("v", "vd", "p", "r", "d", "vn"))


@functools.cache
def _tables() -> tuple[dict[str, str], dict[str, int]]:
    from privacy.recognizers._person_rules import _jieba_tables

    tags, freq, _ = _jieba_tables()
    return tags, freq


def can_be_given_name(word: str, *, strong: bool) -> bool:
    from privacy.recognizers._person_rules import PERSON_NOUNS, name_char_score

    if word[0] in _FIRST_NOT or word[1] in _LAST_NOT or word in _ADDRESS or word in PERSON_NOUNS:
        return False
    tags, freq = _tables()
    tag = tags.get(word)
    if tag is not None and tag != "nr":
        if tag == "t" and strong and word[1] not in _TIME_END:
            pass  # 让国庆|顶一下: a festival's name after a verb taking a person, not a time of day
        elif tag in _NOT_GIVEN_TAGS or freq.get(word, 0) > (5000 if strong else 300):
            return False
    return name_char_score(word) >= -7.5


# A parent or grandparent addressed by the child's name (柚子妈妈，…, 芒果妈妈你好, 桃子奶奶): the child's pet name may
# be any noun (a fruit, a food, a sound), so only words that cannot be one are refused — a word for people, a
# pronoun, time, number, verb or adverb, a very common word, or what describes the parent (单亲妈妈, 全职妈妈).
_PARENTS = frozenset(("妈妈", "爸爸", "家长", "奶奶", "爷爷"))
_PARENT_KINDS = frozenset(("单亲", "年轻", "新手", "全职", "职场", "二胎", "三胎", "宝妈", "学校", "社区", "小区", "班级",
                           "班上", "学生", "同学", "亲生", "后来", "真正", "伟大", "辛苦", "优秀", "模范", "最美", "好好"))
_NOT_PET_TAGS = _NOT_GIVEN_TAGS - {"o"}  # 嘟嘟 (a sound) is a pet name


def can_be_pet_name(word: str) -> bool:
    """True when ``word`` (two characters) can be a child's pet name before 妈妈/爸爸 (see ``_PARENTS``)."""
    from privacy.recognizers._person_rules import PERSON_NOUNS

    if word[0] in _FIRST_NOT or word[1] in _LAST_NOT or word in _ADDRESS or word in PERSON_NOUNS or word in _PARENT_KINDS:
        return False
    tags, freq = _tables()
    tag = tags.get(word)
    if tag is not None and tag != "nr" and (tag in _NOT_PET_TAGS or (tag == "a" and word[0] != word[1])):
        return False
    return freq.get(word, 0) <= 5000


def given_names(text: str, words: object) -> list[Hit]:
    """Two-character given names and nicknames in the frames above (``words``: the model's words)."""
    hits: list[Hit] = []
    for match in _CANDIDATE.finditer(text):
        start, end = match.span("w")
        word = match.group("w")
        follower = match.group("f")
        after_verb = not _clause_start(text, start)
        own = words.at(start - 1 if start and text[start - 1] in " \u3000" else start)  # type: ignore[attr-defined]
        teknonym = follower in _PARENTS and not after_verb  # 嘟嘟妈妈: the model's reading of a pet name is no guide
        if own is not None and own[0] == end and (own[1] in (("LOC",) if teknonym else _NOT_NAME_POS) or (
                after_verb and own[1] == "ORG" and (follower is None or word in _tables()[0]))):
            continue  # the model reads a place, a verb or an adverb (顺路, 回国), after a verb an organisation
        if after_verb:
            softened = 2 if text[max(0, start - 2) : start] == "一下" else 0
            verb = words.ending(start - softened)  # type: ignore[attr-defined]
            if verb is None or text[verb : start - softened] not in _LINKERS:
                continue  # 慰问|金由: the "verb" is the end of a longer word
        if follower is None or (after_verb and follower in "！!，,"):
            # Only after a verb taking a person: the next word must be a verb or a pronoun (让国庆|顶),
            # or the message pauses (谢谢美华！).
            if not after_verb:
                continue
            following = words.at(end)  # type: ignore[attr-defined]
            if follower is None and (following is None or following[1] not in _ACT_POS):
                continue
            strong = False
        else:
            strong = re.fullmatch(_STRONG, follower) is not None
        if teknonym:
            if not can_be_pet_name(word):
                continue  # 柚子妈妈，…: a child's pet name may be any noun
        elif not can_be_given_name(word, strong=strong or after_verb):
            continue
        if follower and follower[0] in "哥姐叔姨阿奶爷":
            end += len(follower)  # 建军哥, 永福叔, 秀芝阿姨: said as one name
        verdict = Verdict("pii.why.person_given", {}, 0.7)
        hits.append(Hit("PERSON", start, end, 0.7, verdict, ""))
    return hits


# A character never seen in a given name of jieba's dictionary: rare in names.
UNSEEN_LLR = -2.5


def given_name_table_from_jieba() -> dict[str, float]:
    """Per character, log P(c | given name) - log P(c | text), from jieba's dictionary (the source of
    ``data/given_name_chars.txt``; a test checks the file against it).

    Given names: the two characters after a single-character surname in jieba's three-character
    ``nr`` words (both positions pooled: first and second given-name characters are not told apart);
    text: every dictionary word's characters weighted by the word's frequency.
    """
    from privacy.recognizers._person_rules import surnames

    tags, freq = _tables()
    single = surnames()[0]
    names: Counter[str] = Counter()
    for word, tag in tags.items():
        if tag == "nr" and len(word) == 3 and word[0] in single:
            names.update(word[1:])
    chars: Counter[str] = Counter()
    for word, count in freq.items():
        if count:
            for char in word:
                chars[char] += count
    name_total, char_total = sum(names.values()), sum(chars.values())
    return {c: round(math.log((n + 0.5) / name_total) - math.log((chars[c] + 1) / char_total), 2)
            for c, n in sorted(names.items())}


@functools.cache
def _given_name_table() -> dict[str, float]:
    from importlib import resources

    text = (resources.files("privacy.recognizers") / "data" / "given_name_chars.txt").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, value = line.split()
            table[char] = float(value)
    return table


def given_name_llr(word: str) -> float:
    """The smallest, over ``word``'s characters, log-likelihood ratio of a character being part of a given
    name rather than of ordinary text (> 0: more common in names; 晓丽 2.6, 金花 0.5; 性别 -1.7, 地址 -2.8)."""
    table = _given_name_table()
    return min(table.get(c, UNSEEN_LLR) for c in word)


def pulled_and_mentioned(text: str) -> list[Hit]:
    """Given names and nicknames pulled into a group (把海燕也拉进来), @-mentioned alone (@大海 …) or
    speaking a message line (金花：…)."""
    if "把" not in text and "@" not in text and "＠" not in text and "：" not in text and ":" not in text:
        return []
    hits: list[Hit] = []
    for pattern, strong in ((_PULLED, True), (_MENTION, False), (_SPEAKER, True)):
        for match in pattern.finditer(text):
            word = match.group("w")
            if pattern is _SPEAKER:
                from privacy.recognizers._person_rules import PERSON_NOUNS, PREFIX_CONTEXT

                if word in PERSON_NOUNS or word in PREFIX_CONTEXT or not can_be_given_name(word, strong=True) \
                        or given_name_llr(word) < 0.4:
                    continue
            elif pattern is _MENTION:
                from privacy.recognizers._person_rules import PERSON_NOUNS

                if word in _ADDRESS or word in PERSON_NOUNS or _OFFICE_END.search(word) \
                        or word[0] in _FIRST_NOT or word[-1] in _LAST_NOT:
                    continue
            elif not can_be_given_name(word, strong=strong):
                continue
            verdict = Verdict("pii.why.person_given", {}, 0.7)
            hits.append(Hit("PERSON", match.start("w"), match.end("w"), 0.7, verdict, ""))
    return hits


def _clause_start(text: str, start: int) -> bool:
    return start == 0 or text[start - 1] in "\n\x00 \u3000，,。！？!?～~…@＠“「【"


# A caller who names themself by the child: 我是新华的妈妈, 我姓刘，是小满的妈妈 — the child is named.
_PARENT_OF = re.compile(
    "(?:我是|我们是|她是|他是|本人是|(?<=[，,：:“ ])是)(?P<w>[\u4e00-\u9fff]{2,3}?)的(?:妈妈|爸爸|家长|奶奶|爷爷|姥姥|姥爷|外婆|外公|母亲|父亲)"
)


def parent_of(text: str) -> list[Hit]:
    """The child in 我是X的妈妈/爸爸/家长 …: a pet name or a name (``can_be_pet_name`` for two characters, a
    surname and two characters for three), written with characters given names use (``given_name_llr`` ≥ -0.5)."""
    if "的" not in text or "是" not in text:
        return []
    from privacy.recognizers._person_rules import PERSON_NOUNS, surnames

    hits: list[Hit] = []
    for match in _PARENT_OF.finditer(text):
        word = match.group("w")
        if len(word) == 2 and not can_be_pet_name(word):
            continue
        if len(word) == 3 and (word[0] not in surnames()[0] or word[1:] in PERSON_NOUNS):
            continue
        if given_name_llr(word[-2:]) < -0.5:
            continue  # 我是外地的家长, 双胞胎的妈妈: characters of ordinary words, not of names
        verdict = Verdict("pii.why.person_given", {}, 0.8)
        hits.append(Hit("PERSON", match.start("w"), match.end("w"), 0.8, verdict, ""))
    return hits
