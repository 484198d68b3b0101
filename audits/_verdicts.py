"""Checks against the reference group: intervals, corrected p-values, verdicts, n needed.

For each group ``g`` and check the disparity to the reference ``r`` is
``m_g / m_r`` (ratio, four-fifths rule ``≥ min``) or ``m_g − m_r`` (difference,
``|·| ≤ max``). The interval is the bootstrap percentile interval of the
disparity. The test works on the linear contrast ``m_g − min·m_r`` (ratio) or
the distance of the difference to ``±max``, with the bootstrap standard error;
p-values of all comparisons of an audit are adjusted together (Holm or
Benjamini–Hochberg). A verdict is

* 不通过 fail — adjusted p for "violates" ≤ α/2 and the interval clear of the threshold;
* 通过 pass — adjusted p for "complies" ≤ α/2 and the interval inside the allowed region;
* 证据不足 insufficient — otherwise (group below the policy's minimum size,
  metric undefined, interval straddling the threshold), with the sample size
  that would be needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._bootstrap import adjust_pvalues, nan_var, normal_cdf, normal_quantile, percentile_interval
from .policy import Check, Policy

__all__ = ["CheckFamily", "evaluate"]

PASS, FAIL, INSUFFICIENT = "pass", "fail", "insufficient"


@dataclass(kw_only=True)
class CheckFamily:
    """One check on one dimension: point values, replicates and sizes per group."""

    check: Check
    dimension: str
    labels: list[str]
    unknown: list[bool]
    n: np.ndarray
    value: np.ndarray
    defined: np.ndarray
    reps: np.ndarray  # (B, G)
    reference: int
    num_den: tuple[np.ndarray, np.ndarray] | None
    overall_fraction: float  # denominator share overall (positives for TPR …)


def _p_values(check: Check, est: float, se: float) -> tuple[float, float]:
    """One-sided p for "complies" and for "violates" (normal, bootstrap SE)."""
    t = check.threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        def phi(x: float) -> float:
            if se == 0 or not math.isfinite(se):
                return 0.0 if x < 0 else 1.0 if x > 0 else 0.5
            return float(normal_cdf(np.array([x / se]))[0])

        if check.kind == "ratio":  # est is the contrast (m_g − t·m_r, or t·m_r − m_g); complies when ≥ 0
            return phi(-est), phi(est)
        return max(phi(est - t), phi(-t - est)), min(phi(t - est), phi(est + t))


def _needed(fam: CheckFamily, g: int, est: float, se_ref_sq: float, z: float, min_size: int) -> int | None:
    """Group size at which the interval would clear the threshold (None: no size would)."""
    t = fam.check.threshold
    if fam.check.kind == "ratio":
        effect = abs(est)
    else:
        effect = min(t - est, est + t) if -t <= est <= t else max(est - t, -t - est)
    target = (effect / z) ** 2 - se_ref_sq
    if not math.isfinite(target) or effect <= 0 or target <= 0:
        return None
    if fam.num_den is not None:
        num, den = fam.num_den
        p = (num[g] + 0.5) / (den[g] + 1.0)
        fraction = den[g] / fam.n[g] if fam.n[g] > 0 and den[g] > 0 else fam.overall_fraction
        if fraction <= 0:
            return None
        return max(min_size, math.ceil(p * (1 - p) / target / fraction))
    var_g = float(nan_var(fam.reps[:, [g]])[0]) * max(float(fam.n[g]), 1.0)
    return max(min_size, math.ceil(var_g / target)) if var_g > 0 else min_size


def _ref_var(fam: CheckFamily) -> float:
    r = fam.reference
    if fam.num_den is not None:
        num, den = fam.num_den
        p = (num[r] + 0.5) / (den[r] + 1.0)
        var = p * (1 - p) / max(den[r], 1.0)
    else:
        var = float(nan_var(fam.reps[:, [r]])[0])
    return var * (fam.check.threshold ** 2 if fam.check.kind == "ratio" else 1.0)


def evaluate(families: list[CheckFamily], *, policy: Policy) -> list[dict[str, Any]]:
    """Verdict rows for every non-reference group of every family."""
    alpha = policy.alpha
    rows: list[dict[str, Any]] = []
    for fam in families:
        r = fam.reference
        t = fam.check.threshold
        ratio = fam.check.kind == "ratio"
        sign = -1.0 if fam.check.form == "ratio_max" else 1.0  # ratio ≤ max: contrast t·m_r − m_g
        with np.errstate(divide="ignore", invalid="ignore"):
            disp = fam.value / fam.value[r] if ratio else fam.value - fam.value[r]
            reps_disp = fam.reps / fam.reps[:, [r]] if ratio else fam.reps - fam.reps[:, [r]]
            contrast = sign * (fam.reps - t * fam.reps[:, [r]]) if ratio else reps_disp
        lo, hi = percentile_interval(reps_disp, alpha=alpha)
        se = np.sqrt(nan_var(contrast))
        for g, label in enumerate(fam.labels):
            if g == r or fam.n[g] == 0:
                continue
            est = float(sign * (fam.value[g] - t * fam.value[r])) if ratio else float(disp[g])
            reason = None
            if fam.n[g] < policy.min_group_size or fam.n[r] < policy.min_group_size:
                reason = "small_group"
            elif not (fam.defined[g] and fam.defined[r]):
                reason = "undefined"
            p_pass, p_fail = _p_values(fam.check, est, float(se[g])) if reason is None else (1.0, 1.0)
            rows.append({
                "check": fam.check.key, "metric": fam.check.metric, "kind": fam.check.form,
                "threshold": t, "dimension": fam.dimension, "group": label, "unknown": fam.unknown[g],
                "reference": fam.labels[r], "n": int(fam.n[g]), "n_reference": int(fam.n[r]),
                "value": float(fam.value[g]), "reference_value": float(fam.value[r]),
                "disparity": float(disp[g]) if math.isfinite(disp[g]) else None,
                "ci_low": float(lo[g]) if math.isfinite(lo[g]) else None,
                "ci_high": float(hi[g]) if math.isfinite(hi[g]) else None,
                "p_pass": p_pass, "p_fail": p_fail, "reason": reason,
                "_fam": fam, "_g": g, "_est": est,
            })
    testable = [row for row in rows if row["reason"] is None]
    adj_pass = adjust_pvalues(np.array([row["p_pass"] for row in testable]), method=policy.correction)
    adj_fail = adjust_pvalues(np.array([row["p_fail"] for row in testable]), method=policy.correction)
    for row, a_pass, a_fail in zip(testable, adj_pass, adj_fail, strict=True):
        row["p_pass_adjusted"], row["p_fail_adjusted"] = float(a_pass), float(a_fail)
    z = normal_quantile(1 - alpha / (2 * max(len(testable), 1)))
    for row in rows:
        fam: CheckFamily = row.pop("_fam")
        g, est = row.pop("_g"), row.pop("_est")
        t, lo, hi = row["threshold"], row["ci_low"], row["ci_high"]
        verdict = INSUFFICIENT
        if row["reason"] is None and lo is not None and hi is not None:
            if row["kind"] == "ratio":
                clear_fail, inside = hi < t, lo >= t
            elif row["kind"] == "ratio_max":
                clear_fail, inside = lo > t, hi <= t
            else:
                clear_fail, inside = lo > t or hi < -t, -t <= lo and hi <= t
            if row["p_fail_adjusted"] <= alpha / 2 and clear_fail:
                verdict = FAIL
            elif row["p_pass_adjusted"] <= alpha / 2 and inside:
                verdict = PASS
            elif clear_fail or inside:
                row["reason"] = "correction"  # clear at 95 % but not after the multiple-comparison correction
            else:
                row["reason"] = "straddles"
        row.setdefault("p_pass_adjusted", None)
        row.setdefault("p_fail_adjusted", None)
        row["verdict"] = verdict
        row["n_needed"] = None
        if verdict == INSUFFICIENT:
            needed = _needed(fam, g, est, _ref_var(fam), z, policy.min_group_size)
            if row["reason"] == "small_group" and needed is None:
                needed = policy.min_group_size
            row["n_needed"] = needed
    return rows


def overall_verdict(rows: list[dict[str, Any]]) -> str:
    """fail if any check fails; insufficient if none fails but some lack evidence; else pass."""
    verdicts = {row["verdict"] for row in rows}
    if FAIL in verdicts:
        return FAIL
    if INSUFFICIENT in verdicts or not rows:
        return INSUFFICIENT
    return PASS
