"""Two header rows as offices draw them: a merged group label over its sub-headers (used by the readers).

A 低保花名册 often has::

    序号 | 户主姓名 | 家庭成员            | 家庭住址 | 联系电话
         |          | 姓名 | 关系 | 身份证号 |          |

(序号 merged down over both rows, 家庭成员 merged across three columns). Spreadsheets give the merged
value only to the first cell, so the table has columns without a name. :func:`join_header_rows` joins
such a pair into one header — ``家庭成员_姓名``, ``家庭成员_关系``, ``家庭成员_身份证号`` — when every
column gets exactly one name; otherwise it says why not (the reader then refuses, naming the columns).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["HeaderJoin", "join_header_rows"]

SEPARATOR = "_"
_MAX_NAME = 30
_NUMBER = re.compile(r"[-+]?[\d,，]*\.?\d+(?:[eE][-+]?\d+)?")


@dataclass(frozen=True, kw_only=True)
class HeaderJoin:
    """The joined header (``names``), or ``unnamed``: 1-based columns no reading of the pair can name."""

    names: list[str] | None
    unnamed: list[int]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _header_like(value: str) -> bool:
    """A header cell, not a record's value: no bare number, not a sentence."""
    plain = unicodedata.normalize("NFKC", value).strip()
    return bool(plain) and len(plain) <= _MAX_NAME and not _NUMBER.fullmatch(plain)


def join_header_rows(upper: Sequence[object], lower: Sequence[object]) -> HeaderJoin | None:
    """One header from two rows, or ``None`` when ``lower`` is no second header row.

    A label in ``upper`` followed by empty cells is a group spanning them: each of its columns must be
    named in ``lower`` and becomes ``label_sub``. A label with no empty cell after it stands alone (merged
    down): its cell in ``lower`` must be empty. ``lower`` names columns only under a group or before the
    first label. ``lower`` is a second header row only when it names at least one column ``upper`` left
    empty and holds nothing that looks like a record's value (a bare number, a long text); then a column
    that still has no name, or a name given twice, makes the pair ambiguous (``names`` None, ``unnamed``
    the columns).
    """
    top = [_text(v) for v in upper]
    bottom = [_text(v) for v in lower]
    width = len(top)
    if len(bottom) != width:
        return None
    below_gap = [c for c in range(width) if not top[c] and bottom[c]]
    if not below_gap or not all(_header_like(v) for v in bottom if v):
        return None
    names: list[str | None] = [None] * width
    c = 0
    while c < width:
        if not top[c]:  # before the first label: a column named in the lower row only
            names[c] = bottom[c] or None
            c += 1
            continue
        end = c + 1
        while end < width and not top[end]:
            end += 1
        if end - c == 1:  # merged down: the lower cell belongs to it and is empty
            names[c] = top[c] if not bottom[c] else None
        else:
            for k in range(c, end):
                names[k] = f"{top[c]}{SEPARATOR}{bottom[k]}" if bottom[k] else None
        c = end
    unnamed = [c + 1 for c, name in enumerate(names) if name is None]
    seen = [n for n in names if n is not None]
    unnamed += [c + 1 for c, name in enumerate(names) if name is not None and seen.count(name) > 1]
    if unnamed:
        return HeaderJoin(names=None, unnamed=sorted(set(unnamed)))
    return HeaderJoin(names=[str(n) for n in names], unnamed=[])
