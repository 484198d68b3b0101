"""Run every benchmarks/bench_*.py (or those named: ``python -m benchmarks audits``)."""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks import Figure

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("SANDBOX_HOME", tempfile.mkdtemp(prefix="sandbox-bench-"))
    wanted = set(argv)
    figures: list[Figure] = []
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        area = path.stem.removeprefix("bench_")
        if wanted and area not in wanted:
            continue
        print(f"== {area}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{path.stem}")
            for figure in module.run():
                figures.append(figure)
                print(f"   {figure.name:<58} {figure.value:>12.3f} {figure.unit:<10} {figure.target}  {figure.note}",
                      flush=True)
        except Exception:
            failed += 1
            traceback.print_exc()
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "figures.json").write_text(
        json.dumps([f.__dict__ for f in figures], ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
