"""Age bands in the age column (``60-69岁``, ``60～69``, ``70周岁及以上``, ``老年``, ``60+``) onto the audit's bands.

A city's export often carries a band instead of an age. These values used to go to 未知 (said loudly, but the
rows were lost to every age comparison). Now a band that lies inside one of the policy's age bands counts in that
band; one that straddles two (``60+`` or ``老年`` under 60–69 / 70–79 / 80+) is **refused** — the audit does not
guess which band those people belong to — naming the column, the value, a row and what to do. ``以上``/``以下``
without ``及`` may or may not include the number (:mod:`sandbox._age_ranges`); such a value is used only when both
readings land in the same band. Plain ages in the same column are read as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sandbox._age_ranges import AgeReading, parse_age_range
from sandbox.errors import InputError

from .groups import AGE_MAX, AGE_MIN, AgeBands

__all__ = ["ERR_AGE_BAND_AMBIGUOUS", "ERR_AGE_BAND_STRADDLES", "ERR_AGE_BAND_TOUCHING", "ages_from_bands"]

ERR_AGE_BAND_STRADDLES = "audits.errors.age_band_straddles"
ERR_AGE_BAND_AMBIGUOUS = "audits.errors.age_band_ambiguous"
ERR_AGE_BAND_TOUCHING = "audits.errors.age_band_touching"
MAX_LISTED = 10


def _band_of(readings: tuple[AgeReading, ...], bands: AgeBands) -> tuple[list[int], list[set[int]]]:
    """The audit band indices each reading spans (from its low to its high end)."""
    spans = []
    for low, high in readings:
        ends = np.array([max(low, AGE_MIN), AGE_MAX if high is None else min(high, AGE_MAX)], dtype=float)
        index, _ = bands.assign(ends)
        spans.append(set(range(int(index[0]), int(index[1]) + 1)))
    return [min(s) for s in spans], spans


def ages_from_bands(
    values: pd.Series,
    ages: np.ndarray,
    *,
    bands: AgeBands,
    file: str,
    column: str,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, Any] | None]:
    """Ages for the rows whose value is an age band inside one audit band (its low end stands for it).

    Returns the ages (rows with a band filled in, others unchanged) and ``{"column", "rows", "values": [{value,
    band, rows}]}`` (None when no value was a band).

    Raises
    ------
    InputError
        ``audits.errors.age_band_straddles`` (a band across two or more audit bands) or ``age_band_ambiguous``
        (``18岁以下``: 0–17 or 0–18, and the two land in different audit bands), naming the column, the first
        such value and its row, how many rows hold such values and what to do.
    """
    if (
        pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype)
    ) or bool(
        np.isfinite(ages).all()
    ):  # numbers, or every value read as an age already: no band to look for (1M rows: 70 ms saved)
        return ages, None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return ages, None
    first_row = np.full(len(uniques), len(values), dtype=np.int64)
    np.minimum.at(first_row, codes[codes >= 0], np.flatnonzero(codes >= 0))
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    rows_of = np.bincount(codes[codes >= 0], weights=w[codes >= 0], minlength=len(uniques))
    known = ages[first_row.clip(max=len(values) - 1)]
    table = np.full(len(uniques) + 1, np.nan)
    _, labels = bands.assign(np.array([np.nan]))
    mapped: list[dict[str, Any]] = []
    refused: list[tuple[int, str, list[int]]] = []  # unique, error key, audit bands spanned
    starts: dict[
        int, str
    ] = {}  # low end of each closed band → the value (60-70岁 beside 70-80岁: touching ends)
    for i, value in enumerate(uniques):
        if np.isfinite(known[i]):
            continue
        readings = parse_age_range(value)
        if readings is None or any(low > AGE_MAX for low, _ in readings):  # 130岁以上: no age, 未知 as before
            continue
        if len(readings) == 1 and readings[0][1] is not None:
            starts.setdefault(readings[0][0], str(value))
        lows, spans = _band_of(readings, bands)
        if len(set().union(*spans)) == 1:
            table[i] = float(max(readings[0][0], AGE_MIN))
            mapped.append({"value": str(value), "band": labels[lows[0]], "rows": int(rows_of[i])})
        else:
            # 以上/以下: one reading would fit a band, the other crosses into the next one
            key = ERR_AGE_BAND_AMBIGUOUS if any(len(s) == 1 for s in spans) else ERR_AGE_BAND_STRADDLES
            refused.append((i, key, sorted(set().union(*spans))))
    if refused:
        _refuse(
            refused,
            uniques=uniques,
            first_row=first_row,
            rows_of=rows_of,
            labels=labels,
            file=file,
            column=column,
            weights=weights,
            starts=starts,
        )
    if not mapped:
        return ages, None
    out = np.where(np.isfinite(table[codes]), table[codes], ages)
    mapped.sort(key=lambda m: -m["rows"])
    return out, {"column": column, "rows": int(sum(m["rows"] for m in mapped)), "values": mapped[:MAX_LISTED]}


def _refuse(
    refused: list[tuple[int, str, list[int]]],
    *,
    uniques: Any,
    first_row: np.ndarray,
    rows_of: np.ndarray,
    labels: list[str],
    file: str,
    column: str,
    weights: np.ndarray | None,
    starts: dict[int, str],
) -> None:
    refused.sort(key=lambda r: first_row[r[0]])
    straddling = [r for r in refused if r[1] == ERR_AGE_BAND_STRADDLES]
    first, key, spanned = (straddling or refused)[0]
    others = [str(uniques[i]) for i, _, _ in refused if i != first][:5]
    readings = parse_age_range(uniques[first]) or ()
    low, high = readings[0] if len(readings) == 1 else (0, None)
    if (
        key == ERR_AGE_BAND_STRADDLES and high is not None and high in starts
    ):  # 60-70岁 and 70-80岁: whose is 70?
        key, extra = (
            ERR_AGE_BAND_TOUCHING,
            {"next": starts[high], "edge": high, "fixed": f"{low}-{high - 1}岁", "half": f"[{low},{high})"},
        )
    else:
        extra = {}
    raise InputError(
        key,
        **extra,
        file=file,
        column=column,
        value=str(uniques[first]),
        row=int(first_row[first]) + 2 if weights is None else "—",
        rows=int(sum(rows_of[i] for i, _, _ in refused)),
        bands=", ".join(labels[b] for b in spanned),
        others=", ".join(others) if others else "—",
    )
