"""MLflow artifacts stay in the data home, whatever folder the CLI runs from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
import yaml

from models.registry import Registry
from tests.models.models_testkit import PASSWORD, card


def test_no_mlruns_in_the_working_folder(people, predictions_csv: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["SANDBOX_HOME"])
    (home / "mlflow.db").unlink()  # the product creates its own MLflow store, as on a first run
    card_file = tmp_path / "card.yaml"
    card_file.write_text(yaml.safe_dump(card(), allow_unicode=True), encoding="utf-8")
    cwd = tmp_path / "my-folder"
    cwd.mkdir()
    env = {**os.environ, "SANDBOX_PASSWORD": PASSWORD, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-m", "sandbox", "models", "submit", str(predictions_csv), "--card", str(card_file),
         "--id-column", "编号", "--as", "vendor_a", "--json"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in cwd.iterdir()) == []

    monkeypatch.chdir(cwd)
    registry = Registry()
    registry.log_run(experiment="sandbox-location-test", run_name="from-cwd", texts={"note.txt": "x"})
    assert not (cwd / "mlruns").exists()
    locations = {e.name: e.artifact_location for e in registry.client.search_experiments()}
    assert {"Default", "sandbox-submissions", "sandbox-location-test"} <= set(locations)
    root = (home / "mlartifacts").resolve()
    for name, location in locations.items():
        assert urlparse(location).scheme == "file", (name, location)
        assert Path(url2pathname(urlparse(location).path)).is_relative_to(root), (name, location)
    assert (root / "sandbox-location-test").is_dir()


def test_store_named_by_uri_keeps_artifacts_beside_its_database(home: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    db = tmp_path / "elsewhere" / "mlflow.db"
    registry = Registry(tracking_uri=f"sqlite:///{db}")
    assert registry.client.get_experiment("0").artifact_location == (db.parent / "mlartifacts" / "0").as_uri()
    assert list(cwd.iterdir()) == []
    assert not (home / "mlartifacts").exists()
