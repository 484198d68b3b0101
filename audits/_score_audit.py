"""The score part of an audit: threshold, sweep per group, calibration per group and its checks.

:func:`score_section` is a pure function of the per-cell score histogram, so
the NumPy engine (:func:`score_audit`, one ``bincount`` over the rows) and any
other engine that counts ``(cell, y, bin)`` the same way give the same report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._calibration import (
    SWEEP_METRICS,
    calibration_cells,
    calibration_checks,
    calibration_slope,
    pass_ranges,
    sweep_counts,
    sweep_metrics,
)
from ._scores import (
    CALIBRATION_BINS,
    MAX_LEVELS,
    SWEEP_QUANTILES,
    ScoreBins,
    ScoreSpec,
    score_edges,
    score_histogram,
)
from ._stats import Dimension
from .policy import Check, Policy

__all__ = ["CALIBRATION_METRIC", "default_spec", "score_audit", "score_section"]

CALIBRATION_METRIC = "calibration_gap"
SWEEP_DIMENSIONS = ("age_band", "district")
BASE_RATE_GAP = 0.02  # base rates "differ" (for the impossibility note) from this point difference on


def default_spec(score: np.ndarray, *, policy: Policy, column: str = "score") -> ScoreSpec:
    """Spec of a score handed to the engine directly (decisions from a prediction column)."""
    lo, hi = float(np.min(score)), float(np.max(score))
    probability = lo >= 0.0 and hi <= 1.0
    return ScoreSpec(column=column, kind="probability" if probability else "numeric", minimum=lo, maximum=hi,
                     distinct=len(np.unique(score)), threshold=policy.threshold if probability else None,
                     threshold_label=f"{policy.threshold:g}" if probability else None,
                     source="default" if probability else None, decisions="prediction")


def _settings(policy: Policy) -> dict[str, int]:
    s = policy.scores
    return {"max_levels": int(s.get("max_levels", MAX_LEVELS)),
            "quantiles": int(s.get("sweep_quantiles", SWEEP_QUANTILES)),
            "calibration_bins": int(s.get("calibration_bins", CALIBRATION_BINS))}


def score_audit(
    *, score: np.ndarray, spec: ScoreSpec, cells: np.ndarray, y: np.ndarray, n_cells: int, dims: list[Dimension],
    references: dict[str, int], policy: Policy, checks: list[Check], rng: np.random.Generator, replicates: int,
    weights: np.ndarray | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows → histogram (one pass) → :func:`score_section`. ``score`` is the oriented score.

    ``weights``: how many identical rows each row stands for (Spark engine).
    """
    bins = score_edges(score, spec, **_settings(policy), weights=weights)
    raw = spec.raw(score) if spec.kind == "probability" else None
    hist, sums = score_histogram(cells=cells, y=y, oriented=score, bins=bins, n_cells=n_cells, raw=raw,
                                 weights=weights)
    return score_section(hist=hist, sums=sums, bins=bins, spec=spec, dims=dims, references=references,
                         policy=policy, checks=checks, rng=rng, replicates=replicates)


def family_cells(dim: Dimension, group: int, hist: np.ndarray, bins: ScoreBins) -> np.ndarray:
    """Calibration counts ``(2, C)`` of one group of a dimension."""
    return calibration_cells(dim.aggregate(hist)[group], bins)


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _ranges(passes: np.ndarray, thresholds: list[float], labels: list[str]) -> list[dict[str, Any]]:
    out, start = [], None
    for i, ok in enumerate([*passes.tolist(), False]):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            out.append({"from": thresholds[start], "to": thresholds[i - 1],
                        "from_label": labels[start], "to_label": labels[i - 1]})
            start = None
    return out


