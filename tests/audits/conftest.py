"""Fixtures of the audits tests: synthetic audit tables with a planted disparity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DISTRICTS = ["西湖街道", "北山街道", "灵隐街道", "留下镇", "三墩镇"]


def synthetic(n: int = 4000, *, seed: int = 7, planted: bool = True) -> pd.DataFrame:
    """Ages 18–95 over five 街道/镇; lower approval for 75+ in 镇 when ``planted``."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 96, n)
    district = rng.choice(DISTRICTS, n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    y = (rng.random(n) < 0.4).astype(int)
    rural_old = (age >= 75) & pd.Series(district).str.endswith("镇").to_numpy()
    p_yes = np.where(y == 1, 0.85, 0.1)
    if planted:
        p_yes = np.where(rural_old, p_yes * 0.3, p_yes)
    score = np.clip(p_yes + rng.normal(0, 0.15, n), 0, 1).round(4)
    pred = (rng.random(n) < p_yes).astype(int)
    return pd.DataFrame({"编号": [f"A{i:06d}" for i in range(n)], "年龄": age, "街道镇": district,
                         "符合救助": np.where(y == 1, "是", "否"), "预测": pred, "评分": score})


@pytest.fixture
def audit_files(home: Path) -> tuple[Path, Path]:
    """data.csv (labels, age, district) and predictions.csv (shuffled, joined on 编号)."""
    frame = synthetic()
    data = home.parent / "data.csv"
    preds = home.parent / "predictions.csv"
    frame[["编号", "年龄", "街道镇", "符合救助"]].to_csv(data, index=False, encoding="utf-8-sig")
    frame[["编号", "预测", "评分"]].sample(frac=1.0, random_state=1).to_csv(preds, index=False)
    return data, preds


@pytest.fixture
def reviewer(home: Path):  # type: ignore[no-untyped-def]
    from sandbox.demo.people import DEMO_PASSWORD, seed_people
    from sandbox.users import authenticate

    seed_people()
    return authenticate("reviewer", DEMO_PASSWORD)


def dry_run_argv(path: Path, *, district: str = "街道镇") -> list[str]:
    """``sandbox audit run --dry-run`` as the demo reviewer on one file holding labels and predictions (the demo
    world's column names); put ``--lang`` before it."""
    from sandbox.demo.people import DEMO_PASSWORD

    return ["audit", "run", "--data", str(path), "--predictions", str(path), "--label", "符合救助",
            "--prediction", "预测", "--age", "年龄", "--district", district, "--dry-run", "--replicates", "200",
            "--as", "reviewer", "--password", DEMO_PASSWORD]
