"""The demo world's baseline models went through the submission path and score like their predictions.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models import service
from models.registry import Registry
from sandbox.demo.scenarios import load_scenario
from sandbox.users import actor_for


def test_demo_models_registered_by_their_vendors_with_open_trials(demo_home: Path) -> None:
    rows = service.list_models(actor=actor_for("reviewer"))
    assert {r["model_name"] for r in rows} >= {"social-assistance-eligibility", "pension-eligibility-verification",
                                                "hotline-ticket-routing", "grassroots-risk-warning"}
    assert all(r["kind"] == "mlflow" and "trial" in r["aliases"] for r in rows)
    mine = service.list_models(actor=actor_for("vendor_b"))
    assert [r["model_name"] for r in mine] == ["grassroots-risk-warning"]
    risk = mine[0]
    assert risk["trial_status"] != "submitted" and risk["card"]["vendor_name"] == "数安城市科技有限公司"
    assert Registry().version_tags(risk["name"], risk["version"])["sha256"] == risk["sha256"]


def test_scoring_a_demo_model_in_the_child_reproduces_its_predictions(demo_home: Path, tmp_path: Path) -> None:
    meta = load_scenario("risk_warning")
    data = pd.read_csv(meta["data"], encoding="utf-8-sig", dtype=str).head(2000)
    sample = tmp_path / "sample.csv"
    data.to_csv(sample, index=False, encoding="utf-8-sig")
    name = next(r["name"] for r in service.list_models(actor=actor_for("reviewer"))
                if r["model_name"] == "grassroots-risk-warning")
    scored = service.score_version(actor=actor_for("reviewer"), name=name, version="1", data=sample)
    expected = pd.read_csv(meta["predictions"], encoding="utf-8-sig").head(2000)
    assert scored["编号"].tolist() == expected["编号"].tolist()
    assert scored["预测"].astype(int).tolist() == expected["预测"].astype(int).tolist()
    assert scored["评分"].to_numpy() == pytest.approx(expected["评分"].to_numpy(), abs=1e-6)
