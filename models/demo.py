"""Demo seed: the four baseline models are submitted by the demo vendors and their trials opened.

Runs through the same :func:`models.service.submit_model` path a vendor uses
(card validation, hashing, pickle scan, isolated smoke test, MLflow), then a
reviewer moves each trial to ``in_trial``. Re-running skips what exists.
"""

from __future__ import annotations

from pathlib import Path

from sandbox.errors import ConflictError

__all__ = ["seed_demo"]


def seed_demo(demo_dir: Path) -> None:
    """Register the baseline model of every built scenario under ``demo_dir``."""
    from models.service import submit_model, transition_trial
    from sandbox.demo.people import DEMO_USERS
    from sandbox.demo.scenarios import SCENARIOS, load_scenario
    from sandbox.users import actor_for

    by_vendor = {u["vendor"]: u["username"] for u in DEMO_USERS if u.get("vendor")}
    reviewer = actor_for("reviewer")
    for key in SCENARIOS:
        folder = Path(demo_dir) / key
        if not (folder / "scenario.json").exists():
            continue
        meta = load_scenario(key, demo_dir)
        vendor = actor_for(by_vendor[meta["vendor"]])
        try:
            version = submit_model(actor=vendor, artifact=Path(meta["model"]), card=Path(meta["card"]))
        except ConflictError:
            continue
        transition_trial(actor=reviewer, trial_id=version["trial_id"], to_status="in_trial",
                         note="演示：沙盒试验开始 / demo: trial started")
