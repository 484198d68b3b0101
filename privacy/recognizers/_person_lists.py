"""Names in enumerations, and name boundaries read from the model's words.

A 名单 or a ticket lists people as a run of short items — ``蓝海、林涛、万国栋三户``,
``一等奖 唐晓峰 宁静``, ``王强，李娜，张洁`` — and the items are names whether or
not each one is also an ordinary word (蓝海, 宁静, 和平). So where a run of items
contains a name already found, every other item that *looks like* a name
(surname + one or two characters; a compound surname + one or two) is one too,
unless it is a place. Runs joined by 、 are trusted most; items separated by
commas or white space must also not be a common word in jieba's dictionary
(``王芳，高中，…``). ``叶秋生户、钱进户`` lists households: the trailing 户/家 is
not part of the name.

Boundaries: a rule candidate whose end falls inside one of the model's words
(监护人|雷鸣未|按时 → the model reads 雷鸣|未) is cut back to the model's word
boundary, unless a form of address or another suffix decided its end.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._lac import Words
from privacy.recognizers._person_forms import is_element_name
from privacy.recognizers._person_rules import PERSON_NOUNS, surnames
from privacy.recognizers._person_tables import NAME_HEADER, ONE_SPACE, headed_table, table_columns

__all__ = ["counted_names", "list_names", "name_like", "named_by_aside", "refine_end"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_HOUSEHOLD = "户家"
# After the last item: a count of people or households (三户, 两位老人, 5人) or 等.
_COUNT_AFTER = re.compile("(?:[共计]?[两二三四五六七八九十0-9]+(?:人|户|位|名|家|个家庭)|等)")
_BEFORE_COUNT = re.compile(f"[\u4e00-\u9fff]{{2,4}}?(?={_COUNT_AFTER.pattern})")
# Items that are organisations or teams rather than people.
_ORG_END = re.compile("(?:公司|集团|局|委|会|所|站|院|校|中心|队|部|处|办|厂|店|社|馆|组|班|团)$")
_GAP = re.compile(r"[ \u3000\t]+|\n[ \u3000\t]*")
# Between the items of a numbered list (接龙, 名单): 1. 岩应\n2. 玉罕 / 1、… 2、… / (3) …, an item may end in +1.
_NUMBERED_GAP = re.compile(r"(?:[ \u3000]*[+＋][0-9]{1,2})?[ \u3000\t\n]*(?:[0-9０-９]{1,3}[.．、)）]|[（(][0-9]{1,3}[）)])[ \u3000\t]*")
_NUMBER_MARK = re.compile(r"(?:^|[\s\u3000])(?:[0-9０-９]{1,3}[.．、)）]|[（(][0-9]{1,3}[）)])[ \u3000\t]*$")
_SHORT = re.compile(r"[\u4e00-\u9fff]{2,5}")
_SOLID_NEXT = re.compile(
    "(?:先生|女士|阿姨|师傅|大爷|大妈|奶奶|爷爷|老师|同志|同学|老人|一家|家|户|夫妇|[男女](?![\u4e00-\u9fff]))")


def _familiar(value: str) -> bool:
    """小史, 老何: 小/老 and a surname (a list item such as 小沈、小史)."""
    return len(value) == 2 and value[0] in "小老" and value[1] in surnames()[0]


def name_like(value: str) -> bool:
    """Surname + one or two characters (a compound surname + one or two), all Chinese."""
    single, compound = surnames()
    if not 2 <= len(value) <= 4 or _HAN.fullmatch(value[0]) is None or not all(_HAN.match(c) for c in value):
        return False
    if any(c in _NUMERALS for c in value[1:]):
        return False  # 高二, 初一: a school year, not a name
    if len(value) >= 3 and value[:2] in compound:
        return True
    return len(value) <= 3 and value[0] in single


_NEVER_LAST = frozenset("称说讲问的了在是和与及你您他她我也都还就又已将把被给向对")
_FUNCTION_POS = frozenset(("d", "ad", "vd", "p", "c", "u", "v", "r", "m", "q", "f", "w", "xc"))


def refine_end(text: str, hit: Hit, words: Words) -> Hit:
    """``hit`` ending where the model's words end, when the rule's end lies inside a word.

    ``words`` are the model's words (:class:`privacy.recognizers._lac.Words`). A rule name
    that ends inside a word is cut back (or on) to the nearest word boundary; one
    that ends with a one-character function word (雷鸣|未) loses it.
    """
    end = hit.end
    if hit.score >= 0.9 or end >= len(text) or _HAN.match(text[end]) is None or _SOLID_NEXT.match(text, end):
        return hit
    if hit.verdict.key == "pii.why.person_title":
        return hit  # 李总|好: a surname with its title ends there
    inside = words.at(end - 1)
    if inside is not None and inside[0] - (end - 1) >= 4 and inside[1] in ("ORG", "LOC"):
        return hit  # 文建|华为区市场监督管理局: a long organisation swallowed the name's last character
    if words.at(end) is not None or end in _ends(words, hit.start, end):
        last = words.at(end - 1)
        if last is not None and last[0] == end and last[1] in _FUNCTION_POS and end - 1 - hit.start >= 2 \
                and words.at(hit.start) is not None:
            return Hit(hit.entity_type, hit.start, end - 1, hit.score, hit.verdict, hit.context_word)
        return hit
    ends = _ends(words, hit.start - 4, end + 2)
    for candidate in (end - 1, end + 1):
        if candidate > end and text[end] in _NEVER_LAST:
            continue  # 常胜|称: a verb or function word never ends a name
        if hit.start + 2 <= candidate <= hit.start + 4 and candidate in ends:
            return Hit(hit.entity_type, hit.start, candidate, hit.score, hit.verdict, hit.context_word)
    return hit


def _ends(words: Words, low: int, high: int) -> set[int]:
    return {end for _, end in words.between(max(0, low), high + 1)}


def _items_of_run(text: str, seps: list[int], hits: Sequence[Hit], words: Sequence[tuple[int, int]]
                  ) -> list[tuple[int, int]]:
    """(start, end) of each item of a 、-run whose separators are at ``seps`` (consecutive)."""
    items: list[tuple[int, int]] = []
    first_sep, last_sep = seps[0], seps[-1]
    # First item: a found name or the model's word ending at the separator, else the Chinese run before it.
    start = next((h.start for h in hits if h.end == first_sep), None)
    if start is None:
        start = next((a for a, b in words if b == first_sep and 2 <= b - a <= 5 and name_like(text[a:b])), None)
    if start is None:
        start = first_sep
        while start > 0 and _HAN.match(text[start - 1]) and first_sep - start < 5:
            start -= 1
        # 拟确定车建国、车丽: the longest name-like tail of the characters before the separator.
        start = next((k for k in range(start, first_sep - 1) if name_like(text[k:first_sep])), start)
    items.append((start, first_sep))
    items += [(a + 1, b) for a, b in itertools.pairwise(seps)]
    households = sum(text[b - 1] in _HOUSEHOLD or text[b - 2 : b] == "家庭" for a, b in items) * 2 > len(items)
    after = last_sep + 1
    end = None
    if households:
        found = re.compile("[\u4e00-\u9fff]{2,4}?(?:家庭|[户家])").match(text, after)
        end = found.end() if found else None
    if end is None:
        counted = _BEFORE_COUNT.match(text, after)
        end = counted.end() if counted else None
    if end is None:
        end = next((h.end for h in hits if h.start == after), None)
    if end is None:
        end = next((b for a, b in words if a == after and 2 <= b - a <= 5), None)
    if end is not None:
        items.append((after, end))
    return items


def _strip_household(text: str, start: int, end: int) -> tuple[int, int]:
    if end - start >= 4 and text[end - 2 : end] == "家庭":
        return start, end - 2  # 俞丰收家庭: the family of 俞丰收
    if end - start >= 3 and text[end - 1] in _HOUSEHOLD:
        return start, end - 1
    return start, end


_ASIDE = re.compile(r"（[^（）\n]{1,24}）|\([^()\n]{1,24}\)")
_NUMERALS = frozenset("一二三四五六七八九十两零")
# Kinship words before a name in a list of family members (孙 is left out: far more often the surname).
_KIN = frozenset("妻夫子女父母兄弟姐妹侄")
_SPEAKER = re.compile(r"(?m)^[ \u3000]*([\u4e00-\u9fff]{2,4})[：:]")


def list_names(text: str, hits: list[Hit], words: Sequence[tuple[int, int]], *,
               is_place: Callable[[str], bool], is_word: Callable[[str], bool],
               is_role: Callable[[str], bool]) -> list[Hit]:
    """``hits`` plus the other name-like items of every enumeration holding a found name.

    ``words`` are the model's word spans; ``is_place`` vetoes an item (a place);
    ``is_word`` vetoes an item of a comma- or space-separated run (a common word);
    ``is_role`` vetoes any item (a word for people: 申请人, 顾客). Asides in brackets
    after an item (林涛（城管执法队）；蓝天（文化站）) are read past.
    """
    if not hits and not headed_table(text):
        return hits
    if "（" not in text and "(" not in text:
        return _list_names(text, hits, words, is_place, is_word, is_role)
    keep = [True] * len(text)
    for match in _ASIDE.finditer(text):
        for i in range(*match.span()):
            keep[i] = False
    origin = [i for i, k in enumerate(keep) if k]
    if len(origin) == len(text):
        return _list_names(text, hits, words, is_place, is_word, is_role)
    where = {i: c for c, i in enumerate(origin)}
    compact = "".join(text[i] for i in origin)

    def inward(h_start: int, h_end: int) -> tuple[int, int] | None:
        if h_end > h_start and all(keep[h_start:h_end]):
            return where[h_start], where[h_end - 1] + 1
        return None

    local: list[Hit] = []
    outside: list[Hit] = []
    for hit in hits:
        span = inward(hit.start, hit.end)
        if span is None:
            outside.append(hit)
        else:
            local.append(Hit(hit.entity_type, *span, hit.score, hit.verdict, hit.context_word))
    local_words = [span for a, b in words if (span := inward(a, b)) is not None]
    result = _list_names(compact, local, local_words, is_place, is_word, is_role)
    back = [Hit(h.entity_type, origin[h.start], origin[h.end - 1] + 1, h.score, h.verdict, h.context_word)
            for h in result]
    return sorted([*outside, *back], key=lambda h: h.start)


def _list_names(text: str, hits: list[Hit], words: Sequence[tuple[int, int]], is_place: Callable[[str], bool],
                is_word: Callable[[str], bool], is_role: Callable[[str], bool]) -> list[Hit]:
    runs: list[tuple[list[tuple[int, int]], bool]] = []
    if "、" in text:
        seps = [m.start() for m in re.finditer("、", text)]
        group = [seps[0]]
        for sep in seps[1:]:
            between = text[group[-1] + 1 : sep]
            if 1 <= len(between) <= 6 and all(_HAN.match(c) or c in "·" for c in between):
                group.append(sep)
            else:
                runs.append((_items_of_run(text, group, hits, words), True))
                group = [sep]
        runs.append((_items_of_run(text, group, hits, words), True))
    token_runs = _token_runs(text)
    runs += [(items, False) for items in token_runs]
    numbered = {id(items) for items in token_runs if _is_numbered(text, items)}
    speakers = [m.span(1) for m in _SPEAKER.finditer(text)]
    if len(speakers) >= 2:
        runs.append((speakers, True))
    kept = list(hits)
    added: list[Hit] = []
    columns = len(runs)
    remarks: set[tuple[int, int]] = set()
    headed: set[int] = set()
    if "\t" in text or "\u3000" in text or "  " in text or "｜" in text or "|" in text:
        columns_found, remarks = table_columns(text)
        runs += columns_found
    elif "\n" in text and " " in text and NAME_HEADER.search(text) is not None:
        columns_found, remarks = table_columns(text, cell_sep=ONE_SPACE)  # 考生编号 姓名 类别\n… 宁静 学术型
        runs += columns_found
    else:
        columns_found = []
    headed = {id(items) for items, named in columns_found if named}
    for index, (items, trusted) in enumerate(runs):
        field = index >= columns or id(items) in numbered  # a table column or a numbered list: whole cells
        if len(items) < 2 or any(text[a:b] in _HEADERS for a, b in items):
            continue  # a header row (姓名 单位 联系电话): labels, not names
        spans = [_strip_household(text, a, b) for a, b in items]
        if sum(text[a] in _KIN or (a and text[a - 1] in _KIN) for a, _ in spans) >= 2:  # 妻房小燕、子房俊: a list of family members
            spans = [_strip_kin(text, a, b) for a, b in spans]
        found = [any(h.start < b and a < h.end and h.score >= 0.5 for h in kept) for a, b in spans]
        counted = trusted and _COUNT_AFTER.match(text, items[-1][1]) is not None
        trusted = trusted or sum(found) * 2 >= len(items)
        if not any(found) and id(items) not in headed and not (counted and all(name_like(text[a:b]) for a, b in spans)):
            continue
        for a, b in spans:
            value = text[a:b]
            if (a, b) in remarks:
                continue
            if not (name_like(value) or is_element_name(value) or _familiar(value)
                    or (field and _HAN_FIELD.fullmatch(value) and not is_word(value))) \
                    or is_place(value) or _ORG_END.search(value) or is_role(value):
                continue
            if any(h.start == a and h.end == b and h.score >= 0.75 for h in kept):
                continue
            if not trusted and is_word(value):
                continue
            if _adverb_head(value):
                continue  # 好的周姐，马上改: the item is a reply that starts with an adverb (马上, 立刻), not a name
            overlapping = [h for h in kept if h.start < b and a < h.end]
            low = a - 1 if a and text[a - 1] in _KIN else a  # 子|房俊: a finding that took the kin word too
            if any(h.start < low or h.end > b + 1 for h in overlapping):
                continue  # a longer finding crosses the item: leave it
            kept = [h for h in kept if h not in overlapping]
            score = max([0.75, *(h.score for h in overlapping)])
            added.append(Hit("PERSON", a, b, score, Verdict("pii.why.person_list", {}, score), "、"))
    if not added:
        return hits
    return sorted([*kept, *added], key=lambda h: h.start)


def _adverb_head(value: str) -> bool:
    """True when ``value`` (three characters or more) starts with a common adverb or conjunction (马上|改)."""
    from privacy.recognizers._person_rules import _jieba_tables

    tags, freq, _ = _jieba_tables()
    head = value[:2]
    return len(value) >= 3 and tags.get(head) in ("d", "c", "p", "r") and freq.get(head, 0) >= 500


_HEADERS = frozenset(("姓名", "性别", "年龄", "民族", "单位", "职务", "电话", "联系电话", "手机", "住址", "地址", "签名",
                      "序号", "金额", "备注", "身份证号", "关系", "国籍", "职业", "日期", "班级", "学号"))
_HAN_FIELD = re.compile("[\u4e00-\u9fff]{2,3}")
_ETC_COUNT = re.compile("等(?:[0-9]{1,4}|[一二两三四五六七八九十]{1,3})(?:名|人|位|户|家)")


# The model's tags of a word that a post in brackets does not make a name (社区（网格员）, 村里（会计）).
_NOT_POSTED = frozenset(("LOC", "ORG", "TIME", "s", "f", "v", "vn", "vd", "r", "m", "q", "d", "p", "c", "u"))
_NAME_ASIDE = re.compile("[（(](?:小名|乳名|昵称|化名|本名|曾用名|外号"
                         "|[\u4e00-\u9fff]{0,4}(?:员|组长|队长|书记|主任|委员|会计|网格长|楼长|村医))[）)]")


def named_by_aside(text: str, words: Words) -> list[Hit]:
    """The model's word right before （小名）/（乳名）/（化名）… or a person's post in brackets (高山（护林员）):
    the aside says it is a name (铁柱（小名）)."""
    if "（" not in text and "(" not in text:
        return []
    found = []
    for match in _NAME_ASIDE.finditer(text):
        start = words.ending(match.start())
        if start is None or not 2 <= match.start() - start <= 4 or not all(_HAN.match(c) for c in text[start : match.start()]):
            continue
        score = 0.9
        if not match.group().endswith("名）") and not match.group().endswith("名)") and "号" not in match.group():
            tag = words.at(start)[1]  # type: ignore[index]
            if tag in _NOT_POSTED or text[start : match.start()] in PERSON_NOUNS:
                continue  # 社区（网格员）, 村里（会计）: a place or a word for people, not a name
            score = 0.75
        found.append(Hit("PERSON", start, match.start(), score, Verdict("pii.why.person_list", {}, score), "（）"))
    return found


def counted_names(text: str, words: Words, *, is_role: Callable[[str], bool]) -> list[Hit]:
    """The person named before 等 and a count of people (表扬文明等12名志愿者, 宁海等5人): the model's word
    ending at 等, surname first, not a word for people."""
    if "等" not in text:
        return []
    found = []
    for match in _ETC_COUNT.finditer(text):
        start = words.ending(match.start())
        if start is None:
            continue
        value = text[start : match.start()]
        if not 2 <= len(value) <= 3 or not name_like(value) or is_role(value):
            continue
        if start and _HAN.match(text[start - 1]) and words.ending(start) is None:
            continue
        found.append(Hit("PERSON", start, match.start(), 0.75, Verdict("pii.why.person_list", {}, 0.75), "等"))
    return found


def _strip_kin(text: str, start: int, end: int) -> tuple[int, int]:
    """妻房小燕、子房俊: a one-character kinship word before a name in a list of family members."""
    if end - start >= 3 and text[start] in _KIN and name_like(text[start + 1 : end]):
        return start + 1, end
    return start, end


def _is_numbered(text: str, items: list[tuple[int, int]]) -> bool:
    """True when every item of a run is a whole line led by its number (1. 岩应\n2. 玉罕: a 接龙 or 名单)."""
    return all(_NUMBER_MARK.search(text, max(0, a - 6), a) is not None
               and (b == len(text) or text[b] in "\n+＋ \u3000") for a, b in items)


def _token_runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of short Chinese items separated by white space, commas or semicolons (each item a whole field)."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    last_end = -1
    last_sep = ""
    for match in _SHORT.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        numbered = before in ".．、)）" and _NUMBER_MARK.search(text, max(0, start - 6), start) is not None
        if (before not in ("", " ", "\u3000", "\t", "\n", "，", ",", "；", ";", "：", ":") and not numbered) or after not in (
                "", " ", "\u3000", "\t", "\n", "，", ",", "；", ";", "。", "\x00", "+", "＋"):
            if current:
                runs.append(current)
            current, last_end = [], -1
            continue
        gap = text[last_end:start] if last_end >= 0 else None
        sep = "space" if gap is not None and (_GAP.fullmatch(gap) or _NUMBERED_GAP.fullmatch(gap)) else (
            "comma" if gap is not None and gap.strip(" \u3000") in ("，", ",", "；", ";") else "")
        if current and sep and (sep == last_sep or len(current) == 1):
            current.append((start, end))
            last_sep = sep
        else:
            if current:
                runs.append(current)
            current, last_sep = [(start, end)], ""
        last_end = end
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]
