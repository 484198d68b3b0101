"""Differential-privacy aggregates with diffprivlib, charged to the budget ledger.

* Counts and histograms: two-sided geometric mechanism (``diffprivlib``
  ``Geometric``, sensitivity 1 under add/remove-one-record), one draw per
  cell. Cells are the product of *public* keys (age bands from the policy,
  declared value lists) — never the values that happen to be in the data, so
  the presence of a group is not itself revealed. Values outside the keys are
  counted in an ``其他`` cell, missing/invalid ages in ``未知``: nothing vanishes.
* Bounded sums: values clipped to declared bounds, ``Snapping`` mechanism
  (floating-point safe Laplace). Bounded means: ε split half/half between a
  geometric count and a snapping sum; mean = sum / count, clipped to bounds.
  Bounds must be declared; they are never taken from the data.

Order of work: validate → reserve ε in the ledger (refused before any noise
is drawn) → compute exact aggregates → draw noise → post-process.

Post-processing (no extra privacy cost, documented in every result): counts
are integers clamped at 0; cells whose noisy count is below the policy's
``min_cell`` are suppressed or merged into their parent division (区县) —
decided on noisy values only; every published cell carries its error interval
at the policy's confidence (95% by default), exact for sums of geometric noise.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from diffprivlib.mechanisms import Geometric, Snapping

from privacy._public_keys import refuse_personal_keys
from privacy.deid._generalize import UNKNOWN, age_band_codes, age_band_labels
from privacy.deid._policy import DeidPolicy
from privacy.ledger import BudgetLedger, check_epsilon
from sandbox.errors import InputError
from sandbox.tabular import parse_ages

__all__ = [
    "OTHER", "DPTable", "dp_histogram", "dp_mean", "dp_sum", "geometric_halfwidth", "laplace_halfwidth",
    "noisy_counts",
]

OTHER = "其他"
MERGED = "（合并）"
AGE_NAMES = ("年龄", "age")


@dataclass(kw_only=True)
class DPTable:
    """A released table: one row per public cell with value, interval and status."""

    table: pd.DataFrame
    by: list[str]
    epsilon: float
    mechanism: str
    confidence: float
    spend_id: int
    keys_source: dict[str, str]
    post_processing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        rows = self.table.astype(object).where(self.table.notna(), None).to_dict(orient="records")
        return {"by": self.by, "epsilon": self.epsilon, "mechanism": self.mechanism,
                "confidence": self.confidence, "spend_id": self.spend_id, "keys_source": self.keys_source,
                "post_processing": self.post_processing, "cells": rows}


def geometric_halfwidth(epsilon: float, confidence: float = 0.95, *, cells: int = 1) -> int:
    """Smallest h with P(|Z| ≤ h) ≥ confidence, Z a sum of ``cells`` two-sided geometric noises."""
    p = math.exp(-epsilon)
    alpha = 1 - confidence
    if cells == 1:
        # P(|Z| > h) = 2 p^(h+1) / (1 + p)
        return max(0, math.ceil(math.log(alpha * (1 + p) / 2) / math.log(p) - 1 - 1e-12))
    single = geometric_halfwidth(epsilon, 1 - 1e-9)
    support = np.arange(-single, single + 1)
    pmf = (1 - p) / (1 + p) * p ** np.abs(support)
    total = pmf
    for _ in range(cells - 1):
        total = np.convolve(total, pmf)
    centre = len(total) // 2
    cumulative = total[centre] + np.concatenate([[0.0], np.cumsum(total[centre + 1:] + total[centre - 1::-1])])
    return int(np.searchsorted(cumulative, confidence - 1e-12))


def laplace_halfwidth(scale: float, confidence: float = 0.95) -> float:
    """P(|Z| > t) = exp(-t/b) for Laplace(b)."""
    return scale * math.log(1 / (1 - confidence))


def noisy_counts(exact: np.ndarray, epsilon: float, *, random_state: Any = None) -> np.ndarray:
    """One two-sided geometric draw (diffprivlib ``Geometric``, sensitivity 1) per cell.

    Raw noisy integers (may be negative); clamping is post-processing.
    """
    mech = Geometric(epsilon=epsilon, sensitivity=1, random_state=random_state)
    return np.array([mech.randomise(int(v)) for v in exact], dtype=np.int64)


def _age_like(column: str, policy: DeidPolicy) -> bool:
    spec = policy.column_operator(column)
    return column in AGE_NAMES or (spec is not None and spec.op == "generalize_age")


def _key(value: str) -> str:
    """A value as matched against the public keys: ``锦城街道 ``, ``锦城 街道`` and full-width forms are ``锦城街道``."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def _cells(frame: pd.DataFrame, by: list[str], policy: DeidPolicy, keys: dict[str, list[str]] | None,
           keys_from_data: bool) -> tuple[list[np.ndarray], list[list[str]], dict[str, str]]:
    """Integer codes per column over the public key domains (+ 其他 / 未知)."""
    missing = [c for c in by if c not in frame.columns]
    if missing:
        raise InputError("privacy.err.columns_missing", columns=", ".join(missing),
                         available=", ".join(map(str, frame.columns)))
    codes, domains, source = [], [], {}
    for column in by:
        values = frame[column]
        if _age_like(column, policy) and np.isfinite(parse_ages(values.head(1000))).any():
            domains.append([*age_band_labels(policy.age_bands), UNKNOWN])
            codes.append(age_band_codes(values, policy.age_bands))
            source[column] = "policy.age_bands"
            continue
        if keys and column in keys:
            domain, source[column] = [str(v) for v in keys[column]], "declared"
        elif column in policy.public_keys:
            domain, source[column] = list(policy.public_keys[column]), f"policy {policy.ref}"
        elif keys_from_data:
            domain = sorted({_key(str(v)) for v in pd.unique(values.dropna())} - {""})
            source[column] = "data (not public: declared by the steward as public)"
        else:
            raise InputError("privacy.err.keys_missing", column=column)
        if UNKNOWN not in domain and OTHER not in domain:
            domain = [*domain, OTHER]
        fallback = domain.index(UNKNOWN if UNKNOWN in domain else OTHER)
        lookup = {_key(v): i for i, v in enumerate(domain)}
        raw_codes, uniques = pd.factorize(values, use_na_sentinel=True)
        mapped = np.array([lookup.get(_key(str(u)), fallback) for u in uniques] + [fallback], dtype=np.int64)
        codes.append(mapped[raw_codes])  # -1 (missing) → last entry → fallback
        domains.append(domain)
    return codes, domains, source


