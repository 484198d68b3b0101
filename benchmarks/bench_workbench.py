"""Workbench pages: each renders in under 2 s with the demo world loaded (DESIGN.md §6).

A demo world is built once in a temporary data home (its MLflow store inside
that home). Then, for every page of :data:`sandbox.ui.PAGES` and one demo role
allowed to see it, a fresh Python process renders the page with Streamlit's
``AppTest`` (session state ``actor`` and ``lang="zh"``, as ``app.py`` leaves
it after login):

- **cold**: the first render in that process. Before the clock starts the
  child imports only what the server already holds when a logged-in user first
  opens the page: Streamlit and the modules ``app.py`` imports (``sandbox.ui``,
  ``sandbox.users``, ``sandbox.demo``), and it has authenticated. Everything
  the page imports itself (MLflow, Presidio, fairlearn …) is counted.
- **warm**: the median of three re-runs of the same ``AppTest`` (a user
  clicking on the page again).

The note names the heavy libraries the first render imported: that is where
a slow cold render usually goes. One more figure for ``app.py``'s login page
(cold, only Streamlit imported before), and the slowest page.

Run alone: ``python -m benchmarks workbench``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Figure

AREA = "workbench"
ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0
# The role a page is measured for: the first of these that may see it (the
# role that works with the page day to day, before those who only look).
ROLE_PREFERENCE = ("reviewer", "steward", "chair", "vendor_a", "admin")
HEAVY = ("mlflow", "presidio_analyzer", "spacy", "jieba", "fairlearn", "diffprivlib", "sklearn", "scipy",
         "matplotlib", "reportlab", "pandas", "pyarrow", "altair", "plotly", "alembic", "cryptography")
WARM_RUNS = 3
_DROP_ENV = {"SANDBOX_DB_URL", "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "SANDBOX_LANG", "SANDBOX_PASSWORD"}


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
    env.update(SANDBOX_HOME=str(home), MLFLOW_DISABLE_TELEMETRY="true")
    return env


def build_world(home: Path) -> float:
    """Build the demo world in ``home`` in a child process; return the seconds it took."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from sandbox.demo import build_demo_world; build_demo_world()"],
                   env=_env(home), cwd=ROOT, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


def plan() -> list[tuple[str, str]]:
    """``(page path, username)`` for every existing page of the workbench, in menu order."""
    from sandbox.demo.people import DEMO_USERS
    from sandbox.roles import Actor, can
    from sandbox.ui import PAGES

    roles = {u["username"]: u["role"] for u in DEMO_USERS}
    pairs = []
    for spec in PAGES:
        if not (ROOT / spec.path).exists():
            continue
        for username in ROLE_PREFERENCE:
            actor = Actor(user_id=0, username=username, display_name=username, role=roles[username])
            if can(actor, spec.permission):
                pairs.append((spec.path, username))
                break
    return pairs


def measure(page: str, username: str, home: Path) -> dict:
    """Render ``page`` as ``username`` ("" for the login page) in a fresh process; the child's JSON report."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_workbench", page, username],
                          env=_env(home), cwd=ROOT, capture_output=True, text=True, timeout=600)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{page} as {username or '(nobody)'} failed:\n{done.stderr[-3000:]}")
    return json.loads(lines[-1])


def _child(page: str, username: str) -> dict:
    """In the fresh process: what the server already holds, then the timed first render and re-runs."""
    from streamlit.testing.v1 import AppTest

    actor = None
    if username:  # the user came through app.py's login: its imports are paid, the actor known
        import sandbox.ui  # noqa: F401
        from sandbox.demo import DEMO_PASSWORD
        from sandbox.users import authenticate

        actor = authenticate(username, DEMO_PASSWORD)
    before = set(sys.modules)
    started = time.perf_counter()
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    if actor is not None:
        at.session_state["actor"] = actor
    at.session_state["lang"] = "zh"
    at.run()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    new = set(sys.modules) - before
    return {
        "cold": cold,
        "warm": statistics.median(warm),
        "heavy": [name for name in HEAVY if name in new],
        "problems": [str(e.value)[:200] for e in [*at.exception, *at.error]],
    }


def _verdict(seconds: float) -> str:
    return "yes" if seconds < TARGET_S else "NO"


def run() -> list[Figure]:
    """Build a demo world, then time every page (and the login page) in its own process."""
    figures: list[Figure] = []
    pages: list[tuple[str, str, dict]] = []
    with tempfile.TemporaryDirectory(prefix="bench-workbench-") as tmp:
        home = Path(tmp) / "home"
        build_s = build_world(home)
        login = measure("app.py", "", home)
        for page, username in plan():
            pages.append((page, username, measure(page, username, home)))
    figures.append(Figure(area=AREA, name="demo world for the pages (sandbox demo, not a page)", value=build_s,
                          unit="s"))
    figures.append(Figure(area=AREA, name="app.py login page, cold (fresh process)", value=login["cold"], unit="s",
                          target=f"< {TARGET_S:g} s",
                          note=f"meets: {_verdict(login['cold'])}; warm {login['warm']:.3f} s"
                               + _imports_note(login)))
    for page, username, result in pages:
        figures.append(Figure(
            area=AREA, name=f"{Path(page).name} as {username}, cold", value=result["cold"], unit="s",
            target=f"< {TARGET_S:g} s",
            note=f"warm {result['warm']:.3f} s; meets: cold {_verdict(result['cold'])}, "
                 f"warm {_verdict(result['warm'])}" + _imports_note(result)))
    if pages:
        page, username, result = max(pages, key=lambda p: p[2]["cold"])
        figures.append(Figure(area=AREA, name=f"slowest page: {Path(page).name} as {username}, cold",
                              value=result["cold"], unit="s", target=f"< {TARGET_S:g} s",
                              note=f"meets: {_verdict(result['cold'])}; "
                                   f"{sum(r['cold'] >= TARGET_S for _, _, r in pages)} of {len(pages)} pages "
                                   f"miss {TARGET_S:g} s cold, {sum(r['warm'] >= TARGET_S for _, _, r in pages)} warm"))
    return figures


def _imports_note(result: dict) -> str:
    note = "; first render imports " + (", ".join(result["heavy"]) if result["heavy"] else "no heavy library")
    if result["problems"]:
        note += "; PAGE SHOWED: " + " | ".join(result["problems"])
    return note


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")))
