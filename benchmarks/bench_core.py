"""CLI start-up: wall clock of ``python -m sandbox`` for three everyday calls.

Every command-line call (and each of the bad-input corpus's ~130 subprocesses)
pays the import of ``sandbox.cli`` and of whatever the command needs. Heavy
libraries (mlflow, presidio/spacy/jieba, fairlearn, diffprivlib, sklearn,
matplotlib, reportlab) must be imported only by the commands that use them.

Two figures per call: with Python's bytecode cache warm (what a user with an
installed package pays) and without any bytecode cache (every module compiled
from source, as under ``PYTHONDONTWRITEBYTECODE=1`` on a fresh checkout).
The note names the heavy libraries the call imported.

Measured on the 2-core development machine (median of 3, seconds; cached / no cache):

=========================================  ============  ============
call                                       before        after
=========================================  ============  ============
sandbox --help                             0.24 / 0.84   0.22 / 0.72
sandbox whoami --as admin                  1.27 / 3.29   0.61 / 1.70
sandbox release histogram (missing file)   3.48 / 10.73  2.16 / 6.16
=========================================  ============  ============

"before" is main at 3e959cc; "after" adds the migration check without Alembic
(``sandbox.store.engine._up_to_date``: Alembic is imported only when the
database needs an upgrade). ``release histogram`` then still imported pandas
and ``privacy.dp`` (diffprivlib, sklearn, scipy) before noticing the missing
file; now ``privacy.release`` and ``privacy.deid`` load them only once the
checks pass (same checks, same order): 0.64 / 1.84 s (load average 1.4; at
load ~5 from others' browser tests: 6.45 → 2.98 s cached), no heavy library.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Figure

HEAVY = ("mlflow", "presidio_analyzer", "spacy", "jieba", "fairlearn", "diffprivlib", "sklearn", "matplotlib",
         "reportlab", "pandas", "numpy", "alembic", "scipy", "pyarrow")
CALLS: dict[str, tuple[str, ...]] = {
    "sandbox --help": ("--help",),
    "sandbox whoami --as admin": ("whoami", "--as", "admin", "--password", "sandbox-demo"),
    "sandbox release histogram (missing file)": (
        "release", "histogram", "does-not-exist.csv", "--by", "街道镇", "--epsilon", "0.5", "--dataset", "bench",
        "--as", "steward", "--password", "sandbox-demo"),
}
REPEATS = 3


def _env(home: Path, cache: Path, *, write_bytecode: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONDONTWRITEBYTECODE", "SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "SANDBOX_LANG"}}
    env.update(SANDBOX_HOME=str(home), PYTHONPYCACHEPREFIX=str(cache), MLFLOW_DISABLE_TELEMETRY="true")
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _time(argv: tuple[str, ...], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sandbox", *argv], env=env, cwd=cwd, capture_output=True, check=False,
                   timeout=300)
    return time.perf_counter() - started


def _heavy_imports(argv: tuple[str, ...], env: dict[str, str], cwd: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "sandbox", *argv], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=300)
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return [name for name in HEAVY if name in names]


def run() -> list[Figure]:
    """Time each call a few times in a fresh data home (demo people only), warm and cold bytecode."""
    from sandbox.demo.people import seed_people
    from sandbox.settings import reset_settings_cache

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        root = Path(tmp)
        home, warm, cold = root / "home", root / "pyc-warm", root / "pyc-cold"
        previous = os.environ.get("SANDBOX_HOME")
        os.environ["SANDBOX_HOME"] = str(home)
        reset_settings_cache()
        try:
            seed_people()
        finally:
            if previous is None:
                os.environ.pop("SANDBOX_HOME", None)
            else:
                os.environ["SANDBOX_HOME"] = previous
            reset_settings_cache()
        warm_env = _env(home, warm, write_bytecode=True)
        cold_env = _env(home, cold, write_bytecode=False)
        for name, argv in CALLS.items():
            _time(argv, warm_env, root)  # fills the bytecode cache
            heavy = _heavy_imports(argv, warm_env, root)
            note = "imports " + (", ".join(heavy) if heavy else "no heavy library")
            for label, env in (("bytecode cached", warm_env), ("no bytecode cache", cold_env)):
                value = statistics.median(_time(argv, env, root) for _ in range(REPEATS))
                figures.append(Figure(area="core", name=f"{name} [{label}]", value=value, unit="s",
                                      target="< 1 s cached" if label == "bytecode cached" else "", note=note))
    return figures