def _exact_counts(codes: list[np.ndarray], domains: list[list[str]],
                  weights: np.ndarray | None = None) -> np.ndarray:
    flat = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for c, d in zip(codes, domains, strict=True):
        flat = flat * len(d) + c
    size = math.prod(len(d) for d in domains)
    if weights is None:
        return np.bincount(flat, minlength=size)
    return np.rint(np.bincount(flat, weights=weights, minlength=size)).astype(np.int64)


def _parents(frame: pd.DataFrame, column: str, domain: list[str]) -> dict[str, str]:
    """District → its 区县 name, using the ``<column>代码`` code column when present."""
    from privacy.deid._generalize import generalize_region

    code_col = f"{column}代码"
    if code_col not in frame.columns:
        return {}
    pairs = frame[[column, code_col]].dropna().drop_duplicates(column)
    parents = generalize_region(pairs[code_col].astype(str), "county")
    return {str(k): str(v) for k, v in zip(pairs[column], parents, strict=True) if str(k) in domain}


def dp_histogram(frame: pd.DataFrame, by: list[str], *, epsilon: float, accountant: BudgetLedger,
                 keys: dict[str, list[str]] | None = None, keys_from_data: bool = False,
                 where: dict[str, list[str]] | None = None, random_state: Any = None,
                 merge_column: str | None = None, weight_column: str | None = None) -> DPTable:
    """Noisy counts over the product of public keys of ``by`` (e.g. 街道镇 × 年龄段).

    Parameters
    ----------
    frame : DataFrame
        Source records, one per person.
    by : list of str
        Group columns. Age columns are banded by the policy's bands.
    epsilon : float
        ε of this release (> 0). Cells are disjoint: charged once.
    accountant : BudgetLedger
        The dataset's persistent ledger; the cost is reserved before noise.
    keys : dict, optional
        Public value lists per column.
    keys_from_data : bool
        Accept the data's own values as the key domain (the steward declares
        them public); recorded in the result.
    where : dict, optional
        Restrict to records whose column values are listed (scope for
        parallel composition in the ledger).
    random_state : int or RandomState, optional
        For reproducible tests only; default is a cryptographically secure source.
    merge_column : str, optional
        Column whose small cells merge up the division hierarchy (default: the
        first ``by`` column that has a ``<column>代码`` code column).
    weight_column : str, optional
        A count column when each row stands for that many identical records
        (the Spark engine's grouped rows); the exact counts are the same.
    """
    policy = accountant.policy
    eps, _ = check_epsilon(epsilon)
    if not by:
        raise InputError("privacy.err.no_group_columns")
    data = frame
    if where:
        for column in where:
            if column not in frame.columns:
                raise InputError("privacy.err.columns_missing", columns=column,
                                 available=", ".join(map(str, frame.columns)))
        mask = np.logical_and.reduce([frame[c].map(lambda v: _key(str(v)) if pd.notna(v) else None).isin([_key(str(v)) for v in vals]).to_numpy()
                                      for c, vals in where.items()])
        data = frame.loc[mask]
    codes, domains, source = _cells(data, by, policy, keys, keys_from_data)
    # the keys are published as they are (a name column's names would be rows of the table): refused before ε
    refuse_personal_keys(by, domains, skip=(OTHER, UNKNOWN, *age_band_labels(policy.age_bands)))
    spend_id = accountant.reserve(epsilon=eps, query="histogram", scope=where,
                                  details={"by": by, "cells": math.prod(len(d) for d in domains),
                                           "mechanism": "geometric", "keys_source": source})
    weights = None if weight_column is None else data[weight_column].to_numpy(dtype=np.int64)
    noisy = noisy_counts(_exact_counts(codes, domains, weights), eps, random_state=random_state)
    index = pd.MultiIndex.from_product(domains, names=by)
    table = pd.DataFrame({"noisy": noisy, "cells": 1}, index=index).reset_index()
    dp = policy.dp
    notes = ["integer counts clamped at 0", f"{dp.confidence:.0%} interval from the geometric noise distribution"]
    if merge_column is None:
        merge_column = next((c for c in by if f"{c}代码" in data.columns), None)
    if dp.small_cells == "merge" and merge_column is not None and dp.min_cell > 0:
        table = _merge_small(table, by, merge_column, _parents(data, merge_column, domains[by.index(merge_column)]),
                             dp.min_cell)
        notes.append(f"cells with noisy count < {dp.min_cell} merged into their 区县 on {merge_column}")
    count = table["noisy"].clip(lower=0)
    half = np.array([geometric_halfwidth(eps, dp.confidence, cells=int(m)) for m in table["cells"]])
    table["count"] = count.astype("Int64")
    table["lower"] = (count - half).clip(lower=0).astype("Int64")
    table["upper"] = (count + half).astype("Int64")
    table["status"] = np.where(table["cells"] > 1, "merged", "ok")
    if dp.small_cells in ("suppress", "merge") and dp.min_cell > 0:
        small = table["noisy"] < dp.min_cell
        table.loc[small, ["count", "lower", "upper"]] = pd.NA
        table.loc[small, "status"] = "suppressed"
        notes.append(f"cells with noisy count < {dp.min_cell} suppressed (decided on noisy values)")
    table = table.drop(columns=["noisy"]).rename(columns={"cells": "merged_cells"})
    return DPTable(table=table, by=list(by), epsilon=eps, mechanism="geometric (diffprivlib)",
                   confidence=dp.confidence, spend_id=spend_id, keys_source=source, post_processing=notes)


