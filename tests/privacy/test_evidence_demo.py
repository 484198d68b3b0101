"""privacy_evidence contract when nothing exists yet; the demo seed within budget."""

from __future__ import annotations

from pathlib import Path

from privacy.evidence import privacy_evidence


def test_evidence_empty(home: Path) -> None:
    assert privacy_evidence() == {}  # nothing to show: the review says "not yet provided"
    assert privacy_evidence(trial_id=1, dataset="none") == {}


def test_evidence_budget_only(home: Path) -> None:
    from privacy.ledger import reserve
    from tests.privacy.release_helpers import STEWARD

    reserve(actor=STEWARD, dataset="ds", epsilon=0.5, query="histogram")
    evidence = privacy_evidence(dataset="ds")
    assert evidence["releases"] == [] and evidence["budget"]["ds"]["epsilon_spent"] == 0.5


def test_demo_release_leaves_budget(demo_home: Path) -> None:
    evidence = privacy_evidence(dataset="social_assistance")
    if not (demo_home / "demo" / "social_assistance" / "data.csv").exists() or not evidence:
        return  # demo data or scanner not present in this build
    release = evidence["releases"][0]
    assert release["label"] == "去标识化" and release["epsilon_spent"] == 1.0
    budget = evidence["budget"]["social_assistance"]
    assert 0 < budget["epsilon_remaining"] < budget["epsilon_total"]
