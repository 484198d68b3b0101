"""Demo seed: one de-identified release with a DP 街道镇 × 年龄段 table.

For the ``social_assistance`` scenario the steward releases the data under the
default policy (pseudonyms + partial masks → 去标识化) together with a DP
histogram at ε = 1 of the policy's ε = 3, leaving budget for the user to
spend. The 街道/镇 names of the demo county are public, so the steward
takes them from the scenario's declared district list (``scenario.json``),
never from the records. Noise uses a fixed seed here only, so the demo world
is deterministic.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
from sqlalchemy import select

from sandbox.errors import RuleViolation
from sandbox.store import session_scope
from sandbox.store.tables import Trial

__all__ = ["DEMO_DATASET", "DEMO_EPSILON", "seed_demo"]

DEMO_SCENARIO = "social_assistance"
DEMO_DATASET = "social_assistance"
DEMO_EPSILON = 1.0


def _trial_id(service_domain: str | None) -> int | None:
    with session_scope() as session:
        query = select(Trial.id).where(Trial.deleted.is_(False)).order_by(Trial.id)
        if service_domain:
            query = query.where(Trial.service_domain == service_domain)
        return session.scalars(query).first()


def seed_demo(demo_dir: Path) -> None:
    """Create the demo release (skipped when the scenario data or the scanner is missing)."""
    source = demo_dir / DEMO_SCENARIO / "data.csv"
    if not source.exists() or importlib.util.find_spec("privacy.scanning") is None:
        return
    meta_path = demo_dir / DEMO_SCENARIO / "scenario.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    district = meta.get("district", "街道镇")
    age = meta.get("age", "年龄")
    names = [d["name"] for d in meta.get("districts", []) if d.get("name")]
    try:
        _release(meta, source, district, age, names)
    except RuleViolation as exc:  # the re-scan still finds PII: the demo has no release, never a leaky one
        if exc.key != "privacy.err.pii_remains":
            raise


def _release(meta: dict, source: Path, district: str, age: str, names: list[str]) -> None:
    from privacy.release import create_release
    from sandbox.users import actor_for

    create_release(
        actor=actor_for("steward"), source=source, dataset=DEMO_DATASET, policy="default",
        histogram_by=[district, age], epsilon=DEMO_EPSILON,
        keys={district: names} if names else None, keys_from_data=not names,
        trial_id=_trial_id(meta.get("service_domain")), random_state=np.random.RandomState(20240601),
    )
