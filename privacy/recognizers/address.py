"""ADDRESS 地址: administrative gazetteer + street, road, building and room patterns.

An address is a chain of adjacent components: administrative names from the
GB/T 2260 table in :mod:`sandbox.regions` (浙江省, 杭州市, 西湖区 — and the
short province/city names 浙江, 杭州), generic divisions (…街道, …镇, …乡),
places (…村, …社区, …小区, …花园, …大厦), roads (…路, …街, …大道, …巷,
…胡同) and numbered units (88号, 3号楼, 2单元, 501室, 三组, 3-2-501).

A chain is reported only when it reaches below the district: a road with a
number, a building or room, or a village with its group — "朝阳区" alone is a
place, not somebody's address.
"""

from __future__ import annotations

import functools
import re

from privacy.recognizers._base import ChineseRecognizer, Hit, Term, Verdict, _drop_overlaps, han_class_without

__all__ = ["AddressRecognizer", "gazetteer_names"]

_ADMIN = "自治区|自治州|自治县|特别行政区|省|市|地区|盟|区|县|旗|街道办事处|街道|镇|乡"
_PLACE = (
    "社区居委会|居委会|村委会|社区|新村|村|屯|寨|嘎查|小区|花园|家园|公寓|大厦|广场|苑|庭|湾|"
    "城|中心|大楼|商城|宿舍|园区|园|坊"
)
_ROAD = "大道|大街|路|街|巷|胡同|弄|道|里"
_NUMERAL = "[0-9０-９A-Za-z一二三四五六七八九十百零〇两甲乙丙丁]"
_UNIT = "号院|号楼(?![上下道里梯顶])|号|弄|栋|幢|座|楼(?![上下道里梯顶])|单元|层|室|户|组|排|门|队|巷|区"
# Characters that end a place name (function words and verbs of the surrounding report).
_STOP = "在住来电反映的了是与及等对被把给因为说称请要求希望并且但也还就又已将其他她我你您们这那有没不很该"
_DWELLING = re.compile("(?:村|社区|小区|新村|花园|家园|公寓|大厦|苑)$")


def _first_chars(*alternations: str) -> str:
    return "[" + "".join(sorted({word[0] for alt in alternations for word in alt.split("|")})) + "]"


_HAN = han_class_without(_STOP)
# Greedy: the longest run of characters that ends in a suffix (青山湖街道大园路 is one part).
_NAMED = f"{_HAN}{{1,8}}(?={_first_chars(_PLACE, _ROAD, _ADMIN)})(?:{_PLACE}|{_ROAD}|{_ADMIN})"
_NUMBERED = f"(?:\\d+(?:[-－]\\d+){{1,3}}(?:室|号)?|{_NUMERAL}{{1,5}}(?={_first_chars(_UNIT)})(?:{_UNIT}))"
_TRIGGER = ("住在", "住址", "家住", "地址", "位于", "居住", "现住", "户籍", "住于", "搬到", "租住", "家庭住址")
# Where an address not starting with a gazetteer name may begin.
_START = "(?:^|(?<=[\\x00\\s，。；：:,、（()）\"“”在住址于至到是]))"
# Words that introduce an address; a chain that swallowed one restarts after it.
_TRIGGERS = ("走访", "居住地址", "现居住地", "现住址", "住所地", "联系地址", "通讯地址", "收货地址", "详细地址",
             "所在地", "居住地", "户口所在地", "家庭住址", "户籍地址", "户籍地", "户籍", "地址", "住址", "家住", "住在", "位于", "居住在", "居住",
             "现住", "来自", "搬到", "租住", "前往", "途经", "送至", "寄往", "发往")
_TRIGGER_RE = re.compile("|".join(sorted(_TRIGGERS, key=len, reverse=True)))


def _label_end(text: str, position: int) -> int:
    """Where a trigger word that straddles ``position`` ends (``position`` if none does)."""
    for match in _TRIGGER_RE.finditer(text, max(0, position - 5), position + 5):
        if match.start() < position < match.end():
            return match.end()
    return position


_ROAD_RE = re.compile(f"(?:{_ROAD})$")
_PLACE_RE = re.compile(f"(?:{_PLACE})$")
_ADMIN_RE = re.compile(f"(?:{_ADMIN})$")


@functools.cache
def gazetteer_names() -> tuple[str, ...]:
    """Administrative names (full and short) from the GB/T 2260 table, longest first."""
    from sandbox.regions import region_table

    names: set[str] = set()
    for code, name in region_table().items():
        if len(name) < 2 or name in {"市辖区", "县"}:
            continue
        names.add(name)
        if code.endswith("0000") or code.endswith("00"):
            for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    names.add(name[: -len(suffix)])
                    break
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@functools.cache
def _gazetteer_index() -> tuple[frozenset[str], frozenset[str], int]:
    """(names, their two-character prefixes, the longest name's length)."""
    names = gazetteer_names()
    return frozenset(names), frozenset(n[:2] for n in names), max(len(n) for n in names)


_SEED = re.compile(f"{_NUMBERED}|村|社区|小区|新村|花园|家园|公寓|大厦|苑")
_START_RE = re.compile(_START + "(?=[\\u4e00-\\u9fff0-9０-９A-Za-z])")
_NAMED_RE = re.compile(_NAMED)
_NUMBERED_RE = re.compile(_NUMBERED)
_SEP = "[\\s,，]?"
# A room number without its unit after a building part (3幢2单元401, A座1102).
_BARE_ROOM = "(?<=[幢栋座元楼层])\\d{2,4}(?![0-9０-９A-Za-z])"
_CHAIN = re.compile(
    f"(?:{_NAMED}(?:{_SEP}{_NAMED})*(?:{_SEP}{_NUMBERED})*(?:{_SEP}{_NAMED}(?:{_SEP}{_NUMBERED})+)?"
    f"|{_NUMBERED}(?:{_SEP}{_NUMBERED})+)(?:{_BARE_ROOM})?"
)
# Right after a trigger word: an estate without a suffix (东方名都) followed by building and room numbers.
_ESTATE_CHAIN = re.compile(f"{_HAN}{{2,8}}?(?:{_SEP}{_NUMBERED}){{2,}}")
_PART = re.compile(f"{_NAMED}|{_NUMBERED}")
_ROOM_UNITS = "室户层元楼栋幢座"


