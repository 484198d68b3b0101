"""The audit's MLflow helper process: logs one run in one batch when asked, nothing when not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys
from models.run_logger import RunLogger
assert "mlflow" not in sys.modules
unused = RunLogger(experiment="fairness-audits")
unused.close()  # never asked: nothing logged
big = "审" * 400_000  # far more than a pipe buffer: submit() must not wait for the helper to read it
with RunLogger(experiment="fairness-audits") as logger:
    logger.submit(experiment="fairness-audits", run_name="helper", params={"policy": "standard"},
                  metrics={"overall_accuracy": 0.75, "checks_fail": 2}, tags={"sandbox.verdict": "fail"},
                  texts={"audit_report.json": "{}", "audit_report.html": big})
    run_id = logger.result()
with RunLogger(experiment="broken") as logger:
    logger.submit(experiment="broken", run_name="bad", metrics={"m": "not a number"})
    try:
        logger.result()
    except RuntimeError as exc:
        assert "not logged" in str(exc) and "ValueError" in str(exc), exc
    else:
        raise AssertionError("a run the helper could not log must raise")
assert "mlflow" not in sys.modules  # the helper imported it, not this process
print(json.dumps({"run_id": run_id}))
"""


def test_helper_logs_params_metrics_and_files_in_one_run(home: Path) -> None:
    from models.registry import Registry

    done = subprocess.run([sys.executable, "-c", CHILD], env={**os.environ, "SANDBOX_HOME": str(home)},
                          capture_output=True, text=True, check=True)
    run_id = json.loads(done.stdout.strip().splitlines()[-1])["run_id"]
    registry = Registry()
    run = registry.client.get_run(run_id)
    assert run.data.params == {"policy": "standard"}
    assert run.data.metrics == {"overall_accuracy": 0.75, "checks_fail": 2.0}
    assert run.data.tags["sandbox.verdict"] == "fail" and run.info.status == "FINISHED"
    assert registry.run_text(run_id, "audit_report.json") == "{}"
    assert registry.run_text(run_id, "audit_report.html") == "审" * 400_000
    experiment = registry.client.get_experiment_by_name("fairness-audits")
    assert len(registry.client.search_runs([experiment.experiment_id])) == 1  # the unasked helper logged nothing


def test_helper_ignores_a_models_folder_in_the_working_directory(home: Path, tmp_path: Path) -> None:
    from models.registry import Registry

    decoy = tmp_path / "project" / "models"  # a data scientist's own models/ package where the CLI is run
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("", encoding="utf-8")
    (decoy / "registry.py").write_text("raise RuntimeError('decoy registry imported')\n", encoding="utf-8")
    child = ("import json\nfrom models.run_logger import RunLogger\n"
             "with RunLogger(experiment='fairness-audits') as logger:\n"
             "    print(json.dumps({'run_id': logger.log_run(experiment='fairness-audits', run_name='cwd')}))\n")
    done = subprocess.run([sys.executable, "-c", child], env={**os.environ, "SANDBOX_HOME": str(home)},
                          cwd=decoy.parent, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout.strip().splitlines()[-1])["run_id"]
    assert Registry().client.get_run(run_id).info.run_name == "cwd"
