"""A name's boundary where the model glued it to the word next to it.

LAC segments and tags in one pass, so a name whose characters it rarely saw in names is run
into what a sentence says next: a particle (``苏湛呀，今天值班吗``, ``应该是金潇吧``, ``薛婧了，你们认识吗``),
or the verb of the clause (``把邓砚拉进群``, ``魏岚陪老人去体检``, ``熊英都七十多了``). Those characters end no Han
given name, so a name found with one of them at its end is cut before it — when what is left is still a
name's shape (a surname and one or two given-name characters). Characters that do end given names
(才 孟广才, 来 李春来, 和 乐本和, 得, 顺 …) are not in the list; 拉 ends transliterated names (阿卜杜拉), so after
a Han surname it is cut only before what follows the verb 拉 (进群, 黑, 到, 了 …). The same model also runs a
demonstrative or verb before a full name into it (``那田润泽呢``): a four-character hit starting with one of
those and followed by a full name loses it. And it runs a full name into a word that its last character
starts (``孙德胜利完成``, ``冯志远程办理``): a Han name is almost never a single surname and three given
characters, so a four-character hit whose last two characters are a common word loses the last.
"""

from __future__ import annotations

import functools

from privacy.recognizers._base import SEPARATOR
from privacy.recognizers._person_rules import _jieba_tables, surnames

__all__ = [
    "CLAUSE_HEADS",
    "PARTICLES",
    "THIRD_ODDS",
    "cut_short",
    "glued_ends",
    "said_in_full",
    "third_chars",
]

# Sentence and structural particles: no given name ends with one.
PARTICLES = frozenset("吗呢吧啊呀啦嘛哦呗咯嘞了的着")
# Prepositions, adverbs and verbs that follow a subject or an object named by a person (X让…, 把X拉进群, X陪…).
# Each is rare as a given name's last character (jieba's names: ≤ 23 of 48,000 end with one).
CLAUSE_HEADS = frozenset("让给被把在从对跟向都也就还又说到要去是叫找问请帮替陪带送催喊")
# 拉 after a name is the verb 拉 when a complement or an object of pulling follows it.
_PULL = "拉"
_AFTER_PULL = frozenset("进入出到回上下黑群了着过个走住")


def _name_shaped(value: str) -> bool:
    """A single surname and one or two characters, or a compound surname and one or two."""
    single, compound = surnames()
    if len(value) >= 3 and value[:2] in compound:
        return len(value) <= 4
    return value[:1] in single and 2 <= len(value) <= 3


def _glued_end(text: str, start: int, end: int) -> int:
    """Where the name ``text[start:end]`` ends when its last character is the next word's (else ``end``)."""
    last = text[end - 1]
    if end - start == 4 and _word_taken(text, start, end):
        from privacy.recognizers._person_given import given_name_llr

        # the word's first character is a given name's (孙德胜|利) or not (杨东|常年, 庄旭|来电)
        return end - 1 if given_name_llr(text[end - 2]) >= _THIRD_LLR else end - 2
    if last in PARTICLES or last in CLAUSE_HEADS:
        cut = True
    elif last == _PULL:
        tags = _jieba_tables()[0]
        transliterated = any(
            tags.get(text[a:end], "").startswith("nr") for a in (start, end - 2)
        )  # 阿卜杜拉, 莎拉
        cut = end < len(text) and text[end] in _AFTER_PULL and not transliterated
    else:
        return end
    if not cut or not _name_shaped(text[start : end - 1]):
        return end
    if not all("\u4e00" <= c <= "\u9fff" for c in text[start:end]):
        return end
    if any(len(e) >= 2 and text.startswith(e, end - len(e)) for e in _elements_ending(last)):
        return end  # 索南才让, 次仁拉姆: a Tibetan or Mongolian name element ends there
    return end - 1


