"""The demo world: deterministic synthetic data, users, vendors and area seeds.

``build_demo_world()`` is idempotent: it builds once and reports the existing
world afterwards; ``reset=True`` wipes the demo data, the sandbox database and
the MLflow store under the data home and rebuilds everything from fixed seeds.
Each area adds its part through a ``seed_demo(home)`` function named in
:data:`AREA_SEEDS` (registering models, running audits, opening reviews).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any

from sandbox.demo.people import DEMO_PASSWORD, DEMO_USERS, DEMO_VENDORS, seed_people
from sandbox.files import atomic_write_text
from sandbox.settings import get_settings

__all__ = ["AREA_SEEDS", "DEMO_PASSWORD", "DEMO_USERS", "DEMO_VENDORS", "build_demo_world", "demo_ready"]

# Run in this order after the datasets, users and vendors exist.
AREA_SEEDS: tuple[str, ...] = (
    "models.demo",
    "audits.demo",
    "privacy.demo",
    "sandbox.review.demo",
)

_MARKER = "world.json"


def demo_ready() -> bool:
    return (get_settings().demo_dir / _MARKER).exists()


def _wipe(home: Path) -> None:
    from sandbox.store import reset_engines

    reset_engines()
    settings = get_settings()
    targets = [settings.demo_dir, home / "mlflow.db", home / "mlartifacts", home / "work"]
    if settings.db_url == f"sqlite:///{home / 'sandbox.db'}":
        targets += [home / "sandbox.db", home / "sandbox.db-wal", home / "sandbox.db-shm"]
    for target in targets:
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def build_demo_world(*, reset: bool = False) -> dict[str, Any]:
    """Build (or report) the demo world under the data home."""
    settings = get_settings()
    home = settings.ensure_home()
    marker = settings.demo_dir / _MARKER
    if marker.exists() and not reset:
        return {"built": False, "home": str(home), **json.loads(marker.read_text(encoding="utf-8"))}
    if reset:
        _wipe(home)
        settings.ensure_home()

    from sandbox.demo.datasets import build_datasets

    datasets = build_datasets(settings.demo_dir)
    seed_people()
    areas: list[str] = []
    for module_name in AREA_SEEDS:
        try:
            if importlib.util.find_spec(module_name) is None:
                continue
        except ModuleNotFoundError:
            continue
        module = importlib.import_module(module_name)
        module.seed_demo(settings.demo_dir)
        areas.append(module_name)
    summary = {
        "datasets": datasets,
        "users": [u["username"] for u in DEMO_USERS],
        "vendors": [v["name"] for v in DEMO_VENDORS],
        "areas": areas,
    }
    atomic_write_text(marker, json.dumps(summary, ensure_ascii=False, indent=2))
    return {"built": True, "home": str(home), **summary}
