"""The fairness audit engine: rows → cell statistics → metrics, intervals, verdicts.

:func:`compute_audit` is pure (no files, no database): it takes prepared arrays
(:class:`AuditData`) and a :class:`~audits.policy.Policy` and returns the audit
as a JSON-ready dict. Recording and permissions live in :mod:`audits.service`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._bootstrap import percentile_interval, resample_counts, wilson_interval
from ._metrics import LABEL_FREE
from ._partial_labels import UNLABELLED
from ._scores import ScoreSpec
from ._stats import (
    CellStats,
    Dimension,
    Task,
    auc_point,
    auc_replicates,
    dimensions,
    metric_table,
    num_den,
    reduce_rows,
)
from ._verdicts import CheckFamily, evaluate, overall_verdict
from .groups import GroupCodes
from .policy import Policy

__all__ = ["AuditData", "compute_audit"]

Progress = Callable[[float, str], None]
BOOTSTRAP_METHOD = "multinomial resampling of per-group counts (stratified by group)"


@dataclass(kw_only=True)
class AuditData:
    """Prepared inputs: integer-coded outcomes and group codes per row."""

    task: Task
    y_true: np.ndarray
    y_pred: np.ndarray
    groups: GroupCodes
    score: np.ndarray | None = None  # oriented: higher = more likely selected (see audits._scores)
    score_spec: ScoreSpec | None = None  # threshold, direction, source (None: a probability, default 0.5)
    classes: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)  # columns, label mapping, files …
    weights: np.ndarray | None = None  # rows each row stands for (Spark engine: identical rows grouped)

    @property
    def n_rows(self) -> int:
        return len(self.y_true) if self.weights is None else int(np.sum(self.weights))


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _reference(dim: Dimension, n: np.ndarray, wanted: str) -> int:
    if wanted and wanted != "largest" and wanted in dim.labels:
        return dim.labels.index(wanted)
    candidates = np.where(np.array(dim.unknown), -1, n)
    return int(np.argmax(candidates))


def _dimension_metrics(
    stats: CellStats, dim: Dimension, *, replicates: int, rng: np.random.Generator, alpha: float
) -> dict[str, Any]:
    agg = dim.aggregate(stats.counts)
    g = len(dim.labels)
    point = metric_table(stats, agg)
    if stats.task == "regression":
        n, s1, s2 = agg[:, 0], agg[:, 1], agg[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = s1 / n
            sd = np.sqrt(np.maximum(s2 / n - mean**2, 0.0) / n)
        reps = {"mae": (rng.normal(mean, np.nan_to_num(sd), size=(replicates, g)), np.broadcast_to(n > 0, (replicates, g)))}
        reps["count"] = (np.broadcast_to(n, (replicates, g)), np.broadcast_to(n > 0, (replicates, g)))
    else:
        flat = agg.reshape(g, -1)
        drawn = resample_counts(flat, replicates=replicates, rng=rng).reshape(replicates, *agg.shape)
        reps = metric_table(stats, drawn)
    if stats.score_hist is not None:
        hist = dim.aggregate(stats.score_hist)
        exact, defined = auc_point(stats, dim)
        shift = exact - auc_replicates(hist)
        drawn_hist = resample_counts(hist, replicates=replicates, rng=rng)
        point["auc"] = (exact, defined)
        rep_auc = auc_replicates(drawn_hist) + shift
        reps["auc"] = (rep_auc, np.isfinite(rep_auc))
    intervals = {}
    for name, (values, ok) in reps.items():
        masked = np.where(ok, values, np.nan)
        intervals[name] = percentile_interval(masked, alpha=alpha)
    n = point["count"][0]
    partial = stats.task == "binary" and agg.shape[-1] == 6  # partial labels: [tn, fp, fn, tp, u0, u1]
    n_labelled = agg[..., :4].sum(axis=-1).astype(float) if partial else n
    wilson = {}  # rate metrics: successes, trials and the Wilson interval per group (small groups included)
    for name in point:
        nd = num_den(stats, agg, name)
        if nd is not None:
            wilson[name] = (*nd, *wilson_interval(*nd, alpha=alpha))
    return {"agg": agg, "point": point, "reps": reps, "intervals": intervals, "n": n, "wilson": wilson,
            "n_labelled": n_labelled, "partial": partial}


def compute_audit(
    data: AuditData,
    *,
    policy: Policy,
    domain: str | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run the audit on prepared data.

    Parameters
    ----------
    data : AuditData
        Integer-coded labels/predictions (optionally scores) and groups.
    policy : Policy
        Thresholds, bands, reference groups, correction.
    domain : str, optional
        Service domain (社会救助, 养老, 12345热线, 基层治理, 其他) choosing the checks.
    replicates, seed : int, optional
        Bootstrap size and seed (default: the policy's).
    progress : callable, optional
        ``progress(fraction, stage)`` for a progress bar.

    Returns
    -------
    dict
        Verdict, checks, per-group metrics with intervals, disparities,
        heatmap and the bootstrap/correction methods, ready for JSON.
    """
    report = progress or (lambda _f, _s: None)
    replicates = int(replicates or policy.replicates)
    seed = policy.seed if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    report(0.05, "reduce")
    stats = reduce_rows(groups=data.groups, task=data.task, y_true=data.y_true, y_pred=data.y_pred,
                        score=data.score, n_classes=max(len(data.classes), 2), classes=data.classes,
                        weights=data.weights)
    dims = dimensions(data.groups, policy.dimensions)
    headline, checks = policy.checks_for(domain)
    computed: dict[str, dict[str, Any]] = {}
    for i, dim in enumerate(dims):
        computed[dim.name] = _dimension_metrics(stats, dim, replicates=replicates, rng=rng, alpha=policy.alpha)
        report(0.1 + 0.6 * (i + 1) / len(dims), f"bootstrap:{dim.name}")
    overall_counts = stats.counts.sum(axis=0)[None, ...]
    overall = {name: _finite(v[0]) for name, (v, _ok) in metric_table(stats, overall_counts).items()}
    if stats.score_hist is not None:
        from ._metrics import auc_exact

        keep = data.y_true != UNLABELLED  # AUC needs labels (partial labels: the labelled rows)
        overall["auc"] = _finite(auc_exact(np.zeros(int(keep.sum()), dtype=np.int64), data.y_true[keep],
                                           data.score[keep], 1,  # type: ignore[index]
                                           weights=None if data.weights is None else data.weights[keep])[0][0])
    available = set(computed[dims[0].name]["point"])
    headline = headline if headline in available else ("accuracy" if "accuracy" in available else "mae")
    score_checks = data.score is not None and data.task == "binary"
    if score_checks:
        available.add("calibration_gap")
    skipped = [c.key for c in checks if c.metric not in available]
    references: dict[str, str] = {}
    families: list[CheckFamily] = []
    for dim in dims:
        res = computed[dim.name]
        ref = _reference(dim, res["n"], policy.reference.get(dim.name, "largest"))
        references[dim.name] = dim.labels[ref]
        res["ref"] = ref
        if dim.name not in policy.dimensions:
            continue
        for check in checks:
            if check.metric not in available or check.metric == "calibration_gap":
                continue
            value, defined = res["point"][check.metric]
            reps, reps_ok = res["reps"][check.metric]
            nd = num_den(stats, res["agg"], check.metric)
            overall_nd = num_den(stats, overall_counts, check.metric)
            fraction = float(overall_nd[1][0] / max(data.n_rows, 1)) if overall_nd else 1.0
            n = res["n"] if check.metric in LABEL_FREE else res["n_labelled"]  # a label metric rests on labels
            families.append(CheckFamily(
                check=check, dimension=dim.name, labels=dim.labels, unknown=dim.unknown, n=n,
                value=value, defined=defined, reps=np.where(reps_ok, reps, np.nan), reference=ref,
                num_den=nd, overall_fraction=fraction,
            ))
    report(0.8, "verdicts")
    rows = evaluate(families, policy=policy)
    score_section = None
    if score_checks:
        from ._score_audit import default_spec, score_audit

        report(0.85, "scores")
        spec = data.score_spec or default_spec(data.score, policy=policy)  # type: ignore[arg-type]
        keep = data.y_true != UNLABELLED  # sweep and calibration need labels: the labelled rows
        score_rows, score_section = score_audit(
            score=data.score[keep], spec=spec, cells=data.groups.cells()[keep], y=data.y_true[keep],  # type: ignore[index]
            n_cells=data.groups.n_cells, dims=dims, references={d.name: computed[d.name]["ref"] for d in dims},
            policy=policy, checks=checks, rng=rng, replicates=replicates,
            weights=None if data.weights is None else data.weights[keep])
        rows += score_rows
    _value_intervals(rows, dims, computed)
    report(0.9, "report")
    result = {
        "task": data.task,
        "n_rows": data.n_rows,
        "domain": domain,
        "headline_metric": headline,
        "classes": data.classes,
        "policy": {"name": policy.name, "version": policy.version, "label": policy.label,
                   "min_group_size": policy.min_group_size, "alpha": policy.alpha},
        "bootstrap": {"replicates": replicates, "seed": seed, "method": BOOTSTRAP_METHOD,
                      "interval": f"percentile {100 * (1 - policy.alpha):g}%"},
        "correction": {"method": policy.correction,
                       "family_size": sum(r["p_pass_adjusted"] is not None for r in rows if r["metric"] != "calibration_gap"),
                       "alpha": policy.alpha},
        "overall": overall,
        "references": references,
        "verdict": overall_verdict(rows),
        "summary": {v: sum(r["verdict"] == v for r in rows) for v in ("pass", "fail", "insufficient")},
        "checks": rows,
        "checks_skipped": skipped,
        "groups": _group_rows(dims, computed, min_size=policy.min_group_size),
        "between_groups": _between(dims, computed),
        "heatmap": _heatmap(data.groups, computed.get("intersection"), headline),
        **data.info,
    }
    if score_section is not None:
        result["score"] = score_section
    report(1.0, "done")
    return result


