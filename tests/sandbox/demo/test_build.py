"""Demo datasets: determinism, the saved models, load_scenario errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from sandbox.demo.datasets import build_datasets
from sandbox.demo.scenarios import SCENARIOS, load_scenario
from sandbox.errors import NotFoundError


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_rebuild_in_fresh_home_is_byte_identical(demo_home_path: Path, tmp_path: Path) -> None:
    summaries = build_datasets(tmp_path / "demo")
    assert [s["key"] for s in summaries] == list(SCENARIOS)
    for key in SCENARIOS:
        fresh = tmp_path / "demo" / key
        files = sorted(p for p in fresh.rglob("*") if p.is_file())
        assert {p.name for p in files} >= {"data.csv", "predictions.csv", "card.yaml", "scenario.json", "MLmodel"}
        for path in files:
            old = demo_home_path / "demo" / key / path.relative_to(fresh)
            assert _digest(path) == _digest(old), f"{key}/{path.relative_to(fresh)} differs"


@pytest.mark.parametrize("key", ["social_assistance", "risk_warning", "hotline"])
def test_saved_model_reproduces_predictions(demo_home_path: Path, key: str) -> None:
    import mlflow.pyfunc  # our own demo model, trusted: loaded in-process by the test only

    meta = load_scenario(key, demo_home_path / "demo")
    data = pd.read_csv(meta["data"], keep_default_na=False).head(300)
    predictions = pd.read_csv(meta["predictions"], keep_default_na=False).head(300)
    with threadpool_limits(limits=1):
        model = mlflow.pyfunc.load_model(meta["model"])
        output = pd.Series(model.predict(data[meta["features"]])).astype(str)
    assert (output.to_numpy() == predictions["预测"].astype(str).to_numpy()).all()


def test_load_scenario_errors(home: Path) -> None:
    with pytest.raises(NotFoundError) as unknown:
        load_scenario("no_such")
    assert unknown.value.key == "demo.scenario_unknown"
    with pytest.raises(NotFoundError) as missing:
        load_scenario("pension")
    assert missing.value.key == "demo.scenario_missing"
    assert "sandbox demo" in missing.value.render("en")
