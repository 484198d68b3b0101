"""Table scanning: profile each column on distinct samples, then scan what needs it.

For every column the profiler takes up to :data:`SAMPLE_SIZE` distinct values
and combines two kinds of evidence:

* the column name (姓名, 身份证号, 联系电话, 住址 …, and English names);
* validator pass rates: how many sampled cells are, as a whole, a valid
  identifier of each type (check characters, libphonenumber, gazetteer …).

An *identifier* column (most cells are one entity) is then validated cell by
cell on its distinct values only; a *free-text* column (longer Chinese text, or
findings in the sample) is scanned cell by cell, again once per distinct value;
the rest is reported as holding no personal information.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from privacy._detect import DEFAULT_THRESHOLD, ENGLISH_CUE, MAX_TEXT_CHARS, get_detector
from privacy._findings import Finding
from privacy._profile_types import _HAN, ColumnKind, ColumnSummary, TableScan, name_hint
from privacy.recognizers import ENTITIES, Hit
from privacy.recognizers._base import NumberRecognizer
from privacy.recognizers._numbers import fullmatch_many
from sandbox.errors import InputError
from sandbox.i18n import _current_language

__all__ = [
    "MAX_SCAN_COLUMNS", "SAMPLE_SIZE", "ColumnProfile", "ColumnSummary", "TableScan", "findings_per_unique",
    "name_hint", "profile_column", "scan_frame", "summarise",
]

SAMPLE_SIZE = 400
# A column whose values are all this short and at least SHORT_NAME_SHARE of which are one whole name is a
# name column (the names the model misses — ``Zhang Wei``, ``王 淑 英`` — are then replaced with the rest).
SHORT_VALUE_CHARS = 16
SHORT_NAME_SHARE = 0.5
MAX_SCAN_COLUMNS = 2_000
Progress = Callable[[float, str], None]


def _sample(values: np.ndarray) -> np.ndarray:
    if len(values) <= SAMPLE_SIZE:
        return values
    picks = np.random.default_rng(0).choice(len(values), size=SAMPLE_SIZE, replace=False)
    return values[np.sort(picks)]


def _short(sample: list[str]) -> bool:
    """Values as short as names: at most :data:`SHORT_VALUE_CHARS` characters each."""
    return bool(sample) and max(len(v.strip()) for v in sample) <= SHORT_VALUE_CHARS


def _profile(column: str, uniques: np.ndarray, entities: tuple[str, ...], *,
             n_distinct: int | None = None) -> tuple[ColumnKind, str | None, float]:
    """(kind, entity, confidence) of a column from its distinct values.

    ``n_distinct``: the column's number of distinct values when ``uniques``
    holds only the sample (the Spark engine fetches just the sampled values).
    """
    detector = get_detector()
    sample = [str(v) for v in _sample(uniques)]
    hint = name_hint(column)
    rates: dict[str, float] = {}
    for entity in entities:
        recognizer = detector.by_entity[entity]
        passed = sum(1 for value in sample if recognizer.fullmatch(value) is not None
                     or (entity == "CN_RESIDENT_ID" and _id_shaped(value) is not None)
                     or (entity == "BANK_CARD" and hint == "BANK_CARD" and _card_shaped(value) is not None)
                     or (entity == hint and recognizer.bare(value) is not None))
        rates[entity] = passed / max(1, len(sample))
    best = max(rates, key=lambda e: (rates[e], e == hint)) if rates else None
    if hint in rates and rates[hint] >= 0.3:
        return "identifier", hint, min(1.0, 0.5 + rates[hint] / 2)
    if best is not None:
        need = 0.8 if best in ("PERSON", "ADDRESS") else 0.6
        if best == "PERSON" and _short(sample):
            need = SHORT_NAME_SHARE  # a column of short values, mostly whole names: a name column
        if rates[best] >= need:
            return "identifier", best, rates[best] * 0.9
    mean_length = sum(len(v) for v in sample) / max(1, len(sample))
    texty = sum(1 for v in sample if _HAN.search(v)) / max(1, len(sample))
    if texty >= 0.5 and mean_length >= 8:
        return "free_text", None, 0.5
    hits = sum(1 for v in sample if detector.hits(v, entities))
    if hits:
        return "free_text", None, min(1.0, 0.3 + hits / len(sample))
    if (len(uniques) if n_distinct is None else n_distinct) > len(sample) and texty >= 0.5:
        return "free_text", None, 0.3
    return "none", None, 1.0 - (max(rates.values()) if rates else 0.0)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of findings are built (they form no cycles).

    Each full collection walks every live object: with millions of findings
    alive it ran again and again and took about 40 % of a column scan.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _strings(series: pd.Series) -> pd.Series:
    """The non-blank string cells of ``series`` (other values as text), index kept."""
    series = series.dropna()
    if series.dtype != object:
        series = series.astype(str)
    if not len(series):
        return series
    if series.dtype != object or pd.api.types.infer_dtype(series, skipna=False) == "string":
        # Every cell is a str: one vectorised strip instead of a Python call per cell.
        return series[series.str.strip().str.len().to_numpy() > 0]
    return series[series.map(lambda v: isinstance(v, str) and bool(v.strip()))]


@dataclass(kw_only=True)
class ColumnProfile:
    """One column profiled and scanned, per distinct value (what de-identification works on).

    ``codes`` maps each non-blank cell (``positions``: 0-based row numbers) to
    its distinct value in ``uniques``; ``per_unique[k]`` are the findings of
    ``uniques[k]`` (offsets into that value) and ``validated[k]`` says whether
    the whole value is one valid ``entity`` (an identifier column's cells).
    ``counts`` (optional) gives each distinct value's number of cells when the
    profile holds distinct values only (the Spark engine: ``codes`` is then
    ``arange``, one entry per value).
    """

    column: str
    kind: ColumnKind
    entity: str | None
    confidence: float
    positions: np.ndarray
    codes: np.ndarray
    uniques: np.ndarray
    per_unique: list[list[Finding]]
    validated: np.ndarray
    counts: np.ndarray | None = None

    @property
    def cells(self) -> int:
        return int(self.counts.sum()) if self.counts is not None else len(self.codes)

    def cell_counts(self) -> np.ndarray:
        """How many cells hold each distinct value."""
        if self.counts is not None:
            return self.counts
        return np.bincount(self.codes, minlength=len(self.uniques)) if len(self.codes) else np.zeros(0, dtype=int)

    def entity_counts(self) -> Counter[str]:
        """Findings per entity type over every cell."""
        counts: Counter[str] = Counter()
        for k, n in enumerate(self.cell_counts()):
            for finding in self.per_unique[k]:
                counts[finding.entity_type] += int(n)
        return counts


def profile_column(
    frame: pd.DataFrame,
    name: str,
    *,
    entities: tuple[str, ...] = ENTITIES,
    threshold: float = DEFAULT_THRESHOLD,
    thorough: bool = False,
    file: str = "table",
    profile: tuple[ColumnKind, str | None, float] | None = None,
    explain: bool = True,
) -> ColumnProfile:
    """Profile ``frame[name]`` on distinct samples, then find its personal information per distinct value.

    An identifier column validates every distinct value against its entity and
    scans the rest; a free-text column scans every distinct value. A column the
    profile finds empty of personal information is scanned no further unless
    ``thorough`` (de-identification and its re-scan: every distinct value of
    every column is scanned, so a rare identifier in a remarks column is found).
    ``profile`` (kind, entity, confidence) replaces the profiling step: the
    Spark engine profiles each column once over the whole table and scans its
    partitions with that decision. ``explain=False``: findings without
    explanations (de-identification, which never shows them).
    """
    series = _strings(frame[name].reset_index(drop=True)) if name in frame.columns else pd.Series([], dtype=object)
    _check_cell_sizes(series, name, file)
    codes, uniques = pd.factorize(series, sort=False)
    uniques = np.asarray(uniques, dtype=object)
    if profile is not None:
        kind, entity, confidence = profile
    else:
        kind, entity, confidence = _profile(name, uniques, entities) if len(uniques) else ("none", None, 1.0)
    per_unique, validated = findings_per_unique(name, uniques, kind, entity, entities=entities, threshold=threshold,
                                                thorough=thorough, explain=explain)
    return ColumnProfile(column=name, kind=kind, entity=entity, confidence=confidence,
                         positions=series.index.to_numpy(), codes=np.asarray(codes), uniques=uniques,
                         per_unique=per_unique, validated=validated)


def findings_per_unique(
    name: str,
    uniques: np.ndarray | list[str],
    kind: ColumnKind,
    entity: str | None,
    *,
    entities: tuple[str, ...] = ENTITIES,
    threshold: float = DEFAULT_THRESHOLD,
    thorough: bool = False,
    explain: bool = True,
) -> tuple[list[list[Finding]], np.ndarray]:
    """The findings of each distinct value of column ``name`` and whether it is wholly one valid ``entity``.

    The per-value work of :func:`profile_column` (the Spark engine calls it on
    each column's globally distinct values). An identifier column's values are
    validated against ``entity`` in one batch
    (:func:`privacy.recognizers._numbers.fullmatch_many` for numbers); values
    that are not, and every value of other columns, go through the scanner's
    batched :meth:`~privacy._detect.Detector.findings_many` — except those a
    vectorised pre-filter proves empty (:func:`_may_hold`). ``explain=False``
    leaves the explanations empty (de-identification never shows them).
    """
    per_unique: list[list[Finding]] = [[] for _ in range(len(uniques))]
    validated = np.zeros(len(uniques), dtype=bool)
    if not len(uniques) or (kind == "none" and not thorough):
        return per_unique, validated
    with _no_gc():
        _fill(name, uniques, entity, per_unique, validated, entities=entities, threshold=threshold,
              explain=explain)
    return per_unique, validated


def _fill(name: str, uniques: np.ndarray | list[str], entity: str | None, per_unique: list[list[Finding]],
          validated: np.ndarray, *, entities: tuple[str, ...], threshold: float, explain: bool) -> None:
    """:func:`findings_per_unique`'s work: fill ``per_unique`` and ``validated`` in place."""
    detector = get_detector()
    lang = _current_language()
    values = [str(v) for v in uniques]
    recognizer = detector.by_entity[entity] if entity else None
    if recognizer is None:
        unresolved = np.arange(len(values))
    else:
        bonus = name_hint(name) == entity
        unresolved_list: list[int] = []
        for k, verdict in _verdicts(recognizer, values):
            if verdict is None and entity == "CN_RESIDENT_ID":
                verdict = _id_shaped(values[k])  # a mistyped ID in an ID column is an ID
            elif verdict is None and entity == "BANK_CARD":
                verdict = _card_shaped(values[k])  # a mistyped card in a card column is a card
            if verdict is None and bonus:
                verdict = recognizer.bare(values[k])  # 微信号/QQ/存折账号: the header is the label
            if verdict is None:
                unresolved_list.append(k)
                continue
            value = values[k]
            stripped = value.strip()
            start = value.index(stripped) if len(stripped) != len(value) else 0
            score = verdict.score if verdict.score is not None else 0.9
            if bonus:
                score = min(1.0, score + 0.35)
            validated[k] = True
            why = detector.explanation(Hit(str(entity), 0, len(stripped), verdict.score or 0.9, verdict), lang) \
                if explain else ""
            per_unique[k] = [Finding(str(entity), start, start + len(stripped), max(score, threshold), stripped, why,
                                     None, name)]
        unresolved = np.asarray(unresolved_list, dtype=int)
    # ``rows``: each text's place among all unresolved values, as if none had been skipped.
    places = np.flatnonzero(_may_hold([values[k] for k in unresolved]))
    unresolved = unresolved[places]
    scanned = detector.findings_many([values[k] for k in unresolved], rows=places.tolist(), entities=entities,
                                     threshold=threshold, column=name, lang=lang, explain=explain)
    for k, found in zip(unresolved, scanned, strict=True):
        per_unique[k] = found


# Written as people group it (6-8-4, 4-4-4-4-2, 3-3-4-4-4 …): a separator may follow any digit.
_ID_LIKE = re.compile(r"\s*[0-9０-９](?:[ \-－]?[0-9０-９]){16}[ \-－]?[0-9０-９XxＸｘ]\s*")


def _id_shaped(value: str) -> Any:
    """The verdict for a cell that is one ID with a wrong check character (region and date real), else None.

    In a column of IDs such a cell is a mistyped ID, not "nothing personal":
    it is counted and replaced with the column (the free-text scanner reports
    only checked IDs).
    """
    if _ID_LIKE.fullmatch(value) is None:
        return None
    from privacy.recognizers._numbers import normalise_digits
    from privacy.recognizers.resident_id import validate_id_shape

    return validate_id_shape(normalise_digits(value))


_CARD_LIKE = re.compile(r"\s*[0-9０-９](?:[ \-－]?[0-9０-９]){15,18}\s*")


def _card_shaped(value: str) -> Any:
    """The verdict for a cell that is one card number with a wrong Luhn digit (a known IIN), else None.

    A 银行卡号 column of numbers typed by hand (or made up for a test export) failed Luhn throughout, was
    "nothing personal" and passed through whole; in a card column such a cell is a mistyped card.
    """
    if _CARD_LIKE.fullmatch(value) is None:
        return None
    from privacy.recognizers._numbers import normalise_digits
    from privacy.recognizers.bank_card import validate_card_shape

    if get_detector().by_entity["CN_RESIDENT_ID"].fullmatch(value) is not None:
        return None  # a valid 身份证号 in a card column is an ID (the column's scan reports it as one), not a card
    return validate_card_shape(normalise_digits(value))


_CHUNK = 50_000  # values validated per batch: the verdicts of a 10M-value column are never all alive at once


def _verdicts(recognizer: Any, values: list[str]) -> Iterator[tuple[int, Any]]:
    """(index, ``recognizer.fullmatch(value)``) for every value, validated in chunks of :data:`_CHUNK`."""
    for begin in range(0, len(values), _CHUNK):
        chunk = values[begin:begin + _CHUNK]
        found = fullmatch_many(recognizer, chunk) if isinstance(recognizer, NumberRecognizer) \
            else [recognizer.fullmatch(value) for value in chunk]
        yield from enumerate(found, start=begin)


# A value that cannot hold anything any recognizer finds: every recognizer needs a digit, a CJK character,
# ``@`` or ``:`` somewhere (its own prefilter or patterns), and no identifier is five digits or fewer — except a
# name in Latin letters after an English title or role word (Mr. Zhang, Prepared by Li Hua): ``ENGLISH_CUE``.
_NOTHING = r"[0-9]{1,5}|[^0-9０-９@:：\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]*"


def _may_hold(values: list[str]) -> np.ndarray:
    """Which of ``values`` may hold personal information (a vectorised pre-filter; False = provably nothing)."""
    if not values:
        return np.zeros(0, dtype=bool)
    nothing = pd.Series(values, dtype=object).str.fullmatch(_NOTHING).to_numpy(dtype=bool, copy=True)
    empty = np.flatnonzero(nothing)
    if len(empty):
        named = np.fromiter((ENGLISH_CUE.search(values[k]) is not None for k in empty), dtype=bool, count=len(empty))
        nothing[empty[named]] = False
    return ~nothing


def scan_frame(
    frame: pd.DataFrame,
    *,
    columns: list[str] | None = None,
    entities: tuple[str, ...] = ENTITIES,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
    file: str = "table",
    thorough: bool = False,
    profiles: dict[str, tuple[ColumnKind, str | None, float]] | None = None,
    explain: bool = True,
) -> TableScan:
    """Profile and scan ``frame`` (see the module docstring; ``thorough``, ``profiles``, ``explain``: :func:`profile_column`)."""
    names = [str(c) for c in (columns or list(frame.columns))]
    if len(names) > MAX_SCAN_COLUMNS:
        raise InputError("errors.pii_too_many_columns", file=file, count=len(names), max=MAX_SCAN_COLUMNS)
    summaries: list[ColumnSummary] = []
    findings: list[Finding] = []
    with _no_gc():
        for index, name in enumerate(names):
            if progress is not None:
                progress(index / max(1, len(names)), name)
            profile = profile_column(frame, name, entities=entities, threshold=threshold, thorough=thorough,
                                     file=file, profile=(profiles or {}).get(name), explain=explain)
            summary, found = summarise(profile)
            summaries.append(summary)
            findings.extend(found)
        if columns is None and "ADDRESS" in entities:  # an address split over 村社区 | 门牌号 …
            from privacy._split_address import add_split_addresses

            add_split_addresses(frame, summaries, findings)
    if progress is not None:
        progress(1.0, "")
    return TableScan(rows=len(frame), columns=summaries, findings=findings)


def summarise(profile: ColumnProfile) -> tuple[ColumnSummary, list[Finding]]:
    """A column's summary and its findings, one per cell (row numbers filled in)."""
    per_unique, codes = profile.per_unique, profile.codes
    counts: Counter[str] = Counter()
    findings: list[Finding] = []
    hit_mask = np.fromiter((bool(f) for f in per_unique), dtype=bool, count=len(per_unique))
    hit_rows = np.flatnonzero(hit_mask[codes]) if len(codes) else np.array([], dtype=int)
    column = profile.column
    append = findings.append
    for row, code in zip(profile.positions[hit_rows].tolist(), codes[hit_rows].tolist(), strict=True):
        for t in per_unique[code]:
            counts[t.entity_type] += 1
            append(Finding(t.entity_type, t.start, t.end, t.score, t.text, t.explanation, row, column))
    cells = profile.cells
    summary = ColumnSummary(
        column=profile.column, kind=profile.kind,
        entity_type=profile.entity or (counts.most_common(1)[0][0] if counts else None),
        entity_types=dict(counts.most_common()), cells=cells, distinct=len(profile.uniques),
        hit_cells=int(hit_rows.size), share=round(hit_rows.size / cells, 4) if cells else 0.0,
        confidence=round(profile.confidence, 3), name_hint=name_hint(profile.column),
    )
    return summary, findings


def _check_cell_sizes(series: pd.Series, column: str, file: str) -> None:
    """Refuse a giant cell before any pattern runs over it (naming its row and column)."""
    if not len(series):
        return
    lengths = series.str.len().to_numpy()
    worst = int(lengths.argmax())
    if lengths[worst] > MAX_TEXT_CHARS:
        raise InputError("errors.cell_too_big", file=file, row=int(series.index[worst]) + 2, column=column,
                         chars=int(lengths[worst]), max=MAX_TEXT_CHARS)