def _value_intervals(rows: list[dict[str, Any]], dims: list[Dimension], computed: dict[str, dict[str, Any]]) -> None:
    """Each check row gets the Wilson interval of the group's own rate (``value_low``/``value_high``)."""
    index = {dim.name: {label: g for g, label in enumerate(dim.labels)} for dim in dims}
    for row in rows:
        found = computed.get(row["dimension"], {}).get("wilson", {}).get(row["metric"])
        g = index.get(row["dimension"], {}).get(row["group"])
        row["value_low"] = _finite(found[2][g]) if found is not None and g is not None else None
        row["value_high"] = _finite(found[3][g]) if found is not None and g is not None else None


def _group_rows(dims: list[Dimension], computed: dict[str, dict[str, Any]], *, min_size: int) -> list[dict[str, Any]]:
    rows = []
    for dim in dims:
        res = computed[dim.name]
        for g, label in enumerate(dim.labels):
            if res["n"][g] == 0:
                continue
            metrics = {}
            for name, (values, ok) in res["point"].items():
                lo, hi = res["intervals"][name]
                metrics[name] = {"value": _finite(values[g]), "defined": bool(ok[g]),
                                 "ci_low": _finite(lo[g]), "ci_high": _finite(hi[g])}
                if name in res["wilson"]:
                    k, den, w_lo, w_hi = (x[g] for x in res["wilson"][name])
                    metrics[name] |= {"successes": int(np.rint(k)), "trials": int(np.rint(den)),
                                      "wilson_low": _finite(w_lo), "wilson_high": _finite(w_hi)}
            rows.append({"dimension": dim.name, "group": label, "n": int(res["n"][g]),
                         "unknown": dim.unknown[g], "reference": g == res["ref"],
                         "below_minimum": bool(res["n"][g] < min_size), "metrics": metrics,
                         **({"n_labelled": int(res["n_labelled"][g])} if res["partial"] else {})})
    return rows