class AddressRecognizer(ChineseRecognizer):
    """地址: …省…市…区…街道…路…号…栋…单元…室, …镇…村…组 (gazetteer-anchored)."""

    ENTITY = "ADDRESS"
    PATTERNS = (("address_chain", _CHAIN.pattern, 0.6),)
    OWN_CONTEXT = True
    CONTEXT = (*_TRIGGER, "地点", "住所", "户籍地", "所在地", "收货")
    WINDOW_BEFORE = 6

    def __init__(self) -> None:
        super().__init__()
        names = gazetteer_names()
        self._first = re.compile(f"[{''.join(sorted({n[0] for n in names}))}]")

    def _gazetteer_starts(self, text: str) -> list[int]:
        _, prefixes, _ = _gazetteer_index()
        return [m.start() for m in self._first.finditer(text) if text[m.start() : m.start() + 2] in prefixes]

    def _gazetteer_length(self, text: str, position: int) -> int:
        """Length of the longest gazetteer name starting at ``position`` (0 if none)."""
        names, prefixes, longest = _gazetteer_index()
        if text[position : position + 2] not in prefixes:
            return 0
        for length in range(min(longest, len(text) - position), 1, -1):
            if text[position : position + length] in names:
                return length
        return 0

    def _is_admin(self, part: str) -> bool:
        names, _, longest = _gazetteer_index()
        return any(part[:k] in names for k in range(2, min(len(part), longest) + 1))

    def _levels(self, value: str) -> set[str]:
        """Which kinds of component ``value`` is made of."""
        levels: set[str] = set()
        for match in _PART.finditer(value):
            part = match.group()
            if not levels and match.start() >= 2:
                levels.add("place")  # an estate name without a suffix (东方名都24栋…)
            if _NUMBERED_RE.fullmatch(part):
                levels.add("room" if part[-1] in _ROOM_UNITS else "number")
                continue
            if self._is_admin(part):
                levels.add("admin")
            if _DWELLING.search(part):
                levels.add("dwelling")
            elif _ADMIN_RE.search(part):
                levels.add("admin")
            elif _ROAD_RE.search(part):
                levels.add("road")
            elif _PLACE_RE.search(part):
                levels.add("place")
        return levels
    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        levels = self._levels(value)
        specific = levels & {"number", "room"}
        named = levels & {"admin", "road", "place", "dwelling"}
        if not specific and not ("dwelling" in levels and "admin" in levels):
            return None  # a district or a street alone is a place, not somebody's address
        if not named and len(specific) < 2:
            return None
        score = 0.85 if named and specific else 0.7 if named else 0.6
        order = tuple(Term(f"pii.part.{name}") for name in ("admin", "road", "place", "dwelling", "number", "room")
                      if name in levels)
        return Verdict("pii.why.address", {"parts": order}, score)

    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        if _SEED.search(text) is None:
            return []
        starts = sorted({m.start() for m in _START_RE.finditer(text)}.union(self._gazetteer_starts(text)))
        hits: list[Hit] = []
        done = 0
        for position in starts:
            if position < done:
                continue
            label_end = _label_end(text, position)
            if label_end > position:
                # The start is inside a label (the 址 of 住址): the address begins after it.
                done = label_end
                if label_end not in starts and _CHAIN.match(text, label_end) is None:
                    continue
                position = label_end
            match = _CHAIN.match(text, position)
            chain_start = None
            if match is None:
                # A gazetteer name the generic parts cannot read (那曲市 starts with a stop character).
                skip = self._gazetteer_length(text, position)
                match = _CHAIN.match(text, position + skip) if skip else None
                chain_start = position if match is not None else None
            if _TRIGGER_RE.search(text, max(0, position - 4), position):
                estate = _ESTATE_CHAIN.match(text, position)
                if estate is not None and (match is None or estate.end() > match.end()):
                    match = estate
            if match is None:
                continue
            trigger = _TRIGGER_RE.search(text, position, match.end())
            if trigger is not None:
                match = _CHAIN.match(text, trigger.end())
                estate = _ESTATE_CHAIN.match(text, trigger.end())
                if estate is not None and (match is None or estate.end() > match.end()):
                    match = estate
                if match is None:
                    done = trigger.end()
                    continue
            start, end = match.span()
            if chain_start is not None and match.start() == position + skip:
                start = chain_start
            done = end
            value = text[start:end].rstrip(" ,，")
            end = start + len(value)
            verdict = self.check(value, text, start, end)
            if verdict is None:
                continue
            score = verdict.score or 0.6
            word = self.context_word(text, start, end) if use_context else ""
            if word:
                score = min(1.0, score + 0.15)
            hits.append(Hit(self.ENTITY, start, end, score, verdict, word))
        return _drop_overlaps(hits)

    def fullmatch(self, value: str) -> Verdict | None:
        value = value.strip()
        hits = self.find(value, use_context=False)
        if len(hits) == 1 and hits[0].end - hits[0].start >= len(value) * 0.8:
            return hits[0].verdict
        return None
