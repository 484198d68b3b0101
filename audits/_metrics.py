"""Group metrics computed from sufficient statistics, vectorised over groups and replicates.

Binary counts are arrays ``(..., 4)`` holding ``[tn, fp, fn, tp]``. Values follow
fairlearn/scikit-learn conventions exactly (an undefined rate such as the TPR
of a group without positives is 0, as ``confusion_matrix(normalize="true")``
gives it), and a separate ``defined`` mask says whether the value rests on any
data at all — an undefined value never passes or fails a check.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = [
    "BINARY",
    "auc_exact",
    "auc_from_histograms",
    "binary_metric",
    "ovr_counts",
    "weighted_quantile",
]

TN, FP, FN, TP, U0, U1 = 0, 1, 2, 3, 4, 5
LABEL_FREE = frozenset({"count", "selection_rate", "mean_prediction"})  # need no label


def _ratio(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    defined = den > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(defined, num / np.where(defined, den, 1.0), 0.0)
    return value, defined


def _n(c: np.ndarray) -> np.ndarray:
    return c.sum(axis=-1)


def _labelled(c: np.ndarray) -> np.ndarray:
    """Rows with a label: all of them, or the first four of ``[tn, fp, fn, tp, u0, u1]`` (partial labels)."""
    return c[..., :4].sum(axis=-1)


def _selected(c: np.ndarray) -> np.ndarray:
    """Rows selected, labelled or not (``u1``: selected without a label, partial labels only)."""
    return c[..., FP] + c[..., TP] + (c[..., U1] if c.shape[-1] > 4 else 0)


# metric -> (numerator, denominator) over the last axis of binary counts. With partial labels the counts are
# [tn, fp, fn, tp, u0, u1]: selection rate and count use every row, the rest the labelled rows only.
BINARY: dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
    "selection_rate": lambda c: (_selected(c), _n(c)),
    "true_positive_rate": lambda c: (c[..., TP], c[..., TP] + c[..., FN]),
    "false_positive_rate": lambda c: (c[..., FP], c[..., FP] + c[..., TN]),
    "false_negative_rate": lambda c: (c[..., FN], c[..., TP] + c[..., FN]),
    "true_negative_rate": lambda c: (c[..., TN], c[..., FP] + c[..., TN]),
    "precision": lambda c: (c[..., TP], c[..., TP] + c[..., FP]),
    "accuracy": lambda c: (c[..., TP] + c[..., TN], _labelled(c)),
    "mean_prediction": lambda c: (_selected(c), _n(c)),
    "base_rate": lambda c: (c[..., TP] + c[..., FN], _labelled(c)),
}


def binary_metric(name: str, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(value, defined)`` of a binary metric from ``[tn, fp, fn, tp]`` counts."""
    if name == "count":
        n = _n(counts).astype(float)
        return n, n > 0
    num, den = BINARY[name](counts)
    return _ratio(num, den)


def ovr_counts(confusion: np.ndarray) -> np.ndarray:
    """One-vs-rest binary counts ``(..., K, 4)`` from a ``(..., K, K)`` confusion.

    ``confusion[..., true, predicted]``; class ``k`` is the positive label.
    """
    tp = np.diagonal(confusion, axis1=-2, axis2=-1)
    actual = confusion.sum(axis=-1)
    predicted = confusion.sum(axis=-2)
    n = confusion.sum(axis=(-2, -1))[..., None]
    fn = actual - tp
    fp = predicted - tp
    tn = n - tp - fn - fp
    return np.stack([tn, fp, fn, tp], axis=-1)


def auc_exact(groups: np.ndarray, y: np.ndarray, score: np.ndarray, n_groups: int,
              weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Exact ROC AUC per group (Mann–Whitney with tied ranks averaged).

    Equals ``sklearn.metrics.roc_auc_score`` on each group; undefined (value
    NaN, ``defined`` False) for a group with only one class. ``weights``: how
    many identical rows each row stands for (the Spark engine's grouped rows).
    """
    w = np.ones(len(groups)) if weights is None else np.asarray(weights, dtype=float)
    order = np.lexsort((score, groups))
    g, s, yy, ww = groups[order], score[order], y[order], w[order]
    # runs of equal (group, score) share the average rank within the group
    new_run = np.ones(len(g), dtype=bool)
    new_run[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
    run_id = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_len = np.bincount(run_id, weights=ww)
    before = np.cumsum(run_len) - run_len
    group_start = np.zeros(n_groups + 1)
    np.cumsum(np.bincount(g, weights=ww, minlength=n_groups), out=group_start[1:])
    start_in_group = before - group_start[g[run_start]]
    avg_rank = start_in_group + (run_len + 1) / 2.0
    ranks = avg_rank[run_id]
    pos = np.bincount(g, weights=yy * ww, minlength=n_groups)
    total = np.bincount(g, weights=ww, minlength=n_groups)
    neg = total - pos
    rank_sum = np.bincount(g, weights=ranks * yy * ww, minlength=n_groups)
    defined = (pos > 0) & (neg > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)
    return np.where(defined, auc, np.nan), defined


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """``numpy.quantile(np.repeat(values, weights), quantiles)`` (method linear) without repeating.

    Follows numpy's own steps (virtual index, floor, ``_lerp``) so the result
    is bit-identical for integer weights.
    """
    order = np.argsort(values, kind="stable")
    v, cum = values[order], np.cumsum(np.asarray(weights, dtype=np.int64)[order])
    n = int(cum[-1])
    q = np.asarray(quantiles, dtype=float)
    virtual = (n - 1) * q
    previous = np.floor(virtual)
    gamma = virtual - previous
    lo = np.where(virtual >= n - 1, n - 1, np.clip(previous.astype(np.int64), 0, n - 1))
    hi = np.where(virtual >= n - 1, n - 1, np.clip(previous.astype(np.int64) + 1, 0, n - 1))
    a, b = v[np.searchsorted(cum, lo, side="right")], v[np.searchsorted(cum, hi, side="right")]
    diff = b - a
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)


def auc_from_histograms(neg: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """AUC from score histograms ``(..., bins)`` of negatives and positives.

    Ties within a bin count one half. NaN where a class is empty.
    """
    neg = np.asarray(neg, dtype=float)
    pos = np.asarray(pos, dtype=float)
    below = np.cumsum(neg, axis=-1) - neg  # negatives in lower bins
    wins = (pos * (below + 0.5 * neg)).sum(axis=-1)
    denom = pos.sum(axis=-1) * neg.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, wins / np.where(denom > 0, denom, 1.0), np.nan)
