"""Groups of an audit: age bands, districts with their hierarchy, intersections.

Every row lands in exactly one age band and one district. Ages that are
missing, non-numeric or outside 0–120 go to the flagged 未知 / unknown band,
never dropped. An age may be derived from a 身份证 number's birth date
(:func:`privacy.checksums.id_card_birth_date`). Districts are names or GB/T 2260
codes; codes roll up 街道/镇 → 区县 → 市 → 省 through :mod:`sandbox.regions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sandbox.errors import InputError

__all__ = [
    "DEFAULT_AGE_BANDS",
    "ERR_NO_AGE",
    "ERR_NO_AGE_RANGE",
    "ERR_ONE_GROUP",
    "ERR_TOO_MANY_DISTRICTS",
    "MAX_DISTRICTS",
    "UNKNOWN",
    "AgeBands",
    "GroupCodes",
    "age_from_id_card",
    "encode_groups",
    "rollup_codes",
]

UNKNOWN = "未知"
MAX_DISTRICTS = 2_000
AGE_MIN, AGE_MAX = 0, 120
DEFAULT_AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (18, 29), (30, 44), (45, 59), (60, 69), (70, 79), (80, None),
)

ERR_NO_AGE = "audits.errors.no_age"
ERR_NO_AGE_RANGE = "audits.errors.no_age_in_range"
ERR_ONE_GROUP = "audits.errors.one_group"
ERR_TOO_MANY_DISTRICTS = "audits.errors.too_many_districts"


@dataclass(frozen=True, kw_only=True)
class AgeBands:
    """Closed age bands ``(low, high)``; ``high=None`` means "and older".

    Ages below the first band get their own band ``<low`` (shown only when
    present); missing or impossible ages get :data:`UNKNOWN`.
    """

    bands: tuple[tuple[int, int | None], ...] = DEFAULT_AGE_BANDS

    @property
    def labels(self) -> list[str]:
        return [f"{lo}+" if hi is None else f"{lo}–{hi}" for lo, hi in self.bands]

    def assign(self, ages: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Band index per row (float ages, NaN allowed) and the band labels.

        Labels are ``[<first, *bands, 未知]``; index 0 is the under-age band.
        """
        labels = [f"<{self.bands[0][0]}", *self.labels, UNKNOWN]
        valid = np.isfinite(ages) & (ages >= AGE_MIN) & (ages <= AGE_MAX)
        safe = np.where(valid, ages, -1.0)
        edges = np.array([lo for lo, _ in self.bands], dtype=float)
        index = np.searchsorted(edges, np.floor(safe), side="right")  # 0 = under the first band
        index = np.where(valid, index, len(labels) - 1)
        return index.astype(np.int64), labels


_ID_NOISE = re.compile(r"[\s\-‐–—]")


def age_from_id_card(numbers: pd.Series, *, as_of: date) -> np.ndarray:
    """Age in whole years on ``as_of`` from 身份证 numbers; NaN when unusable.

    The birth date comes from :func:`privacy.checksums.id_card_birth_date`;
    a number whose birth date is impossible or in the future gives NaN (→ the
    unknown group).
    """
    from privacy.checksums import id_card_birth_date

    text = numbers.astype("string").str.strip().str.upper().fillna("")
    uniques, inverse = np.unique(text.to_numpy(dtype=object).astype(str), return_inverse=True)
    ages = np.full(len(uniques), np.nan)
    for i, number in enumerate(uniques):
        if len(number) not in (15, 18) or not number.isascii():
            # As exports write them: grouped (3301 0219 4807 …), hyphenated, full-width, × for X.
            number = _ID_NOISE.sub("", unicodedata.normalize("NFKC", number)).replace("×", "X")
        born = id_card_birth_date(number) if number else None
        if born is None or born > as_of:
            continue
        ages[i] = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    return ages[inverse]


