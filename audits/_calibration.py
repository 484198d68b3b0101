"""Threshold sweeps and calibration within groups, as pure functions of score histograms.

Inputs are per-group histograms ``hist[..., group, y, bin]`` (from
:func:`audits._scores.score_histogram`, summed over cells into groups). Every
sweep point is a tail sum of the histogram (one reverse cumulative sum gives
all thresholds at once); every calibration cell is a sum of adjacent bins.
Intervals come from a count bootstrap like the rest of the audit (counts are
resampled, never rows): the rows of each (group, score bin) cell are resampled
with the cell's size fixed (:func:`bin_rate_replicates`) — the bootstrap of an
outcome rate at a given score; its variance p̂(1 − p̂)/n is used in closed form.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._bootstrap import adjust_pvalues, normal_cdf, normal_quantile
from ._scores import ScoreBins

__all__ = [
    "SWEEP_METRICS",
    "bin_rate_replicates",
    "calibration_cells",
    "calibration_checks",
    "calibration_slope",
    "nan_percentile_interval",
    "pass_ranges",
    "sweep_counts",
    "sweep_metrics",
]

SWEEP_METRICS = ("selection_rate", "true_positive_rate", "false_positive_rate", "precision")
MAX_NEEDED = 10**8  # beyond this "n needed" means: not reachable by enlarging this group alone
_ALL = (*SWEEP_METRICS, "false_negative_rate", "true_negative_rate", "accuracy")


def sweep_counts(hist: np.ndarray) -> np.ndarray:
    """Confusion counts ``[tn, fp, fn, tp]`` at every edge: ``(..., G, edges, 4)``.

    ``hist`` is ``(..., G, 2, bins)`` with ``bins = edges + 1``; at edge ``j``
    the selected rows are bins ``j + 1 …`` (oriented score ≥ edge).
    """
    tail = np.cumsum(hist[..., ::-1], axis=-1)[..., ::-1]  # tail[..., i] = sum of bins ≥ i
    fp, tp = tail[..., 0, 1:], tail[..., 1, 1:]
    neg, pos = hist[..., 0, :].sum(axis=-1, keepdims=True), hist[..., 1, :].sum(axis=-1, keepdims=True)
    return np.stack([neg - fp, fp, pos - tp, tp], axis=-1)


def sweep_metrics(counts: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``(value, defined)`` of each sweep metric from :func:`sweep_counts`."""
    from ._metrics import binary_metric

    return {name: binary_metric(name, counts) for name in _ALL}