def _merge_small(table: pd.DataFrame, by: list[str], column: str, parents: dict[str, str],
                 min_cell: int) -> pd.DataFrame:
    """Merge cells with a noisy count < min_cell into ``<区县>（合并）`` within the other keys."""
    others = [c for c in by if c != column]
    small = (table["noisy"] < min_cell) & table[column].isin(list(parents))
    if not small.any():
        return table
    merged = table.loc[small].copy()
    merged[column] = merged[column].map(parents) + MERGED
    merged = merged.groupby([column, *others], sort=False, as_index=False)[["noisy", "cells"]].sum()
    return pd.concat([table.loc[~small], merged], ignore_index=True)


def _bounds(bounds: Any) -> tuple[float, float]:
    if bounds is None:
        raise InputError("privacy.err.bounds_missing")
    try:
        lower, upper = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise InputError("privacy.err.bounds_invalid", bounds=bounds) from None
    if not (math.isfinite(lower) and math.isfinite(upper) and lower < upper):
        raise InputError("privacy.err.bounds_invalid", bounds=bounds)
    return lower, upper


def _noisy_sums(values: np.ndarray, group: np.ndarray, size: int, eps: float, lower: float, upper: float,
                max_rows: int, random_state: Any) -> tuple[np.ndarray, float, float]:
    sums = np.bincount(group, weights=np.clip(values, lower, upper), minlength=size)
    sensitivity = max(abs(lower), abs(upper))
    mech = Snapping(epsilon=eps, sensitivity=sensitivity, lower=min(0.0, lower) * max_rows,
                    upper=max(0.0, upper) * max_rows, random_state=random_state)
    scale = sensitivity / mech.effective_epsilon()
    lam = 2.0 ** math.ceil(math.log2(scale))
    return np.array([mech.randomise(float(v)) for v in sums]), scale, lam


