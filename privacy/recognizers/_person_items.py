"""Names as items of a list whose items give each person's address in brackets.

Beneficiary lists, 公示 and case registers write a person and, in brackets right after, where the person
lives: ``补助对象：白跃进（毕节市七星关区撒拉溪镇冲锋村四组）``, ``1. 石建国（大方县羊场镇）；2. 向东方（…）``.
The item is a name even when its characters are an ordinary word (跃进, 前进, 东方) that the model reads as a
verb or an adverb (白 "in vain" + 跃进): what is written before an address in brackets at the start of a
list item is whose address it is.

An item: after a label's colon, a list separator (、，；), a line break, a tab or an item number (``2.``),
a surname and one or two characters (a compound surname and one or two), then ``（`` or ``(`` and a place the
model reads as one (a LOC word right after the bracket: 毕节市, 大方县). Not a place or an organisation itself
(冲锋村（毕节市）, the model's own LOC/ORG reading of the item), not a word for people or a label (村民（…）),
not an ordinary word that is no name (安居, 育才: jieba frequency ≥ 20 and not tagged as a name).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_lists import name_like
from privacy.recognizers._person_rules import PERSON_NOUNS, PREFIX_CONTEXT, _jieba_tables

__all__ = ["ADDRESSED_SCORE", "addressed_names"]

ADDRESSED_SCORE = 0.85
_ITEM = re.compile(
    "(?:^|(?<=[：:、，,；;\n\t\u3000\x00])|(?<=[0-9][.、．)）])|(?<=[0-9][.．] ))"
    "(?P<name>[\u4e00-\u9fff]{2,4})[（(]"
)
_PLACE_LAST = frozenset("省市州盟县区旗镇乡村街道路巷组屯社院所站局委办校厂店馆场")


def addressed_names(text: str, spans: list, *, is_place: Callable[[str], bool]) -> list[Hit]:
    """List items written as name + bracketed address (see the module docstring); ``spans``: the model's
    entity words (PER/LOC/ORG)."""
    if "（" not in text and "(" not in text:
        return []
    found: list[Hit] = []
    tags, freq, _ = _jieba_tables()
    loc_starts = {s.start for s in spans if s.label == "LOC"}
    entity_at = {s.start: s for s in spans if s.label in ("LOC", "ORG")}
    for match in _ITEM.finditer(text):
        a, b = match.span("name")
        name = match.group("name")
        if b + 1 not in loc_starts or not name_like(name) or name[-1] in _PLACE_LAST or is_place(name):
            continue
        if name in PERSON_NOUNS or name in PREFIX_CONTEXT:
            continue
        if freq.get(name, 0) >= 20 and not tags.get(name, "").startswith("nr"):
            continue  # 项目名称：安居（…）, 学校：育才（…）: an ordinary word, not a name (向阳, 于长江 are)
        entity = entity_at.get(a)
        if entity is not None and entity.end >= b:
            continue  # the model reads the item as a place or an organisation
        verdict = Verdict("pii.why.person_addressed", {}, ADDRESSED_SCORE)
        found.append(Hit("PERSON", a, b, ADDRESSED_SCORE, verdict, ""))
    return found
