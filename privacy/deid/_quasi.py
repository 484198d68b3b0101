"""Which columns of a table are the policy's quasi-identifiers — as the office named them, and by content.

A policy names its quasi-identifiers by header (``年龄, 性别, 街道镇``). A 民政
export calls the district column ``所属街道`` or ``乡镇（街道）``: matched by
exact header only, the risk check then ran on 年龄 and 性别 alone and a
release whose 所属街道 left classes of 7 was labelled 匿名化 (k=29 over the two
it saw). Here a policy's quasi-identifier also matches the same header
written differently and its common synonyms, and a column is a quasi-identifier
by content when its values are place names (…街道/镇/乡/村/社区/区/县) or a sex.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from privacy.deid._policy import DeidPolicy, same_header

__all__ = ["quasi_columns"]

_PLACE = re.compile(r".{1,20}(?:街道|街道办事处|镇|乡|苏木|社区|居委会|村|嘎查|区|县|旗|市)")
# Categories, not places: 城乡's 城镇 / 农村 end like a town and a village.
_NOT_PLACES = frozenset({"城镇", "农村", "乡村", "城区", "郊区", "市区", "县城", "城市", "乡镇", "集镇", "本市", "外市",
                         "本县", "外县", "本区", "外区"})
_SEX = frozenset({"男", "女", "男性", "女性", "m", "f", "male", "female"})
_SAMPLE = 200
_SHARE = 0.8


def _values(series: pd.Series) -> list[str]:
    seen = series.dropna().astype(str).drop_duplicates().head(_SAMPLE).tolist()
    return [unicodedata.normalize("NFKC", v).strip() for v in seen if v.strip()]


def _by_content(series: pd.Series) -> bool:
    """Place names (most distinct values) or a sex column: what re-identifies together with age."""
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return False
    values = _values(series)
    if len(values) < 1:
        return False
    if all(v.lower() in _SEX for v in values):
        return True
    places = sum(1 for v in values if _PLACE.fullmatch(v) and v not in _NOT_PLACES)
    return len(values) >= 2 and places >= _SHARE * len(values)


def quasi_columns(policy: DeidPolicy, frame: pd.DataFrame) -> list[str]:
    """The policy's quasi-identifiers found in ``frame`` (exact, written differently, or a synonym; in the
    policy's order), then the columns holding place names or a sex by content (in table order)."""
    names = [str(c) for c in frame.columns]
    chosen = [c for q in policy.quasi_identifiers for c in names if same_header(c, q, quasi=True)]
    return list(dict.fromkeys(chosen + [c for c in names if c not in chosen and _by_content(frame[c])]))
