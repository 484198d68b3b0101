"""Names next to a found name: pairs, mixed lists and duty rosters.

* A pair joined by 和/与/跟/同/及 to a name already found (``志明和春娇下周结婚``,
  ``执法队员宗俊与谷雨晨``): the other side — the model's word of two or three characters — is a
  name too when it reads as one (a surname and a given name, or a word that can be a given name)
  and is not a word for people, a place or a common word (``张伟和物业``, ``李娜和孩子``).
* A 、-list holding a found name and Latin items (``Tony、Jack、阿伟``): the Latin items are names.
* A duty roster (``值班安排：周一苗青，周二牧云，周三简宁``): two or more items that each start with a
  weekday or a date, in a text about a roster (值班, 排班, 轮值 …) — the rest of each item is a name
  unless it is a word for people or what is done (休息, 开会); items led by a numbered unit
  (``1栋訾国平，2栋益秀兰``, ``第一组…，第二组…``) when one of them is a found name and the others
  read as surname + given name.
* A transliterated name spelt out word by word in a transcript (``来电人：阿不都 热西提 吾买尔 电话…``):
  found parts separated by single spaces, every character a transliteration character, right
  after a person's label and a colon — one name (not the names of a list: ``名单：古丽 米拉 阿依``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_given import can_be_given_name
from privacy.recognizers._person_lists import name_like
from privacy.recognizers._person_rules import jieba_word

__all__ = ["paired_names"]

_JOIN = "和与跟同及"
_HAN = re.compile("[\u4e00-\u9fff]")
_LATIN_BEFORE = re.compile("[A-Z][a-z]{1,11}$")
_LATIN_ITEM = re.compile("[A-Z][a-z]{1,11}(?: [A-Z][a-z]{1,11})?")
_LATIN_RUN = re.compile("(?:[A-Z][a-z]{1,11}(?: [A-Z][a-z]{1,11})?|[\u4e00-\u9fff·]{2,6})(?:、(?:[A-Z][a-z]{1,11}"
                        "(?: [A-Z][a-z]{1,11})?|[\u4e00-\u9fff·]{2,6}))+")
_ROSTER_TEXT = re.compile("值班|排班|轮值|值守|值日|带班|轮班|值勤")
_ROSTER_ITEM = re.compile(
    "(?:(?P<day>周[一二三四五六日天]|星期[一二三四五六日天]|[0-9０-９]{1,2}[日号]|[0-9０-９]{1,2}月[0-9０-９]{1,2}[日号])"
    "|(?P<unit>第?[0-9０-９一二三四五六七八九十]{1,3}(?:栋|幢|号楼|组|队|片区?|社|网格|单元)))[：:]?"
    "(?P<w>[\u4e00-\u9fff]{2,3})(?=[，,、；;。 （(\\n]|$)")
# The start of any roster item (a superset of _ROSTER_ITEM's prefixes): most texts have none.
_ROSTER_HINT = re.compile("周[一二三四五六日天]|星期[一二三四五六日天]|[0-9０-９一二三四五六七八九十](?:[日号栋幢组队片社]|号楼|网格|单元)")
_NOT_ON_DUTY = frozenset(("休息", "开会", "调休", "放假", "停诊", "待定", "轮休", "补班", "上班", "加班", "全天", "上午", "下午"))


def paired_names(text: str, hits: list[Hit], words: Sequence[tuple[int, int]], *,
                 is_word: Callable[[str], bool], is_role: Callable[[str], bool],
                 is_place: Callable[[str], bool]) -> list[Hit]:
    """``hits`` plus the names of pairs, mixed lists and rosters (see the module docstring)."""
    if len(hits) == 0:
        return hits
    taken = [(h.start, h.end) for h in hits]
    added: list[Hit] = []

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in taken)

    def add(a: int, b: int, score: float) -> None:
        added.append(Hit("PERSON", a, b, score, Verdict("pii.why.person_list", {}, score), "、"))
        taken.append((a, b))

    found = [h for h in hits if h.score >= 0.6 and h.end - h.start >= 2]
    joined = [h for h in found if (h.end < len(text) and text[h.end] in _JOIN) or (h.start >= 2 and text[h.start - 1] in _JOIN)]
    if joined:
        ends = {b: a for a, b in words}
        starts = {a: b for a, b in words}
        for hit in joined:
            sides = []
            if hit.end < len(text) and text[hit.end] in _JOIN:
                b = starts.get(hit.end + 1)
                sides.append((hit.end + 1, b))
            if hit.start >= 2 and text[hit.start - 1] in _JOIN:
                latin = _LATIN_BEFORE.search(text, max(0, hit.start - 17), hit.start - 1)  # ≤ 12 characters
                if latin is not None and free(*latin.span()) and (latin.start() == 0 or not text[latin.start() - 1].isalpha()):
                    add(*latin.span(), 0.7)  # Sam和阿雅: a Latin name joined to a found name
                sides.append((ends.get(hit.start - 1), hit.start - 1))
            for a, b in sides:
                if a is None or b is None or not 2 <= b - a <= 3 or not free(a, b):
                    continue
                value = text[a:b]
                if not all(_HAN.match(c) for c in value) or is_role(value) or is_place(value):
                    continue
                if (name_like(value) and not is_word(value)) or (b - a == 2 and can_be_given_name(value, strong=True)):
                    add(a, b, 0.7)
    if found and "、" in text:
        for match in _LATIN_RUN.finditer(text):
            items = match.group().split("、")
            position = match.start()
            spans = []
            for item in items:
                spans.append((position, position + len(item)))
                position += len(item) + 1
            if not any((a, b) in taken for a, b in spans):
                continue  # no found name among the items
            for a, b in spans:
                if _LATIN_ITEM.fullmatch(text, a, b) and free(a, b):
                    add(a, b, 0.75)
    items = list(_ROSTER_ITEM.finditer(text)) if _ROSTER_HINT.search(text) else []
    if len(items) >= 2:
        roster = _ROSTER_TEXT.search(text) is not None
        named = any(match.span("w") in taken for match in items)
        for match in items:
            a, b = match.span("w")
            value = match.group("w")
            if not free(a, b) or value in _NOT_ON_DUTY or is_role(value) or is_place(value):
                continue
            # Weekdays in a roster: any name; numbered units (1栋, 第二组): names when one item is found.
            if (roster and match.group("day")) or (named and (name_like(value) or (
                    len(value) == 3 and not jieba_word(value, min_freq=1))) and not is_word(value)):
                add(a, b, 0.75)
    result = sorted([*hits, *added], key=lambda h: h.start) if added else hits
    return _spelt_out_names(text, result) if " " in text else result


def _spelt_out_names(text: str, hits: list[Hit]) -> list[Hit]:
    """Join the space-separated parts of a transliterated name after a colon (阿不都 热西提 吾买尔)."""
    from privacy.recognizers._person_forms import is_transliteration

    out: list[Hit] = []
    k = 0
    while k < len(hits):
        j = k
        while (j + 1 < len(hits) and text[hits[j].end : hits[j + 1].start] == " "
               and is_transliteration(text[hits[j + 1].start : hits[j + 1].end])):
            j += 1
        first = hits[k]
        lead = text[max(0, first.start - 1) : first.start]
        if j > k and is_transliteration(text[first.start : first.end]) and lead in ("：", ":") \
                and first.context_word not in ("", "、"):  # 来电人：…, not 名单：古丽 米拉 阿依
            score = max(h.score for h in hits[k : j + 1])
            out.append(Hit("PERSON", first.start, hits[j].end, score, first.verdict, first.context_word))
        else:
            out += hits[k : j + 1] if j > k else [first]
        k = j + 1
    return out
