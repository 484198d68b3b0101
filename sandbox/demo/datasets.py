"""Demo datasets for the four seed scenarios (placeholder until the demo-data work lands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["build_datasets"]


def build_datasets(demo_dir: Path) -> list[dict[str, Any]]:
    demo_dir.mkdir(parents=True, exist_ok=True)
    return []