@functools.cache
def _elements_ending(char: str) -> tuple[str, ...]:
    from privacy.recognizers._person_minority import _elements

    return tuple(e for e in _elements() if e.endswith(char))


_MIN_WORD_FREQ = 100
# Below this a character is far more common in text than in given names (常 -0.8, 来 -1.3; 国 -0.2, 成 -0.3 are not).
_THIRD_LLR = -0.5
_ONE_LLR = 1.5
_NUMERALS = frozenset("〇一二三四五六七八九十百千两")


def _word_taken(text: str, start: int, end: int) -> bool:
    """A single Han surname, two given-name characters and the first of a word the name was run into: the
    last two characters of the four are a common word (孙德胜利|完成, 冯志远程|办理, 陶国庆幸|自己).

    A Han name of a single surname and three given characters is all but unknown (the corpus's four-character
    names are compound surnames, minority and transliterated names); those are left alone."""
    single, compound = surnames()
    value = text[start:end]
    if value[0] not in single or value[:2] in compound or any(c in _NUMERALS for c in value):
        return False
    if not all("\u4e00" <= c <= "\u9fff" for c in value) or _element_inside(value):
        return False
    tags, freq, _ = _jieba_tables()
    tail = value[2:]
    if tags.get(tail, "nr").startswith("nr") or freq.get(tail, 0) < _MIN_WORD_FREQ or _person_word(tail):
        return False  # 乐乐妈妈, 许剑律师: a kin title or an office is another pass's
    return not tags.get(value, "").startswith("nr") and not tags.get(value[1:], "").startswith("nr")


def _person_word(word: str) -> bool:
    """A title, kin word or word for people (妈妈, 律师, 老人), or an organisation's end (民政局)."""
    from privacy.recognizers._person_edges import _KIN_TITLE_END, _OFFICE_TITLE
    from privacy.recognizers._person_rules import PERSON_NOUNS

    return (
        word in PERSON_NOUNS
        or _KIN_TITLE_END.search(word) is not None
        or _OFFICE_TITLE.search(word) is not None
        or word[-1] in "局委办所站厂馆院校部处行"
    )


def _element_inside(value: str) -> bool:
    """True when a minority name element (扎西, 古丽, 塔娜 …) is part of ``value``."""
    return any(value[a:b] in _element_set() for a in range(len(value)) for b in range(a + 2, len(value) + 1))


@functools.cache
def _element_set() -> frozenset[str]:
    from privacy.recognizers._person_minority import _elements

    return frozenset(_elements())


# Demonstratives, verbs and prepositions the model ran into a full name after them (那|田润泽呢, 叫|韩沛霖来).
_HEADS = frozenset("那这是叫找问请让给跟和与被把向对从由经")


def _glued_start(text: str, start: int, end: int) -> int:
    """Where a four-character name starts when its first character is the word before a full name."""
    value = text[start:end]
    if len(value) != 4 or value[0] not in _HEADS or value[:2] in surnames()[1] or not _name_shaped(value[1:]):
        return start
    return start + 1


def _broken_at_one(text: str, start: int, end: int) -> bool:
    """A surname and 一 (高一 "senior year one", 周一 "Monday") before a character typical of given names: the
    model broke a name like 高一臻 at a word it knows."""
    from privacy.recognizers._person_given import given_name_llr

    if end - start != 2 or text[end - 1] != "一" or text[start] not in surnames()[0] or end >= len(text):
        return False
    after = text[end]
    return (
        "\u4e00" <= after <= "\u9fff"
        and after not in PARTICLES
        and after not in CLAUSE_HEADS
        and (given_name_llr(after) >= _ONE_LLR)
    )


# The model's own probability that a two-character name it read is three characters long (刘淑|华为: 0.05); on the
# dev split's right two-character names it is below 0.0002 in half the cases; the lowest of 0.01/0.02/0.03/0.05/0.1
# with no dev loss (DEVELOPING.md, "The third character").
THIRD_ODDS = 0.01


