"""Bootstrap by resampling counts, and multiple-comparison corrections.

Resampling the rows of a group of size ``n`` with replacement and counting the
outcome cells is exactly a draw from ``Multinomial(n, counts / n)``; so the
bootstrap needs only the per-group counts, never the rows. Groups are resampled
independently with their size fixed (stratified bootstrap), which keeps every
group present in every replicate.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

__all__ = [
    "adjust_pvalues",
    "nan_var",
    "normal_cdf",
    "normal_quantile",
    "percentile_interval",
    "resample_counts",
    "wilson_interval",
]


def resample_counts(counts: np.ndarray, *, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of per-group cell counts.

    Parameters
    ----------
    counts : ndarray of shape (n_groups, n_cells)
        Non-negative integer counts per group (e.g. ``[tn, fp, fn, tp]``).
    replicates : int
        Number of bootstrap replicates.
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray of shape (replicates, n_groups, n_cells)
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = counts.sum(axis=1)
    safe = np.where(n > 0, n, 1).astype(float)
    pvals = counts / safe[:, None]
    pvals[n == 0] = 1.0 / counts.shape[1]
    return rng.multinomial(n, pvals, size=(replicates, counts.shape[0]))


def percentile_interval(values: np.ndarray, *, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, ignoring NaN replicates."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(values)
        if finite.all():
            lo, hi = np.quantile(values, [alpha / 2, 1 - alpha / 2], axis=0)
            return lo, hi
        clean = np.where(finite, values, np.nan)
        any_ok = finite.any(axis=0)
        safe = np.where(any_ok[None, ...], clean, 0.0)
        lo, hi = np.nanquantile(safe, [alpha / 2, 1 - alpha / 2], axis=0)
        return np.where(any_ok, lo, np.nan), np.where(any_ok, hi, np.nan)


def nan_var(values: np.ndarray, *, axis: int = 0) -> np.ndarray:
    """Sample variance (ddof=1) over ``axis`` ignoring non-finite values; NaN below 2 values."""
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    k = ok.sum(axis=axis)
    clean = np.where(ok, values, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = clean.sum(axis=axis) / k
        dev = np.where(ok, values - np.expand_dims(mean, axis), 0.0)
        var = (dev * dev).sum(axis=axis) / (k - 1)
    return np.where(k > 1, var, np.nan)


def normal_cdf(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return 0.5 * np.vectorize(math.erfc, otypes=[float])(-x / math.sqrt(2.0)) if x.size else x


def normal_quantile(p: float) -> float:
    """Inverse standard normal CDF (bisection on erfc; exact enough for z values)."""
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2.0)) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def wilson_interval(successes: np.ndarray, trials: np.ndarray, *, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``successes / trials`` (NaN where ``trials`` is 0).

    Closed form, vectorised; equals ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")`` (the tests check
    it) without importing scipy.stats on the audit's path (~1.6 s). Unlike a bootstrap percentile interval it does
    not collapse to a point for 0 of 3 or 3 of 3: a small group's interval shows how little is known.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = normal_quantile(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        lo, hi = np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)
    ok = n > 0
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)


def adjust_pvalues(p: np.ndarray, *, method: Literal["holm", "bh"]) -> np.ndarray:
    """Holm (family-wise) or Benjamini–Hochberg (false discovery rate) adjusted p-values."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    elif method == "bh":
        adjusted = np.minimum.accumulate(m / np.arange(m, 0, -1) * ranked[::-1])[::-1]
    else:  # pragma: no cover - Literal guards this
        raise ValueError(method)
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out
