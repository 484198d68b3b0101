"""Privacy evidence for the ethics review (contract in DEVELOPING.md).

``privacy_evidence(trial_id=…, dataset=…)`` → ``{"scans", "releases", "budget"}``:
scans (entity types found, sensitive flags), releases (label 去标识化/匿名化,
k reached, ε spent, manifest sha256) and the budget of each dataset involved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from privacy._tables import PrivacyBudget, PrivacySpend
from privacy.ledger import spent_within
from privacy.release import _releases
from sandbox.store import session_scope

__all__ = ["privacy_evidence"]

# Entity types that are sensitive personal information (PIPL art. 28) or
# identify a person directly.
SENSITIVE_TYPES = frozenset({"CN_RESIDENT_ID", "BANK_CARD", "PASSPORT", "CN_HMT_PERMIT"})


def _budgets(datasets: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not datasets:
        return out
    with session_scope() as session:
        for budget in session.scalars(select(PrivacyBudget).where(PrivacyBudget.dataset.in_(sorted(datasets)))):
            spends = list(session.scalars(select(PrivacySpend).where(PrivacySpend.budget_id == budget.id)))
            spent_e, spent_d = spent_within([(s.epsilon, s.delta, s.scope or {}) for s in spends])
            out[budget.dataset] = {
                "policy": budget.policy, "epsilon_total": budget.epsilon_total, "epsilon_spent": spent_e,
                "epsilon_remaining": max(0.0, budget.epsilon_total - spent_e),
                "delta_total": budget.delta_total, "delta_spent": spent_d, "spends": len(spends),
            }
    return out


def privacy_evidence(*, trial_id: int | None = None, dataset: str | None = None) -> dict[str, Any]:
    """What the privacy area can show a review.

    Returns ``{}`` when there is nothing at all for this trial/dataset (no
    release, no budget), so a review shows "尚未提供 / not yet provided".
    Release entries carry ``k``/``epsilon`` aliases and ``risk_passed``
    (the policy's anonymisation test, the only way to the label 匿名化).
    """
    if trial_id is None and dataset is None:
        releases: list[dict[str, Any]] = []
    else:
        releases = _releases(dataset=dataset, trial_id=trial_id)
    scans = []
    for r in releases:
        source = (r["scan"] or {}).get("source", {})
        types = dict(source.get("entity_types", {}))
        scans.append({"release_id": r["id"], "dataset": r["dataset"], "entity_types": types,
                      "pii_columns": source.get("pii_columns", []), "rows_scanned": source.get("rows_scanned"),
                      "sensitive": sorted(SENSITIVE_TYPES & set(types)),
                      "has_sensitive": bool(SENSITIVE_TYPES & set(types)),
                      "release_rescan_clean": not (r["scan"] or {}).get("release", {}).get("has_pii", False)})
    datasets = {r["dataset"] for r in releases} | ({dataset} if dataset else set())
    budget = _budgets(datasets)
    if not releases and not budget:
        return {}
    return {
        "scans": scans,
        "releases": [{"id": r["id"], "dataset": r["dataset"], "label": r["label"],
                      "label_en": "anonymised" if r["label"] == "匿名化" else "de-identified",
                      "risk_passed": r["label"] == "匿名化",
                      "k_reached": r["k_reached"], "k": r["k_reached"],
                      "epsilon_spent": r["epsilon_spent"], "epsilon": r["epsilon_spent"],
                      "manifest_sha256": r["manifest_sha256"], "policy": r["policy"],
                      "approver": r["approver"], "created_at": r["created_at"], "path": r["path"]}
                     for r in releases],
        "budget": budget,
    }
