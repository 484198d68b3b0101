"""Addresses written across cells: 省 | 市 | 区县 | 乡镇街道 | 村社区 | 门牌号.

乡镇 and 民政 rosters split a home address over several columns. No cell alone
is an address (``4组17号`` is not; ``荆山湾村`` is not), so a per-column scan
finds nothing and the door numbers passed through de-identification while the
columns beside them still named the village: together a household's address.
Here each sampled row's cells are read in column order as one text; an
address the address recognizer finds there that runs over more than one cell
ends in the column holding the most specific part (the door, the building,
the room). Such a column is an address column: de-identification applies the
policy's ADDRESS rule to all of it and the re-scan reports what is left.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SAMPLE_ROWS", "add_split_addresses", "sample_positions", "split_address_columns", "split_address_in_sample"]

SAMPLE_ROWS = 400
# A bare number, a range or an age band (65, 1,260.00, 60-69, 60～69岁): an age or an amount, not a door number.
_NUMBER = re.compile(r"\s*[-+]?[0-9０-９][0-9０-９,，.．\s\-–—~～]*(?:周?岁|元|人|户)?\s*")
MIN_SHARE = 0.1  # of a column's sampled non-blank cells that end an address across cells


@functools.cache
def _recognizer():  # type: ignore[no-untyped-def]
    from privacy.recognizers.address import AddressRecognizer

    return AddressRecognizer()


def sample_positions(n: int) -> np.ndarray:
    """The rows read, of a table of ``n``: the first half of :data:`SAMPLE_ROWS`, the rest spread evenly (deterministic).

    Both engines read exactly these rows (the Spark engine collects them by position), so both find the
    same columns: :func:`split_address_in_sample` is the one function deciding.
    """
    if n <= SAMPLE_ROWS:
        return np.arange(n)
    half = SAMPLE_ROWS // 2
    return np.unique(np.concatenate([np.arange(half), np.linspace(half, n - 1, SAMPLE_ROWS - half).astype(int)]))


def split_address_columns(frame: pd.DataFrame) -> dict[str, int]:
    """:func:`split_address_in_sample` of the rows :func:`sample_positions` picks in ``frame``."""
    return split_address_in_sample(frame.iloc[sample_positions(len(frame))])


def split_address_in_sample(sample: pd.DataFrame) -> dict[str, int]:
    """Columns where an address written across adjacent cells ends: column → sampled rows where it does.

    ``sample``: the table's rows at :func:`sample_positions` (in the table's order).

    A column counts when at least :data:`MIN_SHARE` of its sampled non-blank
    cells end such an address (one row in a small table). Text columns only;
    a cell that is an address on its own is left to the column scan. Found
    columns are read as blank and the rows read again, until nothing new
    ends an address: without the door number, ``五常街道 | 荆山湾村`` is still
    an address (a village after its town), ``余杭区 | 五常街道`` is not.
    """
    columns = [c for c in sample.columns if sample[c].dtype == object or pd.api.types.is_string_dtype(sample[c])]
    if len(columns) < 2 or sample.empty:
        return {}
    rows = list(sample[columns].itertuples(index=False, name=None))
    found: dict[str, int] = {}
    while True:
        new = _one_pass(columns, rows, skip=set(found))
        if not new:
            return found
        found.update(new)


def _one_pass(columns: list, rows: list[tuple], *, skip: set) -> dict[str, int]:  # type: ignore[type-arg]
    recognizer = _recognizer()
    votes = dict.fromkeys(columns, 0)
    filled = dict.fromkeys(columns, 0)
    for values in rows:
        text, ends, owners = "", [], []
        for column, value in zip(columns, values, strict=True):
            if column in skip or not isinstance(value, str) or not value.strip() or _NUMBER.fullmatch(value):
                continue  # a bare number (年龄 65 or 60-69, 金额 1260 beside 锦城街道) is no door: 锦城街道65 is no address
            filled[column] += 1
            text += value.strip()
            ends.append(len(text))
            owners.append(column)
        if len(owners) < 2:
            continue
        hit_columns = set()
        for hit in recognizer.find(text, use_context=False):
            first = int(np.searchsorted(ends, hit.start, side="right"))
            last = int(np.searchsorted(ends, hit.end - 1, side="right"))
            if last > first:
                hit_columns.add(owners[last])
        for column in hit_columns:
            votes[column] += 1
    return {c: n for c, n in votes.items() if n and n >= MIN_SHARE * filled[c]}


def add_split_addresses(frame: pd.DataFrame, summaries: list[Any], findings: list[Any], *,
                        split: dict[str, int] | None = None) -> None:
    """The table scan's side: each cell of a column found by :func:`split_address_columns` is an ADDRESS finding.

    ``summaries`` (the scan's :class:`~privacy._profile_types.ColumnSummary` per column) and
    ``findings`` are updated in place; the explanation names the columns read together. ``split``: the
    columns already decided on the whole table's sample (the Spark engine decides on the driver and
    passes them to every partition), else decided here from ``frame``.
    """
    split = split_address_columns(frame) if split is None else split
    if not split:
        return
    from privacy._findings import Finding
    from sandbox.i18n import t

    columns = [str(c) for c in frame.columns]
    for summary in summaries:
        if summary.column not in split:
            continue
        before = columns[: columns.index(summary.column)]
        why = t("pii.why.address_split", columns=" + ".join([*before[-3:], summary.column]))
        cells = frame[summary.column]
        filled = [(row, value) for row, value in enumerate(cells.tolist())
                  if isinstance(value, str) and value.strip()]
        already = {f.row for f in findings if f.column == summary.column and f.entity_type == "ADDRESS"}
        added = 0
        for row, value in filled:
            if row not in already:
                findings.append(Finding("ADDRESS", 0, len(value), 0.7, value, why, row, summary.column))
                added += 1
        if summary.kind != "identifier":
            summary.confidence = 0.7
        summary.kind, summary.entity_type = "identifier", "ADDRESS"
        summary.entity_types = {**summary.entity_types, "ADDRESS": summary.entity_types.get("ADDRESS", 0) + added}
        summary.hit_cells = max(summary.hit_cells, len(filled))
        summary.share = round(summary.hit_cells / summary.cells, 4) if summary.cells else 0.0