def _value_groups(frame: pd.DataFrame, value: str, by: list[str], accountant: BudgetLedger,
                  keys: dict[str, list[str]] | None, keys_from_data: bool
                  ) -> tuple[np.ndarray, np.ndarray, list[list[str]], dict[str, str]]:
    if value not in frame.columns:
        raise InputError("privacy.err.columns_missing", columns=value, available=", ".join(map(str, frame.columns)))
    codes, domains, source = _cells(frame, by, accountant.policy, keys, keys_from_data) if by else ([], [], {})
    group = np.zeros(len(frame), dtype=np.int64)
    for c, d in zip(codes, domains, strict=True):
        group = group * len(d) + c
    values = pd.to_numeric(frame[value], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return values, group, domains, source


def dp_sum(frame: pd.DataFrame, value: str, by: list[str] | None = None, *, epsilon: float,
           bounds: tuple[float, float] | None, accountant: BudgetLedger,
           keys: dict[str, list[str]] | None = None, keys_from_data: bool = False,
           max_rows: int = 10_000_000, random_state: Any = None) -> DPTable:
    """Bounded sum of ``value`` per public cell (values clipped to declared ``bounds``)."""
    eps, _ = check_epsilon(epsilon)
    lower, upper = _bounds(bounds)
    by = list(by or [])
    values, group, domains, source = _value_groups(frame, value, by, accountant, keys, keys_from_data)
    size = math.prod(len(d) for d in domains)
    spend_id = accountant.reserve(epsilon=eps, query="sum", details={"value": value, "by": by,
                                  "bounds": [lower, upper], "mechanism": "snapping"})
    noisy, scale, lam = _noisy_sums(values, group, size, eps, lower, upper, max_rows, random_state)
    half = laplace_halfwidth(scale, accountant.policy.dp.confidence) + lam
    index = pd.MultiIndex.from_product(domains, names=by) if by else pd.RangeIndex(1)
    table = pd.DataFrame({"sum": noisy, "lower": noisy - half, "upper": noisy + half}, index=index)
    table = table.reset_index() if by else table
    return DPTable(table=table, by=by, epsilon=eps, mechanism="snapping (diffprivlib)",
                   confidence=accountant.policy.dp.confidence, spend_id=spend_id, keys_source=source,
                   post_processing=[f"values clipped to [{lower:g}, {upper:g}]; missing values count as 0"])


def dp_mean(frame: pd.DataFrame, value: str, by: list[str] | None = None, *, epsilon: float,
            bounds: tuple[float, float] | None, accountant: BudgetLedger,
            keys: dict[str, list[str]] | None = None, keys_from_data: bool = False,
            max_rows: int = 10_000_000, random_state: Any = None) -> DPTable:
    """Bounded mean per cell: ε/2 geometric count + ε/2 snapping sum, mean = sum/count in bounds.

    The interval combines both noises' (1 − α/2) intervals (union bound), so
    it covers the true mean of the clipped values with at least the stated confidence.
    """
    eps, _ = check_epsilon(epsilon)
    lower, upper = _bounds(bounds)
    by = list(by or [])
    values, group, domains, source = _value_groups(frame, value, by, accountant, keys, keys_from_data)
    size = math.prod(len(d) for d in domains)
    spend_id = accountant.reserve(epsilon=eps, query="mean", details={"value": value, "by": by,
                                  "bounds": [lower, upper], "mechanism": "geometric+snapping"})
    confidence = accountant.policy.dp.confidence
    inner = 1 - (1 - confidence) / 2
    counts = np.bincount(group, minlength=size)
    noisy_n = noisy_counts(counts, eps / 2, random_state=random_state).astype(float)
    noisy_s, scale, lam = _noisy_sums(values, group, size, eps / 2, lower, upper, max_rows, random_state)
    hc = geometric_halfwidth(eps / 2, inner)
    hs = laplace_halfwidth(scale, inner) + lam
    safe_n = np.maximum(noisy_n, 1.0)
    mean = np.clip(noisy_s / safe_n, lower, upper)
    lo_n = noisy_n - hc
    corners = np.stack([(noisy_s + a * hs) / np.where(lo_n > 0, noisy_n + b * hc, 1.0)
                        for a in (-1, 1) for b in (-1, 1)])
    ok = lo_n > 0
    lo = np.where(ok, np.clip(corners.min(axis=0), lower, upper), lower)
    hi = np.where(ok, np.clip(corners.max(axis=0), lower, upper), upper)
    index = pd.MultiIndex.from_product(domains, names=by) if by else pd.RangeIndex(1)
    table = pd.DataFrame({"mean": mean, "lower": lo, "upper": hi}, index=index)
    table = table.reset_index() if by else table
    return DPTable(table=table, by=by, epsilon=eps, mechanism="geometric count + snapping sum (diffprivlib)",
                   confidence=confidence, spend_id=spend_id, keys_source=source,
                   post_processing=[f"values clipped to [{lower:g}, {upper:g}]", "mean clipped to bounds",
                                    "interval: union bound over count and sum intervals"])
