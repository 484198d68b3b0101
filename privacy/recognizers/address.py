"""ADDRESS 地址: administrative gazetteer + street, road, building and room patterns.

An address is a chain of adjacent components: administrative names from the
GB/T 2260 table in :mod:`sandbox.regions` (浙江省, 杭州市, 西湖区 — and the
short province/city/prefecture names 浙江, 杭州, 凉山州), generic divisions
(…街道, …镇, …乡, …州), places (…村, …社区, …小区, …家属院, …大院, …宿舍,
…大厦), roads (…路, …街, …大道, …巷, …胡同, …条, …段) and numbered units
(88号, 附3号, 3号楼, 2单元, 501室, 三组, 3-2-501). The vocabulary is in
:mod:`privacy.recognizers._address_parts`.

A chain is reported only when it reaches below the district: a road with a
number, a building or room, or a village/estate with an administrative name —
"朝阳区" alone is a place, not somebody's address.

Where a chain begins: at a gazetteer name, after punctuation, a label
(住址：), a function character (的, 是, 在 …) or a stop word of the report
(反映, 希望, 将于 …). A chain that begins elsewhere but holds a stop word, or
whose first component ends in a whole administrative name (邮寄到|湖北省), is
left to the start after it.
"""

from __future__ import annotations

import bisect
import functools
import re

from privacy.recognizers._address_parts import (
    ADMIN_NEXT,
    ADMIN_RE,
    BEFORE_START,
    CHAIN,
    DWELLING,
    ESTATE,
    ESTATE_CHAIN,
    GENERIC_ENDS,
    GENERIC_PART,
    INNER_ADMIN,
    INNER_BREAK,
    NUMBERED_RE,
    ORG_AFTER,
    PART,
    PLACE_RE,
    ROAD_RE,
    ROOM_UNITS,
    RURAL_UNIT,
    SECTOR,
    SEED,
    STOP_WORD_RE,
    TRIGGER,
    TRIGGER_RE,
    VILLAGE,
    gazetteer_index,
    gazetteer_names,
    trigger_spans,
)
from privacy.recognizers._base import ChineseRecognizer, Hit, Term, Verdict, _drop_overlaps

__all__ = ["AddressRecognizer", "gazetteer_names"]


@functools.lru_cache(maxsize=65536)
def _kind(part: str) -> tuple[str, bool, bool, bool, int, bool]:
    """One part of a chain: (kind, a sector word, a group below a village, holds an administrative
    name, the length of an estate's own name or -1, that name follows a division or road inside the
    part). Parts repeat (roads, estates): cached."""
    if NUMBERED_RE.fullmatch(part):
        if part[-1] in "楼层" and not part.endswith("号楼"):
            return "floor", False, False, False, -1, False  # 三楼, 5层: a floor
        return ("room" if part[-1] in ROOM_UNITS else "number"), False, False, False, -1, False
    if GENERIC_PART.search(part):
        return "generic", False, False, False, -1, False
    names, prefixes, longest = gazetteer_index()
    admin = (part[:2] in prefixes and any(part[:k] in names for k in range(2, min(len(part), longest) + 1))) or (
        INNER_ADMIN.search(part, 0, len(part) - 1) is not None)
    estate = ESTATE.search(part)
    if estate is not None:
        kind = "estate"
    elif VILLAGE.search(part):
        kind = "village"
    elif DWELLING.search(part) or ADMIN_RE.search(part):
        kind = "admin"
    elif ROAD_RE.search(part):
        kind = "road"
    elif PLACE_RE.search(part):
        kind = "place"
    else:
        kind = ""
    name, inner = (estate.start(), False) if estate is not None else (-1, False)
    if estate is not None:
        for division in INNER_BREAK.finditer(part, 0, estate.start() - 2):
            name, inner = estate.start() - division.end(), True
    return kind, part in SECTOR, RURAL_UNIT.search(part) is not None, admin, name, inner


def _without_generic_tail(value: str) -> str:
    """``value`` without the parts at its end that name no place (…幸福里小区|获评市级示范小区)."""
    if not value or value[-1] not in GENERIC_ENDS:
        return value
    parts = list(PART.finditer(value))
    while len(parts) > 1 and parts[-1].end() == len(value) and _kind(parts[-1].group())[0] == "generic":
        value = value[: parts[-2].end()]
        parts.pop()
    return value


