"""Demo seed: audit every registered baseline model of the demo world.

Each scenario's baseline predictions (``predictions.csv``, the registered
model's output on ``data.csv``) are audited under the standard policy and
attributed to the model version, so the workbench, the review and the vendor
see results at once: the planted disparity (ages 75+ in rural 镇) fails with
intervals and the tiny intersections show insufficient evidence.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["seed_demo"]


def seed_demo(demo_dir: Path) -> None:
    """Run and record one audit per built scenario (deterministic seeds)."""
    from sandbox.demo.scenarios import SCENARIOS, load_scenario
    from sandbox.users import actor_for

    from ._inputs import ColumnMap
    from .service import list_audits, run_audit

    reviewer = actor_for("reviewer")
    try:
        from models.service import list_models

        # card model name -> (registered name, newest version)
        versions = {v["model_name"]: (v["name"], str(v["version"])) for v in reversed(list_models(actor=reviewer))}
    except ImportError:
        versions = {}
    for key in SCENARIOS:
        if not (Path(demo_dir) / key / "scenario.json").exists():
            continue
        meta = load_scenario(key, demo_dir)
        registered = versions.get(meta.get("model_name"))
        model = f"{registered[0]}/{registered[1]}" if registered else None
        if registered and list_audits(actor=reviewer, model_name=registered[0], model_version=registered[1]):
            continue
        columns = ColumnMap(label=meta["label"], prediction=meta["prediction"], score=meta.get("score"),
                            age=meta["age"], district=meta["district"], district_code="街道镇代码", id=meta["id"])
        positive = meta.get("positive_label")
        run_audit(actor=reviewer, data=meta["data"], predictions=meta["predictions"], model=model, columns=columns,
                  domain=meta["service_domain"], positive_label=None if positive is None else str(positive))