@functools.cache
def third_chars() -> tuple[frozenset[str], frozenset[str]]:
    """(single surnames, characters that can be a given name's third): the two-character names whose
    three-character reading the model is asked about (:meth:`privacy.recognizers._lac.LacModel.tag_chunks`)."""
    from privacy.recognizers._person_given import _given_name_table

    after = frozenset(
        c for c, llr in _given_name_table().items() if llr >= _ONE_LLR and "\u4e00" <= c <= "\u9fff"
    )
    return surnames()[0], after - PARTICLES - CLAUSE_HEADS


def cut_short(text: str, hits: list, third: dict[int, float]) -> list:
    """Two-character person hits grown by the next character where the model read the name one short.

    The model's best path reads 聘任刘淑|华为区… (华为 is a word it knows well); its posterior still gives the
    three-character name a real chance (``third``: start → P, :attr:`privacy.recognizers._lac.Words.third`). A
    hit of a single surname and one character grows when that chance is at least :data:`THIRD_ODDS`, the next
    character is typical of given names (given_name_llr ≥ 1.5: 华 1.7; not 你 代 核 家 摄, which the model also
    doubts) and no particle or clause head, and no other hit holds it.
    """
    if not third:
        return hits
    first, after = third_chars()
    taken = {k for h in hits for k in range(h.start, h.end)}
    out = []
    for hit in hits:
        start, end = hit.start, hit.end
        if (
            hit.entity_type == "PERSON"
            and end - start == 2
            and third.get(start, 0.0) >= THIRD_ODDS
            and end not in taken
            and text[start] in first
            and text[end] in after
        ):
            hit = type(hit)(hit.entity_type, start, end + 1, hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out


def said_in_full(text: str, hits: list) -> list:
    """Two-character person hits grown to the three-character name the same text names in full elsewhere.

    A name read whole in one place (周海生现在的低保…) and cut at a word in another (她父亲周海|生病了, 陈立|春节前)
    is the same person: the cut mention takes its third character back when that character is free. Within one
    text of a batch (no :data:`~privacy.recognizers._base.SEPARATOR` between the two mentions).
    """
    full = {}
    for hit in hits:
        value = text[hit.start : hit.end]
        if hit.entity_type == "PERSON" and len(value) == 3 and value[0] in surnames()[0]:
            full.setdefault(value, []).append(hit.start)
    if not full:
        return hits
    taken = {k for h in hits for k in range(h.start, h.end)}
    out = []
    for hit in hits:
        start, end = hit.start, hit.end
        value = text[start : end + 1]
        if (
            hit.entity_type == "PERSON"
            and end - start == 2
            and end not in taken
            and value in full
            and any(SEPARATOR not in text[min(start, other) : max(start, other)] for other in full[value])
        ):
            hit = type(hit)(hit.entity_type, start, end + 1, hit.score, hit.verdict, hit.context_word)
            taken.add(end)
        out.append(hit)
    return out


def glued_ends(text: str, hits: list) -> list:
    """Person hits whose last character is a particle or the head of the clause after the name, cut before it
    (苏湛呀 → 苏湛, 邓砚拉|进群 → 邓砚, 魏岚陪|老人 → 魏岚), or whose first is the word before a full name
    (那|田润泽呢)."""
    out = []
    for hit in hits:
        if hit.entity_type == "PERSON" and _broken_at_one(text, hit.start, hit.end):
            hit = type(hit)(hit.entity_type, hit.start, hit.end + 1, hit.score, hit.verdict, hit.context_word)
        elif hit.entity_type == "PERSON" and hit.end - hit.start >= 3:
            end = _glued_end(text, hit.start, hit.end)
            start = _glued_start(text, hit.start, end)
            if (start, end) != (hit.start, hit.end):
                hit = type(hit)(hit.entity_type, start, end, hit.score, hit.verdict, hit.context_word)
        out.append(hit)
    return out