def to_ages(values: pd.Series) -> np.ndarray:
    """Numeric ages (``70``, ``70岁``, ``70周岁`` …); anything else becomes NaN (→ unknown)."""
    from sandbox.tabular import parse_ages

    return parse_ages(values)


def _clean_labels(values: pd.Series, *, weights: np.ndarray | None = None, merges: Mapping[str, str] | None = None,
                  merge_variants: bool = False, file: str = "", column: str = "") -> tuple[np.ndarray, list[str], dict[str, Any]]:
    """Factorize raw values first (fast), then clean the few uniques, merge what the reviewer asked, and
    report the labels that still look like one place written several ways (:mod:`audits._labels`)."""
    from ._labels import find_variants, merge_plan

    raw_codes, raw_uniques = pd.factorize(values, use_na_sentinel=True)
    cleaned = [str(u).strip() for u in raw_uniques]
    cleaned = [c if c and c.lower() not in ("nan", "none", "<na>") else UNKNOWN for c in cleaned]
    if (raw_codes < 0).any():
        cleaned.append(UNKNOWN)
        raw_codes = np.where(raw_codes < 0, len(cleaned) - 1, raw_codes)
    rows = np.bincount(raw_codes, weights=weights, minlength=len(cleaned))
    counts: dict[str, int] = {}
    for label, n in zip(cleaned, rows, strict=True):
        counts[label] = counts.get(label, 0) + int(n)
    plan = merge_plan(counts, merges=merges or {}, merge_variants=merge_variants, file=file, column=column,
                      skip=(UNKNOWN,))
    merged = [{"from": old, "to": new, "n": counts[old], "by": by} for old, (new, by) in plan.items()]
    cleaned = [plan[c][0] if c in plan else c for c in cleaned]
    after: dict[str, int] = {}
    for label, n in counts.items():
        target = plan[label][0] if label in plan else label
        after[target] = after.get(target, 0) + n
    labels = sorted(set(cleaned), key=lambda x: (x == UNKNOWN, x))
    position = {label: i for i, label in enumerate(labels)}
    remap = np.array([position[c] for c in cleaned], dtype=np.int64)
    report = {"column": column, "merged": merged,
              "variants": [v.as_dict() for v in find_variants(after, skip=(UNKNOWN,))]}
    return remap[raw_codes], labels, report


def rollup_codes(codes: Sequence[str]) -> dict[str, dict[str, str]]:
    """For GB/T 2260 district codes, the enclosing 区县 / 市 / 省 of each.

    Returns ``{level: {code: parent label}}`` for levels ``county``, ``city``,
    ``province``; a code that is not a 6/9/12-digit number maps to 未知.
    """
    from sandbox.regions import lookup_region, parent_codes

    out: dict[str, dict[str, str]] = {"county": {}, "city": {}, "province": {}}
    for code in codes:
        code = str(code)
        chain = [code] if len(code) == 6 else []
        chain += parent_codes(code) if code.isdigit() and len(code) in (6, 9, 12) else []
        by_len = {"county": None, "city": None, "province": None}
        for parent in chain:
            if len(parent) != 6:
                continue
            level = "province" if parent.endswith("0000") else "city" if parent.endswith("00") else "county"
            by_len[level] = by_len[level] or parent
        for level, parent in by_len.items():
            info = lookup_region(parent) if parent else None
            out[level][code] = f"{info.full_name}（{parent}）" if info else UNKNOWN
    return out


@dataclass(kw_only=True)
class GroupCodes:
    """Integer codes per row for age band and district, with labels.

    ``cell = age * n_districts + district`` indexes the intersection; every
    coarser grouping (age band, district, 区县 …) is a sum over cells.
    """

    age: np.ndarray
    age_labels: list[str]
    district: np.ndarray
    district_labels: list[str]
    rollups: dict[str, list[str]] = field(default_factory=dict)  # level -> label per district
    # district labels: ``merged`` (what the reviewer merged, rows, by whom) and ``variants`` (likely one place
    # written several ways, left as separate groups: a warning in every report)
    labelling: dict[str, Any] = field(default_factory=dict)

    @property
    def n_cells(self) -> int:
        return len(self.age_labels) * len(self.district_labels)

    def cells(self) -> np.ndarray:
        return self.age * len(self.district_labels) + self.district


