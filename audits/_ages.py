"""Ages as a reviewer's own table writes them: an age column, or birth dates / birth years in the age column.

A city's table often has 出生日期 (``1950-03-01``, ``1950/3/1``, ``1950年3月1日``, ``19500301``), 出生年月
(``1950年3月``, ``1950-03``, ``195003``, ``1950.03``) or 出生年份 (``1950``) instead of 年龄. Given as the age
column, such a column used to be refused ("no usable age") or — birth years, ages in months — silently put every
row in the 未知 band, so the audit compared districts only while its verdict looked complete.
:func:`ages_for_audit` reads ages first; only when *no* value is an age in 0–120 does it read birth dates or years
(ages on ``as_of``: whole years; a year-month birth counts from the 1st, a year alone from 1 January), and
says what it did. Values it cannot read stay 未知 (counted and named in the report).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .groups import AGE_MAX, AGE_MIN, AgeBands, to_ages

__all__ = ["ages_for_audit", "birth_date_of"]

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?(?:\s+0?0:00(?::00)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?")
_YEAR = re.compile(r"(\d{4})(?:\.0)?\s*年?")


def birth_date_of(value: Any, *, as_of: date) -> tuple[date, str] | None:
    """A birth date and its precision (``day``/``month``/``year``) from one cell, or None."""
    if isinstance(value, (pd.Timestamp, date)):
        when = value.date() if isinstance(value, pd.Timestamp) else value
        return (when, "day") if when <= as_of else None
    text = str(value).strip().translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    parts: tuple[str | None, ...] | None = None
    for pattern in (_DATE, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            parts = match.groups()
            break
    if parts is None:
        match = _YEAR.fullmatch(text)
        parts = (match.group(1), None, None) if match else None
    if parts is None:
        return None
    year, month, day = int(parts[0] or 0), int(parts[1] or 1), int(parts[2] or 1)
    precision = "day" if parts[2] else "month" if parts[1] else "year"
    try:
        born = date(year, month, day)
    except ValueError:
        return None
    if born > as_of or as_of.year - year > AGE_MAX:
        return None
    return born, precision


def _age_on(born: date, as_of: date) -> float:
    return float(as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day)))


def ages_for_audit(values: pd.Series, *, as_of: date, weights: np.ndarray | None = None,
                   bands: AgeBands | None = None, file: str = "", column: str = "",
                   ) -> tuple[np.ndarray, dict[str, Any] | None, dict[str, Any] | None]:
    """Ages per row; how they were computed from birth dates or years (else None); the age bands read (else None).

    Values written as an age band (``60-69岁``, ``70周岁及以上``) count in the audit band that holds them, or are
    refused when they straddle two (:func:`audits._age_bands.ages_from_bands`, with ``bands``, ``file``,
    ``column``).

    Returns
    -------
    ages : ndarray
        Float ages; NaN or outside 0–120 → the 未知 band. ``weights``: rows each value stands for (Spark's
        grouped rows) when counting.
    converted : dict or None
        ``{"from": "birth_date", "precision": day|month|year (the coarsest seen), "as_of": ISO date,
        "rows": rows read as dates, "unreadable": rows left unknown}``.
    banded : dict or None
        ``{"column", "rows", "values": [{value, band, rows}]}`` when some values were age bands.
    """
    from ._age_bands import ages_from_bands

    ages = to_ages(values)
    ages, banded = ages_from_bands(values, ages, bands=bands or AgeBands(), file=file, column=column,
                                   weights=weights)
    if ((ages >= AGE_MIN) & (ages <= AGE_MAX)).any() or len(values) == 0:
        return ages, None, banded
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [birth_date_of(u, as_of=as_of) for u in uniques]
    if not any(parsed):
        return ages, None, banded
    table = np.array([*(_age_on(p[0], as_of) if p else np.nan for p in parsed), np.nan])
    out = table[codes]
    order = ("day", "month", "year")
    precision = max((p[1] for p in parsed if p), key=order.index)
    w = np.ones(len(out)) if weights is None else np.asarray(weights, dtype=float)
    read = int(w[np.isfinite(out)].sum())
    return out, {"from": "birth_date", "precision": precision, "as_of": as_of.isoformat(), "rows": read,
                 "unreadable": int(w.sum()) - read}, banded