class AddressRecognizer(ChineseRecognizer):
    """地址: …省…市…区…街道…路…号…栋…单元…室, …镇…村…组 (gazetteer-anchored)."""

    ENTITY = "ADDRESS"
    PATTERNS = (("address_chain", CHAIN.pattern, 0.6),)
    OWN_CONTEXT = True
    CONTEXT = (*TRIGGER, "地点", "住所", "户籍地", "所在地", "收货")
    WINDOW_BEFORE = 6

    def __init__(self) -> None:
        super().__init__()
        names = gazetteer_names()
        self._first = re.compile(f"[{''.join(sorted({n[0] for n in names}))}]")

    def _gazetteer_starts(self, text: str) -> list[int]:
        _, prefixes, _ = gazetteer_index()
        return [m.start() for m in self._first.finditer(text) if text[m.start() : m.start() + 2] in prefixes]

    def _gazetteer_length(self, text: str, position: int) -> int:
        """Length of the longest gazetteer name starting at ``position`` (0 if none)."""
        names, prefixes, longest = gazetteer_index()
        if text[position : position + 2] not in prefixes:
            return 0
        for length in range(min(longest, len(text) - position), 1, -1):
            if text[position : position + length] in names:
                return length
        return 0

    def _later_start(self, text: str, position: int, gazetteer: set[int]) -> bool:
        """True when the chain at ``position`` should begin later: its first part holds a stop word
        (市民反映|幸福村) or ends in a whole administrative name (邮寄到|湖北省)."""
        first = PART.match(text, position)
        if first is None or NUMBERED_RE.fullmatch(first.group()):
            return False
        stop = STOP_WORD_RE.search(text, max(0, position - 1), first.end())
        if stop is not None and stop.end() > position:
            return True
        if position in gazetteer:
            return False
        # A report's words before a whole administrative name (邮寄给|湖北省), not a part of a name (下|城区).
        for inner in range(position + 2, first.end() - 2):
            if inner in gazetteer:
                length = self._gazetteer_length(text, inner)
                if length >= 3 and ADMIN_RE.search(text, inner, inner + length) is not None:
                    return True
                if length >= 2 and ADMIN_NEXT.match(text, inner + length) is not None:
                    return True
        return False

    def _through_gazetteer(self, text: str, end: int, gazetteer: set[int]) -> int:
        """Where a chain ending at ``end`` ends when it goes on through gazetteer names the generic
        parts cannot read (吕梁市|离石区青年路166号: 离 is a stop character)."""
        while True:
            following = end + 1 if text[end : end + 1] in (" ", ",", "，") else end
            length = self._gazetteer_length(text, following) if following in gazetteer else 0
            if not length:
                return end
            more = CHAIN.match(text, following + length)
            end = more.end() if more is not None else following + length

    def _levels(self, value: str) -> set[str]:
        """Which kinds of component ``value`` is made of.

        Besides the parts shown in explanations: ``"estate"`` (a named housing estate),
        ``"admin first"`` (an administrative name before the first village: 大屯乡王家屯, not
        侯家村为省级…), and a group below a village (王家村|雷允组) counts as a number.
        """
        levels: set[str] = set()
        for index, match in enumerate(PART.finditer(value)):
            if index == 0 and match.start() >= 2:
                levels.add("place")  # an estate name without a suffix (东方名都24栋…)
            kind, sector, rural, admin, estate, inner = _kind(match.group())
            if kind in ("room", "number", "floor"):
                levels.add(kind)
                continue
            if kind == "generic" or (sector and not levels):
                continue  # 街道, 各村, 某小区, 农村, 老旧小区: no particular place; 东区3栋: a sector
            if rural and "village" in levels:
                levels.add("number")
            if admin:
                levels.add("admin")
            if kind == "estate":
                # Named: a short name (和平小区) or one after a road or division, not a phrase (雷雨天气时小区).
                if 2 <= estate <= 4 or (estate >= 2 and (inner or levels & {"admin", "road"})):
                    levels.add("estate")
                levels.add("dwelling")
            elif kind == "village":
                if "admin" in levels and "village" not in levels:
                    levels.add("admin first")
                levels.update(("dwelling", "village"))
            elif kind:
                levels.add(kind)
        return levels

    def _verdict(self, value: str) -> tuple[Verdict | None, bool]:
        """The verdict on ``value`` and whether it holds a number (a village or estate alone must not
        name an organisation)."""
        levels = self._levels(value)
        named = levels & {"admin", "road", "place", "dwelling"}
        if "floor" in levels and named - {"place"}:
            levels.add("room")  # a floor of a home or a numbered road's building, not of a venue (服务中心三楼)
        specific = levels & {"number", "room"}
        if not specific and not levels & {"admin first", "estate"}:
            return None, False  # a district or a street alone is a place, not somebody's address
        if not named and len(specific) < 2:
            return None, True
        score = 0.85 if named and specific else 0.7 if named else 0.6
        order = tuple(Term(f"pii.part.{name}") for name in ("admin", "road", "place", "dwelling", "number", "room")
                      if name in levels)
        return Verdict("pii.why.address", {"parts": order}, score), bool(specific)

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        return self._verdict(value)[0]

    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        if SEED.search(text) is None:
            return []
        gazetteer = set(self._gazetteer_starts(text))
        start_set = {m.end() for m in BEFORE_START.finditer(text)}.union(
            gazetteer, (0,), (m.end() for m in STOP_WORD_RE.finditer(text)))
        labels = trigger_spans(text)
        trigger_ends = sorted(set(labels.values()))
        hits: list[Hit] = []
        done = 0
        for position in sorted(start_set):
            if position < done:
                continue
            after_label = labels.get(position, position)
            if after_label > position:
                # The start is inside a label (the 址 of 住址): the address begins after it.
                done = after_label
                if after_label not in start_set and CHAIN.match(text, after_label) is None:
                    continue
                position = after_label
            match = CHAIN.match(text, position)
            chain_start = None
            near = bisect.bisect_left(trigger_ends, position - 3)
            near = near < len(trigger_ends) and trigger_ends[near] <= position
            if match is None and not near and position not in gazetteer:
                continue
            if match is None:
                # A gazetteer name the generic parts cannot read (那曲市 starts with a stop character).
                skip = self._gazetteer_length(text, position)
                match = CHAIN.match(text, position + skip) if skip else None
                chain_start = position if match is not None else None
            elif self._later_start(text, position, gazetteer):
                continue
            if near:
                estate = ESTATE_CHAIN.match(text, position)
                if estate is not None and (match is None or estate.end() > match.end()):
                    match = estate
            if match is None:
                continue
            trigger = TRIGGER_RE.search(text, position, match.end())
            if trigger is not None:
                match = CHAIN.match(text, trigger.end())
                estate = ESTATE_CHAIN.match(text, trigger.end())
                if estate is not None and (match is None or estate.end() > match.end()):
                    match = estate
                if match is None:
                    done = trigger.end()
                    continue
            start, end = match.span()
            if chain_start is not None and match.start() == position + skip:
                start = chain_start
            end = self._through_gazetteer(text, end, gazetteer)
            done = end
            value = _without_generic_tail(text[start:end].rstrip(" ,，"))
            end = start + len(value)
            verdict, numbered = self._verdict(value)
            if verdict is None or (not numbered and ORG_AFTER.match(text, end) is not None):
                continue  # 城关镇东关村|村民委员会: an organisation named after a place
            score = verdict.score or 0.6
            word = self.context_word(text, start, end) if use_context else ""
            if word:
                score = min(1.0, score + 0.15)
            hits.append(Hit(self.ENTITY, start, end, score, verdict, word))
        return _drop_overlaps(hits)

    def fullmatch(self, value: str) -> Verdict | None:
        value = value.strip()
        if value[:2] in gazetteer_index()[1] and TRIGGER_RE.search(value) is None and (
                STOP_WORD_RE.search(value) is None):
            # Most cells of an address column: one chain from a gazetteer name to the end. ``find`` would
            # start there, not restart (no trigger, no stop word) and report just this chain.
            whole = CHAIN.match(value)
            if whole is not None and whole.end() == len(value):
                kept = _without_generic_tail(value)
                verdict, numbered = self._verdict(kept)
                if verdict is None or (not numbered and ORG_AFTER.match(value, len(kept)) is not None):
                    return None
                return verdict if len(kept) >= len(value) * 0.8 else None
        hits = self.find(value, use_context=False)
        if len(hits) == 1 and hits[0].end - hits[0].start >= len(value) * 0.8:
            return hits[0].verdict
        return None