def encode_groups(
    *,
    ages: np.ndarray,
    districts: pd.Series,
    district_codes: pd.Series | None = None,
    bands: AgeBands | None = None,
    file: str = "",
    weights: np.ndarray | None = None,
    merges: Mapping[str, str] | None = None,
    merge_variants: bool = False,
    column: str = "",
    age_column: str = "",
) -> GroupCodes:
    """Assign every row an age band and a district (unknown flagged, never dropped).

    District labels are merged only as asked: ``merges`` (label as written → label) and, with
    ``merge_variants``, every likely variant into its suggested name (:func:`audits._labels.merge_plan`);
    what was merged and the variants left are in ``GroupCodes.labelling`` (rows counted with
    ``weights``).

    Raises
    ------
    InputError
        ``audits.errors.too_many_districts`` (probably the wrong column),
        ``audits.errors.one_group`` when both age and district have one group,
        ``audits.errors.no_age`` / ``no_age_in_range`` when no row has an age in 0–120 (ages in months or
        birth years would otherwise put every row in 未知 and the audit would compare districts only),
        ``audits.errors.merge_unknown`` / ``merge_chain`` for a mapping that does not fit the column.
    """
    bands = bands or AgeBands()
    age_index, age_labels = bands.assign(ages)
    finite = ages[np.isfinite(ages)]
    if len(finite) == 0:
        raise InputError(ERR_NO_AGE, file=file)
    if not ((finite >= AGE_MIN) & (finite <= AGE_MAX)).any():
        raise InputError(ERR_NO_AGE_RANGE, file=file, column=age_column, low=f"{finite.min():g}",
                         high=f"{finite.max():g}")
    district_index, district_labels, labelling = _clean_labels(
        districts, weights=weights, merges=merges, merge_variants=merge_variants, file=file, column=column)
    if len(district_labels) > MAX_DISTRICTS:
        raise InputError(ERR_TOO_MANY_DISTRICTS, file=file, count=len(district_labels), max=MAX_DISTRICTS)
    used_ages = np.unique(age_index)
    if len(used_ages) < 2 and len(district_labels) < 2:
        raise InputError(ERR_ONE_GROUP, file=file)
    groups = GroupCodes(age=age_index, age_labels=age_labels, district=district_index,
                        district_labels=district_labels, labelling=labelling)
    code_source = district_codes if district_codes is not None else districts
    _, first_row = np.unique(district_index, return_index=True)
    code_list = [""] * len(district_labels)
    for d, row in zip(district_index[first_row], first_row, strict=True):
        value = code_source.iloc[int(row)]
        code_list[int(d)] = "" if pd.isna(value) else str(value).strip().removesuffix(".0")
    if any(c.isdigit() and len(c) in (6, 9, 12) for c in code_list):
        parents = rollup_codes(code_list)
        for level, mapping in parents.items():
            labels = [mapping.get(c, UNKNOWN) for c in code_list]
            if len(set(labels)) > 1 or (labels and labels[0] != UNKNOWN):
                groups.rollups[level] = labels
    _name_codes(groups)
    return groups


def _name_codes(groups: GroupCodes) -> None:
    """District labels that are known region codes shown as ``西湖区（330106）`` (after merges, which use the
    labels as written); ``labelling["named"]`` says how many (:mod:`audits._district_names`)."""
    from ._district_names import district_display_names

    names = district_display_names(groups.district_labels)
    if names:
        groups.district_labels = [names.get(label, label) for label in groups.district_labels]
        groups.labelling["named"] = {"codes": len(names), "example": next(iter(names.values()))}