def _calibration_bins(bins: ScoreBins, spec: ScoreSpec) -> list[dict[str, Any]]:
    """Raw-scale bounds and labels of the calibration bins (oriented order)."""
    starts = bins.calibration_starts
    out = []
    for k, start in enumerate(starts):
        stop = int(starts[k + 1]) if k + 1 < len(starts) else bins.n_bins
        if bins.mode == "levels":
            raw = float(spec.raw(bins.edges[start - 1]))
            out.append({"label": spec.label_of(raw), "low": raw, "high": raw})
            continue
        lo_or = bins.edges[start - 1] if start > 0 else -np.inf
        hi_or = bins.edges[stop - 1] if stop - 1 < len(bins.edges) else np.inf
        a, b = sorted([float(spec.raw(lo_or)), float(spec.raw(hi_or))])
        a, b = max(a, spec.minimum), min(b, spec.maximum)
        out.append({"label": f"{_fmt(a)}–{_fmt(b)}", "low": a, "high": b})
    return out


def _list(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def score_section(
    *, hist: np.ndarray, sums: np.ndarray | None, bins: ScoreBins, spec: ScoreSpec, dims: list[Dimension],
    references: dict[str, int], policy: Policy, checks: list[Check], rng: np.random.Generator, replicates: int,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sweep, calibration and calibration checks from the per-cell histogram ``(cells, 2, bins)``.

    Returns
    -------
    rows, section
        Calibration check rows (fields of every other check) and the report's
        ``score`` section: ``spec``, ``sweep`` (thresholds, per-group curves, the
        chosen one, pass ranges per check), ``calibration`` (bins, observed rate
        with intervals per group, in-the-large and slope for probabilities) and
        ``base_rates`` (for the note on criteria that cannot all hold).
    """
    by_name = {d.name: d for d in dims}
    reverse = spec.direction == "below"  # oriented ascending = raw descending: show raw ascending
    order = slice(None, None, -1) if reverse else slice(None)
    raw_edges = [round(float(v), 9) for v in spec.raw(bins.edges)[order]]
    labels = [spec.label_of(v) if bins.mode == "levels" else _fmt(v) for v in raw_edges]
    chosen = None
    if spec.threshold is not None:
        at = int(np.searchsorted(bins.edges, float(spec.orient(spec.threshold)), side="left"))
        if at < len(bins.edges):
            chosen = len(bins.edges) - 1 - at if reverse else at
    rate_checks = [{"key": c.key, "metric": c.metric, "kind": c.form, "threshold": c.threshold}
                   for c in checks if c.metric != CALIBRATION_METRIC]
    sweep: dict[str, Any] = {"mode": bins.mode, "thresholds": raw_edges, "labels": labels, "chosen": chosen,
                             "dimensions": {}, "pass_ranges": []}
    base_rates: list[dict[str, Any]] = []
    for name in SWEEP_DIMENSIONS:
        dim = by_name.get(name)
        if dim is None:
            continue
        agg = dim.aggregate(hist)
        n = agg.sum(axis=(1, 2))
        metrics = sweep_metrics(sweep_counts(agg))
        groups = []
        for g, label in enumerate(dim.labels):
            if n[g] == 0:
                continue
            entry: dict[str, Any] = {"group": label, "n": int(n[g]), "unknown": dim.unknown[g],
                                     "reference": g == references.get(name)}
            for metric in SWEEP_METRICS:
                value, defined = metrics[metric]
                entry[metric] = [float(v) if ok else None for v, ok in zip(value[g][order], defined[g][order],
                                                                           strict=True)]
            groups.append(entry)
        sweep["dimensions"][name] = {"groups": groups}
        if name in policy.dimensions and name in references:
            for rng_row in pass_ranges(metrics, n=n, unknown=dim.unknown, reference=references[name],
                                       checks=rate_checks, min_group_size=policy.min_group_size):
                passes = rng_row.pop("passes")[order]
                sweep["pass_ranges"].append({
                    **rng_row, "dimension": name, "passes": [bool(p) for p in passes],
                    "ranges": _ranges(passes, raw_edges, labels),
                    "at_chosen": None if chosen is None else bool(passes[chosen])})
        big = (n >= policy.min_group_size) & ~np.asarray(dim.unknown)
        if big.sum() >= 2:
            rate = agg[:, 1].sum(axis=1) / np.maximum(n, 1)
            idx = np.flatnonzero(big)
            lo, hi = idx[np.argmin(rate[idx])], idx[np.argmax(rate[idx])]
            base_rates.append({"dimension": name, "low_group": dim.labels[lo], "low": float(rate[lo]),
                               "high_group": dim.labels[hi], "high": float(rate[hi]),
                               "differ": bool(rate[hi] - rate[lo] >= BASE_RATE_GAP)})
    cal_bins = _calibration_bins(bins, spec)
    cal_order = slice(None, None, -1) if reverse else slice(None)
    check = next((c for c in checks if c.metric == CALIBRATION_METRIC), None)
    s = policy.scores
    min_cell = int(s.get("min_cell_size", policy.min_group_size))
    families: list[dict[str, Any]] = []
    for dim in dims:
        if dim.name not in SWEEP_DIMENSIONS and not (check and dim.name in policy.dimensions):
            continue
        if dim.name not in references:
            continue
        family = {"dimension": dim.name, "labels": dim.labels, "unknown": dim.unknown,
                  "reference": references[dim.name],
                  "cells": calibration_cells(dim.aggregate(hist), bins)[..., cal_order]}
        age = by_name.get("age_band")
        if dim.name not in SWEEP_DIMENSIONS and age is not None and "age_band" in references:
            # an intersection cell rarely has people across the score range; the reference age band does
            ref = references["age_band"]
            family["reference_cells"] = family_cells(age, ref, hist, bins)[..., cal_order]
            family["reference_label"] = age.labels[ref]
        families.append(family)
    rows, tables = calibration_checks(
        families, threshold=check.threshold if check else 0.10, min_cell_size=min_cell,
        min_group_size=policy.min_group_size, alpha=policy.alpha, correction=policy.correction,
        replicates=replicates, rng=rng, bin_labels=[b["label"] for b in cal_bins[cal_order]],
    )
    if check is None:
        rows = []
    else:
        rows = [r for r in rows if r["dimension"] in policy.dimensions]
    calibration: dict[str, Any] = {"bins": cal_bins[cal_order], "min_cell_size": min_cell,
                                   "max_gap": check.threshold if check else None, "dimensions": {}}
    for name in SWEEP_DIMENSIONS:
        if name not in tables:
            continue
        dim, tab = by_name[name], tables[name]
        agg = dim.aggregate(hist)
        n = agg.sum(axis=(1, 2))
        extra: dict[str, np.ndarray] = {}
        if sums is not None:
            s_agg = dim.aggregate(sums)
            with np.errstate(divide="ignore", invalid="ignore"):
                extra["in_the_large"] = agg[:, 1].sum(axis=1) / n - s_agg.sum(axis=1) / n
                cal_sum = np.add.reduceat(s_agg, bins.calibration_starts, axis=-1)[..., cal_order]
                extra["mean_score"] = cal_sum / tab["n"]
            extra["intercept"], extra["slope"] = calibration_slope(agg, s_agg)
        groups = []
        for g, label in enumerate(dim.labels):
            if n[g] == 0:
                continue
            entry = {"group": label, "n": int(n[g]), "unknown": dim.unknown[g],
                     "reference": g == references.get(name), "n_bin": [int(x) for x in tab["n"][g]],
                     "observed": _list(tab["observed"][g]), "ci_low": _list(tab["ci_low"][g]),
                     "ci_high": _list(tab["ci_high"][g])}
            if "mean_score" in extra:
                entry["mean_score"] = _list(extra["mean_score"][g])
                for key in ("in_the_large", "intercept", "slope"):
                    v = float(extra[key][g])
                    entry[key] = v if np.isfinite(v) else None
            groups.append(entry)
        calibration["dimensions"][name] = {"groups": groups}
    section = {"spec": spec.as_dict(), "sweep": sweep, "calibration": calibration, "base_rates": base_rates,
               "impossibility": any(b["differ"] for b in base_rates)}
    return rows, section
