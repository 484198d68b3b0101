"""Mitigation what-if: what fairlearn's ThresholdOptimizer would change (advice only).

Group-specific thresholds on the model's score (oriented so that higher means
selected; or its 0/1 predictions) are fitted for demographic parity and for equalized odds across age bands; the
report shows how selection rate, TPR, FPR and overall accuracy would move.
Nothing is applied to the model — this is advice for the vendor.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from .engine import AuditData

__all__ = ["CONSTRAINTS", "threshold_what_if"]

CONSTRAINTS: tuple[Literal["demographic_parity", "equalized_odds"], ...] = ("demographic_parity", "equalized_odds")
MAX_ROWS = 200_000


def _passthrough():  # type: ignore[no-untyped-def]
    """A fitted 'estimator' whose prediction is the score column it is given."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class ScorePassthrough(ClassifierMixin, BaseEstimator):
        def fit(self, X: Any, y: Any) -> ScorePassthrough:  # noqa: N803 - sklearn naming
            self.fitted_ = True
            return self

        def predict(self, X: Any) -> np.ndarray:  # noqa: N803
            return np.asarray(X, dtype=float)[:, 0]

        def __sklearn_is_fitted__(self) -> bool:
            return True

    return ScorePassthrough()


def _rates(y: np.ndarray, p: np.ndarray, groups: np.ndarray, labels: list[str]) -> dict[str, dict[str, float | None]]:
    out = {}
    for k, label in enumerate(labels):
        m = groups == k
        if not m.any():
            continue
        pos, neg = (y[m] == 1), (y[m] == 0)
        out[label] = {
            "n": int(m.sum()),
            "selection_rate": float(p[m].mean()),
            "true_positive_rate": float(p[m][pos].mean()) if pos.any() else None,
            "false_positive_rate": float(p[m][neg].mean()) if neg.any() else None,
        }
    return out


def threshold_what_if(data: AuditData, *, seed: int = 0) -> dict[str, Any]:
    """Before/after metrics per age band for each ThresholdOptimizer constraint.

    Uses at most ``MAX_ROWS`` rows (a seeded sample) so the page stays quick.
    """
    from fairlearn.postprocessing import ThresholdOptimizer

    rng = np.random.default_rng(seed)
    pool = np.flatnonzero(data.y_true != 2) if data.task == "binary" else np.arange(len(data.y_true))
    n = len(pool)  # partial labels: the constraints need labels, so the labelled rows only
    idx = pool[np.sort(rng.choice(n, MAX_ROWS, replace=False))] if n > MAX_ROWS else pool
    y = data.y_true[idx]
    score = (data.score if data.score is not None else data.y_pred).astype(float)[idx]
    groups = data.groups.age[idx]
    labels = data.groups.age_labels
    sensitive = np.array(labels, dtype=object)[groups]
    before = data.y_pred[idx]  # the audited decisions: the explicit threshold when they come from the score
    spec = data.score_spec
    out: dict[str, Any] = {
        "advice_only": True, "rows_used": len(idx), "sensitive_feature": "age_band",
        "before": {"accuracy": float((before == y).mean()), "groups": _rates(y, before, groups, labels),
                   "threshold": None if spec is None else {
                       "value": spec.threshold_label, "direction": spec.direction, "source": spec.source,
                       "decisions": spec.decisions}},
        "after": {},
    }
    X = score.reshape(-1, 1)  # noqa: N806
    for constraint in CONSTRAINTS:
        try:
            opt = ThresholdOptimizer(estimator=_passthrough(), constraints=constraint,
                                     objective="accuracy_score", prefit=True, predict_method="predict")
            opt.fit(X, y, sensitive_features=sensitive)
            after = np.asarray(opt.predict(X, sensitive_features=sensitive, random_state=seed)).astype(int)
        except ValueError as exc:  # e.g. a group with one class only
            out["after"][constraint] = {"error": str(exc)}
            continue
        out["after"][constraint] = {"accuracy": float((after == y).mean()),
                                    "groups": _rates(y, after, groups, labels)}
    return out