def _complies(kind: str, threshold: float, value: np.ndarray, ref: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "ratio":
            return np.where(ref > 0, value / np.where(ref > 0, ref, 1.0) >= threshold - 1e-12, value >= 0)
        if kind == "ratio_max":
            return np.where(ref > 0, value / np.where(ref > 0, ref, 1.0) <= threshold + 1e-12, value <= 0)
        return np.abs(value - ref) <= threshold + 1e-12


def pass_ranges(
    metrics: dict[str, tuple[np.ndarray, np.ndarray]], *, n: np.ndarray, unknown: list[bool], reference: int,
    checks: list[dict[str, Any]], min_group_size: int,
) -> list[dict[str, Any]]:
    """For each check: at which sweep thresholds every sizeable group complies (point estimates).

    Parameters
    ----------
    metrics : dict
        :func:`sweep_metrics` of one dimension, arrays ``(G, E)``.
    checks : list of dict
        ``{"key", "metric", "kind", "threshold"}`` (kind: ratio | ratio_max | difference).

    Returns
    -------
    list of dict
        ``check``, ``metric``, ``kind``, ``threshold``, ``passes`` (one flag per edge).
    """
    keep = (n >= min_group_size) & ~np.asarray(unknown, dtype=bool)
    out = []
    for check in checks:
        if check["metric"] not in metrics:
            continue
        value, defined = metrics[check["metric"]]
        ok = _complies(check["kind"], check["threshold"], value, value[[reference]])
        ok = ok | ~defined | ~defined[[reference]] | ~keep[:, None]
        out.append({"check": check["key"], "metric": check["metric"], "kind": check["kind"],
                    "threshold": check["threshold"], "passes": ok.all(axis=0)})
    return out


def calibration_cells(hist: np.ndarray, bins: ScoreBins) -> np.ndarray:
    """Fine histogram ``(..., 2, bins)`` → calibration cells ``(..., 2, C)``."""
    return np.add.reduceat(hist, bins.calibration_starts, axis=-1)


def calibration_slope(hist: np.ndarray, sums: np.ndarray, *, iterations: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Calibration intercept and slope per group: logistic fit of the outcome on logit(score).

    Fitted on the fine bins (outcome counts against the logit of each bin's
    mean score), which approximates the row-level fit; NaN where it cannot be fitted.

    Parameters
    ----------
    hist : ndarray (G, 2, bins)
    sums : ndarray (G, bins)
        Sum of the (probability) score per group and bin.
    """
    g_count = hist.shape[0]
    intercept, slope = np.full(g_count, np.nan), np.full(g_count, np.nan)
    for g in range(g_count):
        neg, pos = hist[g, 0].astype(float), hist[g, 1].astype(float)
        n = neg + pos
        use = n > 0
        if pos[use].sum() == 0 or neg[use].sum() == 0 or use.sum() < 2:
            continue
        p = np.clip(sums[g, use] / n[use], 1e-6, 1 - 1e-6)
        x = np.log(p / (1 - p))
        if np.ptp(x) == 0:
            continue
        design = np.stack([np.ones_like(x), x], axis=1)
        beta = np.array([0.0, 1.0])
        for _ in range(iterations):
            eta = np.clip(design @ beta, -30, 30)
            mu = 1 / (1 + np.exp(-eta))
            w = n[use] * mu * (1 - mu)
            grad = design.T @ (pos[use] - n[use] * mu)
            info = design.T @ (design * w[:, None])
            try:
                step = np.linalg.solve(info, grad)
            except np.linalg.LinAlgError:
                break
            beta = beta + step
            if np.abs(step).max() < 1e-10:
                break
        intercept[g], slope[g] = beta
    return intercept, slope


def bin_rate_replicates(cells: np.ndarray, *, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates ``(replicates, G, C)`` of the outcome rate in each score bin.

    The rows of each (group, bin) cell are resampled with the cell's size fixed —
    ``Binomial(n, observed rate)`` — which is the count bootstrap of a rate at a
    given score; NaN where the cell is empty. ``cells`` is ``(G, 2, C)``.
    """
    n = cells.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, cells[:, 1] / np.where(n > 0, n, 1), 0.0)
        # every replicate of one cell in a row: numpy keeps the binomial set-up of one (n, p) between draws
        # (drawn replicate-major it was recomputed for every draw: 1.7× the time, 40 % of the score audit)
        drawn = np.moveaxis(rng.binomial(n[..., None], p[..., None], size=(*n.shape, replicates)), -1, 0)
        return np.ascontiguousarray(np.where(n > 0, drawn / np.where(n > 0, n, 1), np.nan))


def nan_percentile_interval(values: np.ndarray, *, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0 ignoring NaN (``numpy.nanquantile``, linear), vectorised."""
    ordered = np.sort(values, axis=0)  # NaN last
    k = np.isfinite(values).sum(axis=0)
    bounds = []
    for q in (alpha / 2, 1 - alpha / 2):
        pos = np.maximum(k - 1, 0) * q
        lo_i = np.floor(pos).astype(np.int64)
        hi_i = np.minimum(lo_i + 1, np.maximum(k - 1, 0))
        a = np.take_along_axis(ordered, lo_i[None, ...], axis=0)[0]
        b = np.take_along_axis(ordered, hi_i[None, ...], axis=0)[0]
        bounds.append(np.where(k > 0, a + (b - a) * (pos - lo_i), np.nan))
    return bounds[0], bounds[1]


def _phi_arr(x: np.ndarray, se: np.ndarray) -> np.ndarray:
    """Φ(x / se); a step at 0 where the SE is 0 or undefined (as :mod:`audits._verdicts` does)."""
    ok = np.isfinite(se) & (se > 0) & np.isfinite(x)
    step = np.where(x < 0, 0.0, np.where(x > 0, 1.0, 0.5))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ok, x / np.where(ok, se, 1.0), 0.0)
    return np.where(ok, normal_cdf(z), step)


def calibration_checks(
    families: list[dict[str, Any]], *, threshold: float, min_cell_size: int, min_group_size: int, alpha: float,
    correction: str, replicates: int, rng: np.random.Generator, bin_labels: list[str],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, np.ndarray]]]:
    """Do groups agree at equal scores? One verdict per group against the reference.

    For every calibration bin where both the group and the reference have at
    least ``min_cell_size`` people, ``d = observed rate(group) − observed
    rate(reference)``. Pass: every such ``|d| ≤ threshold`` (each interval inside);
    fail: some bin's interval clear of ``±threshold`` (Bonferroni over the bins
    compared, then ``correction`` over all calibration rows); else insufficient
    with the n needed.

    Parameters
    ----------
    families : list of dict
        Per dimension: ``dimension``, ``labels``, ``unknown``, ``reference``
        (index), ``cells`` (``(G, 2, C)`` calibration counts); optionally
        ``reference_cells`` (``(2, C)``) and ``reference_label``: compare with
        that group instead (intersections: the reference age band, which has
        people across the whole score range).

    Returns
    -------
    rows, per_dimension
        Check rows (same fields as the other checks) and, per dimension, the
        observed rates with interval bounds (``observed``, ``ci_low``, ``ci_high``, ``n``).
    """
    rows: list[dict[str, Any]] = []
    tables: dict[str, dict[str, np.ndarray]] = {}
    pending = []
    for fam in families:
        cells = np.asarray(fam["cells"], dtype=np.int64)
        n_bin = cells.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = np.where(n_bin > 0, cells[:, 1] / np.where(n_bin > 0, n_bin, 1), np.nan)
        reps = bin_rate_replicates(cells, replicates=replicates, rng=rng)
        lo, hi = nan_percentile_interval(reps, alpha=alpha)
        tables[fam["dimension"]] = {"observed": observed, "ci_low": lo, "ci_high": hi, "n": n_bin}
        n_group = n_bin.sum(axis=1)
        external = fam.get("reference_cells")
        if external is None:  # the dimension's own reference group
            r = fam["reference"]
            ref_label, ref_obs, ref_reps, ref_n = fam["labels"][r], observed[r], reps[:, r], n_bin[r]
        else:  # a group of another dimension (e.g. the reference age band for intersections)
            r = None
            ext = np.asarray(external, dtype=np.int64)
            ref_n = ext.sum(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                ref_obs = np.where(ref_n > 0, ext[1] / np.where(ref_n > 0, ref_n, 1), np.nan)
            ref_reps = bin_rate_replicates(ext[None], replicates=replicates, rng=rng)[:, 0]
            ref_label = fam["reference_label"]
        # every group × bin at once: differences to the reference, their bootstrap SE and intervals
        d_all = observed - ref_obs[None, :]
        d_reps_all = reps - ref_reps[:, None, :]
        # the variance of a Binomial(n, p̂) / n replicate is known: p̂(1 − p̂)/n (no Monte Carlo noise)
        with np.errstate(divide="ignore", invalid="ignore"):
            var_g_all = np.where(n_bin > 0, observed * (1 - observed) / np.where(n_bin > 0, n_bin, 1), np.nan)
            var_r_all = np.where(ref_n > 0, ref_obs * (1 - ref_obs) / np.where(ref_n > 0, ref_n, 1), np.nan)
        se_all = np.sqrt(var_g_all + var_r_all[None, :])
        d_lo_all, d_hi_all = nan_percentile_interval(d_reps_all, alpha=alpha)
        p_pass_all = np.maximum(_phi_arr(d_all - threshold, se_all), _phi_arr(-threshold - d_all, se_all))
        p_fail_all = np.minimum(_phi_arr(threshold - d_all, se_all), _phi_arr(d_all + threshold, se_all))
        for g, label in enumerate(fam["labels"]):
            if g == r or n_group[g] == 0:
                continue
            eligible = (n_bin[g] >= min_cell_size) & (ref_n >= min_cell_size)
            row: dict[str, Any] = {
                "check": "calibration_gap_difference", "metric": "calibration_gap", "kind": "difference",
                "threshold": threshold, "dimension": fam["dimension"], "group": label, "unknown": fam["unknown"][g],
                "reference": ref_label, "n": int(n_group[g]), "n_reference": int(ref_n.sum()),
                "value": None, "reference_value": None, "disparity": None, "ci_low": None, "ci_high": None,
                "p_pass": 1.0, "p_fail": 1.0, "reason": None, "bins_compared": int(eligible.sum()), "bin": None,
            }
            rows.append(row)
            if n_group[g] < min_group_size or ref_n.sum() < min_group_size or not eligible.any():
                row["reason"] = "small_group"
                ref_ok = ref_n >= min_cell_size
                share = n_bin[g][ref_ok] / max(n_group[g], 1)
                if not share.size or share.max() == 0:  # this group has no one there yet: the bins' overall share
                    share = n_bin[:, ref_ok].sum(axis=0) / max(n_bin.sum(), 1)
                best = float(share.max()) if share.size else 0.0
                row["n_needed"] = max(min_group_size, math.ceil(min_cell_size / best) if best > 0 else 0)
                continue
            d, d_lo, d_hi = d_all[g], d_lo_all[g], d_hi_all[g]
            idx = np.flatnonzero(eligible)
            p_fail_b = p_fail_all[g, idx]
            worst = int(idx[int(np.argmin(p_fail_b))])
            row.update(
                value=float(np.abs(d[idx]).max()), reference_value=None, disparity=float(d[worst]),
                ci_low=float(d_lo[worst]) if math.isfinite(d_lo[worst]) else None,
                ci_high=float(d_hi[worst]) if math.isfinite(d_hi[worst]) else None,
                p_pass=float(p_pass_all[g, idx].max()), p_fail=float(min(1.0, p_fail_b.min() * len(idx))),
                bin=bin_labels[worst],
            )
            var_g, var_r = var_g_all[g, worst], var_r_all[worst]
            pending.append((row, float(var_g), float(var_r), d_lo[idx], d_hi[idx], float(d[worst])))
    testable = [row for row in rows if row["reason"] is None]
    if testable:
        adj_pass = adjust_pvalues(np.array([row["p_pass"] for row in testable]), method=correction)  # type: ignore[arg-type]
        adj_fail = adjust_pvalues(np.array([row["p_fail"] for row in testable]), method=correction)  # type: ignore[arg-type]
        for row, a_pass, a_fail in zip(testable, adj_pass, adj_fail, strict=True):
            row["p_pass_adjusted"], row["p_fail_adjusted"] = float(a_pass), float(a_fail)
    z = normal_quantile(1 - alpha / (2 * max(len(testable), 1)))
    for row, var_g, var_r, los, his, d_worst in pending:
        t = threshold
        lo, hi = row["ci_low"], row["ci_high"]
        clear_fail = lo is not None and hi is not None and (lo > t or hi < -t)
        inside = bool(np.all((los >= -t) & (his <= t)))
        verdict = "insufficient"
        if row["p_fail_adjusted"] <= alpha / 2 and clear_fail:
            verdict = "fail"
        elif row["p_pass_adjusted"] <= alpha / 2 and inside:
            verdict = "pass"
        else:
            row["reason"] = "correction" if (clear_fail or inside) else "straddles"
        row["verdict"] = verdict
        row["n_needed"] = None
        if verdict == "insufficient":  # group size at which the worst bin's interval would clear ±t
            target = (abs(abs(d_worst) - t) / z) ** 2 - var_r
            if target > 0 and math.isfinite(var_g) and var_g > 0:
                needed = math.ceil(row["n"] * var_g / target)
                row["n_needed"] = max(min_group_size, needed) if needed <= MAX_NEEDED else None
    for row in rows:
        row.setdefault("p_pass_adjusted", None)
        row.setdefault("p_fail_adjusted", None)
        row.setdefault("verdict", "insufficient")
        row.setdefault("n_needed", None)
    return rows, tables
