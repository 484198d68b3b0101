"""Reduce rows once to sufficient statistics per age band × district cell.

Binary: ``[tn, fp, fn, tp]`` per cell (one ``numpy.bincount``). Multiclass:
a K×K confusion matrix per cell. Scores: a 2×bins histogram per cell (for
bootstrapping AUC) plus the exact AUC per group from one sort. Regression:
sums of absolute and squared errors. Every grouping (age band, district,
intersection, 区县 …) is a sum of cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ._metrics import BINARY, auc_exact, auc_from_histograms, binary_metric, ovr_counts, weighted_quantile
from .groups import GroupCodes

__all__ = ["AUC_BINS", "CellStats", "Dimension", "Task", "dimensions", "metric_table", "reduce_rows"]

Task = Literal["binary", "multiclass", "regression"]
AUC_BINS = 20  # quantile bins per class for the AUC bootstrap (point AUC is exact)
BINARY_NAMES = (
    "count", "selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate",
    "true_negative_rate", "precision", "accuracy", "mean_prediction", "base_rate",
)
OVR_NAMES = ("selection_rate", "true_positive_rate", "false_positive_rate", "false_negative_rate", "precision")


@dataclass(kw_only=True)
class CellStats:
    """Sufficient statistics of one audit, per age band × district cell."""

    task: Task
    counts: np.ndarray  # binary (cells, 4) | multiclass (cells, K, K) | regression (cells, 3)
    classes: list[str] = field(default_factory=list)
    score_hist: np.ndarray | None = None  # (cells, 2 * AUC_BINS)
    rows: dict[str, np.ndarray] = field(default_factory=dict)  # kept only for the exact AUC

    @property
    def flat(self) -> np.ndarray:
        return self.counts.reshape(self.counts.shape[0], -1)


@dataclass(kw_only=True)
class Dimension:
    """One grouping of the cells: name, labels and the cell → group map."""

    name: str
    labels: list[str]
    cell_map: np.ndarray
    unknown: list[bool]

    def aggregate(self, per_cell: np.ndarray) -> np.ndarray:
        out = np.zeros((len(self.labels), *per_cell.shape[1:]), dtype=per_cell.dtype)
        np.add.at(out, self.cell_map, per_cell)
        return out


def reduce_rows(
    *,
    groups: GroupCodes,
    task: Task,
    y_true: np.ndarray,
    y_pred: np.ndarray | None,
    score: np.ndarray | None = None,
    n_classes: int = 2,
    classes: list[str] | None = None,
    weights: np.ndarray | None = None,
) -> CellStats:
    """One pass over the rows: the per-cell statistics the whole audit needs.

    ``weights`` (optional): how many identical rows each row stands for — the
    Spark engine groups identical rows first; the statistics are the same.
    """
    cells = groups.cells()
    n_cells = groups.n_cells

    def count(index: np.ndarray, size: int) -> np.ndarray:
        if weights is None:
            return np.bincount(index, minlength=size)
        return np.rint(np.bincount(index, weights=weights, minlength=size)).astype(np.int64)

    w = 1.0 if weights is None else weights
    labelled = None
    if task == "binary":  # y_true 2 = no label (partial labels): cells [tn, fp, fn, tp, u0, u1]
        width = 6 if (y_true == 2).any() else 4
        labelled = y_true != 2 if width == 6 else None
        flat = count(cells * width + y_true * 2 + y_pred, n_cells * width)
        counts = flat.reshape(n_cells, width)
    elif task == "multiclass":
        k = n_classes
        flat = count((cells * k + y_true) * k + y_pred, n_cells * k * k)
        counts = flat.reshape(n_cells, k, k)
    else:
        err = np.abs(y_true.astype(float) - y_pred.astype(float))
        counts = np.stack([
            count(cells, n_cells).astype(float),
            np.bincount(cells, weights=err * w, minlength=n_cells),
            np.bincount(cells, weights=err * err * w, minlength=n_cells),
        ], axis=1)
    stats = CellStats(task=task, counts=counts, classes=list(classes or []))
    if score is not None and task == "binary":
        if labelled is not None:  # AUC needs labels: the labelled rows only
            cells, y_true, score = cells[labelled], y_true[labelled], score[labelled]
            weights = None if weights is None else weights[labelled]
        qs = np.linspace(0, 1, AUC_BINS + 1)[1:-1]
        cuts = np.quantile(score, qs) if weights is None else weighted_quantile(score, weights, qs)
        edges = np.unique(cuts)
        bins = np.searchsorted(edges, score, side="right")
        hist = count((cells * 2 + y_true) * AUC_BINS + bins, n_cells * 2 * AUC_BINS)
        stats.score_hist = hist.reshape(n_cells, 2 * AUC_BINS)
        stats.rows = {"cells": cells, "y": y_true, "score": score}
        if weights is not None:
            stats.rows["weights"] = weights
    return stats


def dimensions(groups: GroupCodes, wanted: tuple[str, ...]) -> list[Dimension]:
    """The groupings to report: age band, district, intersection, then roll-ups."""
    n_age, n_dist = len(groups.age_labels), len(groups.district_labels)
    cell = np.arange(n_age * n_dist)
    age_of, dist_of = cell // n_dist, cell % n_dist
    unknown_age = [label == groups.age_labels[-1] for label in groups.age_labels]
    unknown_dist = [label == "未知" for label in groups.district_labels]
    out: list[Dimension] = []
    if "age_band" in wanted:
        out.append(Dimension(name="age_band", labels=groups.age_labels, cell_map=age_of, unknown=unknown_age))
    if "district" in wanted:
        out.append(Dimension(name="district", labels=groups.district_labels, cell_map=dist_of,
                             unknown=unknown_dist))
    if "intersection" in wanted:
        labels = [f"{a} × {d}" for a in groups.age_labels for d in groups.district_labels]
        unknown = [unknown_age[a] or unknown_dist[d] for a, d in zip(age_of, dist_of, strict=True)]
        out.append(Dimension(name="intersection", labels=labels, cell_map=cell, unknown=unknown))
    for level, per_district in groups.rollups.items():
        uniques = sorted(set(per_district), key=lambda x: (x == "未知", x))
        index = np.array([uniques.index(x) for x in per_district])
        out.append(Dimension(name=level, labels=uniques, cell_map=index[dist_of],
                             unknown=[u == "未知" for u in uniques]))
    return out


def metric_table(stats: CellStats, counts: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every metric of the task from aggregated counts ``(..., G, cells)``.

    Works for point counts ``(G, …)`` and bootstrap replicates ``(B, G, …)``.
    """
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if stats.task == "binary":
        for name in BINARY_NAMES:
            out[name] = binary_metric(name, counts)
    elif stats.task == "multiclass":
        n = counts.sum(axis=(-2, -1)).astype(float)
        trace = np.trace(counts, axis1=-2, axis2=-1)
        out["count"] = (n, n > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["accuracy"] = (np.where(n > 0, trace / np.where(n > 0, n, 1), 0.0), n > 0)
        ovr = ovr_counts(counts)
        for k, cls in enumerate(stats.classes):
            for name in OVR_NAMES:
                out[f"{name}[{cls}]"] = binary_metric(name, ovr[..., k, :])
    else:
        n, sum_abs = counts[..., 0], counts[..., 1]
        out["count"] = (n, n > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["mae"] = (np.where(n > 0, sum_abs / np.where(n > 0, n, 1), np.nan), n > 0)
    return out


def auc_point(stats: CellStats, dim: Dimension) -> tuple[np.ndarray, np.ndarray]:
    """Exact AUC per group of ``dim`` (equals ``roc_auc_score`` per group)."""
    rows = stats.rows
    group_of_row = dim.cell_map[rows["cells"]]
    return auc_exact(group_of_row, rows["y"], rows["score"], len(dim.labels), weights=rows.get("weights"))


def auc_replicates(hist: np.ndarray) -> np.ndarray:
    """AUC of binned score histograms ``(..., 2 * AUC_BINS)`` (negatives first)."""
    return auc_from_histograms(hist[..., :AUC_BINS], hist[..., AUC_BINS:])


def num_den(stats: CellStats, counts: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Numerator and denominator of a rate metric per group (None for AUC, MAE, count)."""
    if stats.task == "binary" and metric in BINARY:
        num, den = BINARY[metric](counts)
        return np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if stats.task == "multiclass":
        if metric == "accuracy":
            return (np.trace(counts, axis1=-2, axis2=-1).astype(float),
                    counts.sum(axis=(-2, -1)).astype(float))
        name, _, cls = metric.partition("[")
        if cls and name in BINARY:
            k = stats.classes.index(cls.rstrip("]"))
            num, den = BINARY[name](ovr_counts(counts)[..., k, :])
            return np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    return None
