"""Demo world datasets: how long building the four scenarios (data + baseline models) takes."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import Figure


def run() -> list[Figure]:
    """Build the four scenario folders once in a temporary directory and time each."""
    from sandbox.demo.datasets import build_scenario
    from sandbox.demo.scenarios import SCENARIOS

    figures: list[Figure] = []
    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        build_scenario("pension", Path(tmp) / "warm")  # imports (mlflow, sklearn) outside the timing
        for key in SCENARIOS:
            started = time.perf_counter()
            summary = build_scenario(key, Path(tmp) / "demo")
            elapsed = time.perf_counter() - started
            total += elapsed
            figures.append(Figure(area="demo", name=f"build {key} ({summary['rows']:,} rows + model)",
                                  value=elapsed, unit="s"))
    figures.append(Figure(area="demo", name="build all four scenarios", value=total, unit="s",
                          target="well under 30 s on 2 cores"))
    return figures
