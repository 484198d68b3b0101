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

from privacy.recognizers._base import ChineseRecognizer, Hit, Verdict, _drop_overlaps

__all__ = ["AddressRecognizer", "gazetteer_names"]

_ADMIN = "自治区|自治州|自治县|特别行政区|省|市|地区|盟|区|县|旗|街道办事处|街道|镇|乡"
_PLACE = (
    "社区居委会|居委会|村委会|社区|新村|村|屯|寨|嘎查|小区|花园|家园|公寓|大厦|广场|苑|庭|湾|"
    "城|中心|大楼|商城|宿舍|园区|园"
)
_ROAD = "大道|大街|路|街|巷|胡同|弄|道|里"
_NUMERAL = "[0-9０-９A-Za-z一二三四五六七八九十百零〇两甲乙丙丁]"
_UNIT = "号院|号楼|号|弄|栋|幢|座|楼|单元|层|室|户|组|排|门|队|巷|区"
_STOP = "在住来电反映的了是与及等向对被把给因为说称请要求希望并且但也都还就又已将其他她我你您们这那有没不很该附近旁边内外里门口对面处"


def _han_without(stop: str) -> str:
    """A character class of the CJK block minus ``stop`` (faster than a lookahead per character)."""
    ranges: list[str] = []
    low = 0x4E00
    for code in sorted({ord(ch) for ch in stop if 0x4E00 <= ord(ch) <= 0x9FFF}):
        if code > low:
            ranges.append(f"\\u{low:04x}-\\u{code - 1:04x}" if code - 1 > low else f"\\u{low:04x}")
        low = code + 1
    ranges.append(f"\\u{low:04x}-\\u9fff")
    return "[" + "".join(ranges) + "]"


def _first_chars(*alternations: str) -> str:
    return "[" + "".join(sorted({word[0] for alt in alternations for word in alt.split("|")})) + "]"


_HAN = _han_without(_STOP)
_NAMED = f"{_HAN}{{1,8}}?(?={_first_chars(_PLACE, _ROAD, _ADMIN)})(?:{_PLACE}|{_ROAD}|{_ADMIN})"
_NUMBERED = f"(?:\\d+(?:[-－]\\d+){{1,3}}(?:室|号)?|{_NUMERAL}{{1,5}}(?={_first_chars(_UNIT)})(?:{_UNIT}))"
_TRIGGER = ("住在", "住址", "家住", "地址", "位于", "居住", "现住", "户籍", "住于", "搬到", "租住", "家庭住址")
# Where an address not starting with a gazetteer name may begin.
_START = "(?:^|(?<=[\\s，。；：:,、（()）\"“”0-9在住址于至到是]))"
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


def _trie_regex(words: tuple[str, ...]) -> str:
    """A compact regex matching any of ``words`` (a character trie, longest first)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


@functools.cache
def _gazetteer_regex() -> str:
    names = gazetteer_names()
    # A character-class guard first: Python's re tries alternation branches one by one.
    return f"(?=[{''.join(sorted({n[0] for n in names}))}]){_trie_regex(names)}"


class AddressRecognizer(ChineseRecognizer):
    """地址: …省…市…区…街道…路…号…栋…单元…室, …镇…村…组 (gazetteer-anchored)."""

    ENTITY = "ADDRESS"
    PATTERNS = ()
    OWN_CONTEXT = True
    CONTEXT = (*_TRIGGER, "地点", "住所", "户籍地", "所在地", "收货")
    WINDOW_BEFORE = 6

    def __init__(self) -> None:
        super().__init__()
        self._gazetteer = re.compile(_gazetteer_regex())
        self._chain = re.compile(self.pattern_specs()[0][1])
        self._component = re.compile(f"{_gazetteer_regex()}|{_NAMED}|{_NUMBERED}")
        self._numbered = re.compile(_NUMBERED)

    def pattern_specs(self) -> tuple[tuple[str, str, float], ...]:
        gazetteer = _gazetteer_regex()
        component = f"(?:{gazetteer}|{_NAMED}|{_NUMBERED})"
        chain = f"(?:(?={gazetteer})|{_START}){component}(?:[\\s,，]?{component})*"
        return (("address_chain", chain, 0.6),)

    def _levels(self, value: str) -> set[str]:
        """Which kinds of component ``value`` is made of."""
        levels: set[str] = set()
        for match in self._component.finditer(value):
            part = match.group()
            if self._gazetteer.fullmatch(part):
                levels.add("admin")
            elif self._numbered.fullmatch(part):
                levels.add("room" if part[-1] in "室户层单元楼栋幢座" else "number")
            elif _ROAD_RE.search(part):
                levels.add("road")
            elif _PLACE_RE.search(part):
                levels.add("place")
            elif _ADMIN_RE.search(part):
                levels.add("admin")
        return levels

    def check(self, value: str, text: str = "", start: int = 0, end: int = 0) -> Verdict | None:
        levels = self._levels(value)
        specific = levels & {"number", "room"}
        if not specific and not ("place" in levels and ("admin" in levels or "road" in levels)):
            return None
        if not (levels & {"admin", "road", "place"}) and len(specific) < 2:
            return None
        score = 0.85 if ("admin" in levels or "road" in levels or "place" in levels) and specific else 0.6
        order = [name for name in ("admin", "road", "place", "number", "room") if name in levels]
        return Verdict("pii.why.address", {"parts": "+".join(order)}, score)

    def find(self, text: str, *, use_context: bool = True) -> list[Hit]:
        hits: list[Hit] = []
        for match in self._chain.finditer(text):
            start, end = match.span()
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
