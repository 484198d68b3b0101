"""A release command that fails on its input answers before pandas and diffprivlib are imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox.demo import DEMO_PASSWORD

HEAVY = ("pandas", "numpy", "diffprivlib", "sklearn", "scipy", "presidio_anonymizer", "mlflow")

CODE = """
import json, sys
from sandbox.cli import app
try:
    app(sys.argv[1:], standalone_mode=True)
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))


def _run(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SANDBOX_HOME": str(home), "SANDBOX_LANG": "en"}
    return subprocess.run([sys.executable, "-c", CODE, *argv], env=env, capture_output=True, text=True,
                          check=True, timeout=300)


def test_release_histogram_of_a_missing_file_loads_no_heavy_library(home: Path, tmp_path: Path) -> None:
    from sandbox.demo.people import seed_people

    seed_people()
    missing = tmp_path / "nope.csv"
    done = _run(home, "release", "histogram", str(missing), "--by", "街道镇", "--epsilon", "0.5",
                "--dataset", "d", "--as", "steward", "--password", DEMO_PASSWORD)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"code": 1, "loaded": []}
    assert f"{missing}" in done.stderr and "not found" in done.stderr.lower()
    # the checks before the file keep their order: an invalid ε is still reported first
    bad = _run(home, "release", "histogram", str(missing), "--by", "街道镇", "--epsilon", "-1",
               "--dataset", "d", "--as", "steward", "--password", DEMO_PASSWORD)
    assert "-1" in bad.stderr and str(missing) not in bad.stderr