def _between(dims: list[Dimension], computed: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Max − min and min / max over the groups present (fairlearn ``difference``/``ratio``)."""
    out: dict[str, dict[str, Any]] = {}
    for dim in dims:
        res = computed[dim.name]
        present = res["n"] > 0
        out[dim.name] = {}
        for name, (values, _ok) in res["point"].items():
            v = values[present]
            v = v[np.isfinite(v)]
            if len(v) == 0:
                continue
            lo, hi = float(v.min()), float(v.max())
            out[dim.name][name] = {"difference": hi - lo, "ratio": (lo / hi) if hi > 0 else (1.0 if lo == hi else None)}
    return out


def _heatmap(groups: GroupCodes, res: dict[str, Any] | None, metric: str) -> dict[str, Any]:
    rows, cols = groups.age_labels, groups.district_labels
    if res is None:
        return {"metric": metric, "rows": rows, "cols": cols, "values": [], "n": []}
    values, _ok = res["point"][metric]
    n = res["n"]
    shape = (len(rows), len(cols))
    v = np.where(n > 0, values, np.nan).reshape(shape)
    counts = n.reshape(shape)
    keep_rows = [i for i in range(len(rows)) if counts[i].sum() > 0]
    return {
        "metric": metric,
        "rows": [rows[i] for i in keep_rows],
        "cols": cols,
        "values": [[_finite(x) for x in v[i]] for i in keep_rows],
        "n": [[int(x) for x in counts[i]] for i in keep_rows],
    }
