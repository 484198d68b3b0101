"""Age bands as exports write them instead of an age: ``60-69岁``, ``60～69``, ``60岁以上``, ``70周岁及以上``,
``18岁以下``, ``未满18岁``, ``60+``, ``≥60``, ``老年``, ``六十至六十九岁``.

:func:`parse_age_range` turns one such value into its *readings*: closed ranges of whole years ``(low, high)``,
``high=None`` meaning "and older". Most values have one reading. ``以上``/``以下`` without ``及`` have two: the
law counts the number itself (民法典 art. 1259: 以上、以下、以内、届满，包括本数), statistics tables and everyday
speech often do not (``18岁以下`` = under 18). A caller that needs one band uses a value only when every reading
lands in it, and says why otherwise. Pure functions, no pandas.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["AgeReading", "parse_age_range"]

AgeReading = tuple[int, int | None]

_NUM = r"(\d{1,3}|[一二两三四五六七八九十百零〇]{1,5})"
_UNIT = r"(?:周岁|岁|yrs?|years?)?"
_RANGE = re.compile(rf"{_NUM}{_UNIT}(?:-|~|—|–|至|到){_NUM}{_UNIT}(?:之间)?", re.IGNORECASE)
_HALF_OPEN = re.compile(rf"[\[【]{_NUM}[,，]{_NUM}[)）]")  # [60,70): 60–69
_CLOSED = re.compile(rf"[\[【]{_NUM}[,，]{_NUM}[\]】]")  # [60,69]
_UP_TO = re.compile(  # 60岁至不满70岁, 60-70岁（不含70岁）: 60–69
    rf"{_NUM}{_UNIT}(?:-|~|—|–|至|到)(?:不满|未满){_NUM}{_UNIT}|{_NUM}{_UNIT}(?:-|~|—|–|至|到){_NUM}{_UNIT}[(（]不含[^)）]*[)）]"
)
_DECADE = re.compile(rf"{_NUM}多{_UNIT}")  # 60多岁 / 六十多岁: 60–69
_AT_LEAST = re.compile(
    rf"(?:≥|>=|不小于|不低于|年满|满){_NUM}{_UNIT}(?:及?以上)?|{_NUM}{_UNIT}(?:\+|及以上|及更高|以上[(（]含[^)）]*[)）]"
    r"|andover|andabove|andolder|orolder|orover|plus)",
    re.IGNORECASE,
)
_ABOVE = re.compile(rf"{_NUM}{_UNIT}以上")  # 以上 alone: the number itself included or not
_OVER = re.compile(
    rf"(?:>|大于|超过|over){_NUM}{_UNIT}|{_NUM}{_UNIT}以上[(（]不含[^)）]*[)）]", re.IGNORECASE
)
_AT_MOST = re.compile(
    rf"(?:≤|<=|不超过|不大于){_NUM}{_UNIT}|{_NUM}{_UNIT}(?:及以下|以下[(（]含[^)）]*[)）])", re.IGNORECASE
)
_BELOW = re.compile(rf"{_NUM}{_UNIT}以下")  # 以下 alone: the number itself included or not
_UNDER = re.compile(
    rf"(?:<|未满|不满|不足|小于|under){_NUM}{_UNIT}|{_NUM}{_UNIT}以下[(（]不含[^)）]*[)）]", re.IGNORECASE
)
# words with a legal age range: 老年人权益保障法 art. 2 (六十周岁以上), 未成年人保护法 art. 2 (未满十八周岁)
_WORDS: dict[str, AgeReading] = {
    "老年": (60, None),
    "老年人": (60, None),
    "老人": (60, None),
    "未成年": (0, 17),
    "未成年人": (0, 17),
    "成年": (18, None),
    "成年人": (18, None),
}


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    from sandbox.tabular import _han_number

    value = _han_number(token)
    return None if value != value else int(value)  # NaN → None


def _numbers(match: re.Match[str]) -> list[int] | None:
    values = [_number(g) for g in match.groups() if g is not None]
    return None if any(v is None for v in values) else values  # type: ignore[return-value]


def parse_age_range(value: object) -> tuple[AgeReading, ...] | None:
    """The readings of one age-band cell, or None when it is not an age band (a plain age, a date, text).

    Examples
    --------
    >>> parse_age_range("60-69岁")
    ((60, 69),)
    >>> parse_age_range("70周岁及以上")
    ((70, None),)
    >>> parse_age_range("18岁以下")  # 0–17 or 0–18: the caller decides whether that matters
    ((0, 17), (0, 18))
    """
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).removesuffix("组")
    if not text:
        return None
    if text in _WORDS:
        return (_WORDS[text],)
    for pattern, build in (
        (_RANGE, lambda v: ((v[0], v[1]),) if v[0] <= v[1] else None),
        (_HALF_OPEN, lambda v: ((v[0], v[1] - 1),) if v[0] < v[1] else None),
        (_CLOSED, lambda v: ((v[0], v[1]),) if v[0] <= v[1] else None),
        (_UP_TO, lambda v: ((v[0], v[1] - 1),) if v[0] < v[1] else None),
        (_DECADE, lambda v: ((v[0], v[0] + 9),) if v[0] % 10 == 0 else None),
        (_AT_LEAST, lambda v: ((v[0], None),)),
        (_OVER, lambda v: ((v[0] + 1, None),)),
        (_ABOVE, lambda v: ((v[0], None), (v[0] + 1, None))),
        (_AT_MOST, lambda v: ((0, v[0]),)),
        (_UNDER, lambda v: ((0, v[0] - 1),) if v[0] > 0 else None),
        (_BELOW, lambda v: ((0, v[0] - 1), (0, v[0])) if v[0] > 0 else None),
    ):
        match = pattern.fullmatch(text)
        if match:
            numbers = _numbers(match)
            return build(numbers) if numbers and all(n <= 150 for n in numbers) else None
    return None
