"""Models: time to submit and register a version, and to batch-score 100k rows in the isolated child."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import Figure

FEATURES = ["年龄", "家庭人口", "月收入"]
USCC = "91330110MA2H0QXJ7E"
VENDOR = "智联政务科技有限公司"


def _data(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"编号": [f"P{i:07d}" for i in range(n)], "年龄": rng.integers(18, 95, n),
                          "家庭人口": rng.integers(1, 7, n), "月收入": rng.normal(3000, 1200, n).round(2)})
    frame["符合救助"] = ((frame["月收入"] / frame["家庭人口"] < 900) | (frame["年龄"] > 80)).astype(int)
    return frame


def _card(version: str) -> dict:
    return {
        "vendor_name": VENDOR, "vendor_uscc": USCC, "model_name": "bench-model", "model_version": version,
        "service_domain": "社会救助", "intended_use": "基准测试用模型", "automated_decision": True,
        "human_in_the_loop": True, "algorithm_type": "调度决策类", "training_data": "合成数据",
        "input_features": FEATURES, "contact": {"name": "测试", "phone": "0571-88886666", "email": "b@example.cn"},
    }


def _actors():  # type: ignore[no-untyped-def]
    from sandbox.store import session_scope
    from sandbox.users import actor_for, add_user, add_vendor

    with session_scope() as session:
        add_vendor(session, name=VENDOR, uscc=USCC)
    add_user(username="bench_vendor", password="bench-password", role="vendor", vendor=VENDOR)
    add_user(username="bench_reviewer", password="bench-password", role="reviewer")
    return actor_for("bench_vendor"), actor_for("bench_reviewer")


def run() -> list[Figure]:
    from sklearn.linear_model import LogisticRegression

    from models.isolation import predict_isolated
    from models.registry import save_sklearn_model
    from models.service import score_version, submit_model

    vendor, reviewer = _actors()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-models-") as tmp:
        train = _data(5_000)
        model = LogisticRegression(max_iter=500).fit(train[FEATURES], train["符合救助"])
        model_dir = save_sklearn_model(model, Path(tmp) / "model", input_example=train[FEATURES].head(5),
                                       pip_requirements=["scikit-learn==1.7.2", "cloudpickle"])
        timings = []
        for i in range(4):  # the first one also creates the MLflow store and experiment
            started = time.perf_counter()
            submitted = submit_model(actor=vendor, artifact=model_dir, card=_card(f"1.0.{i}"))
            timings.append(time.perf_counter() - started)
        figures.append(Figure(area="models", name="submit + register MLflow model (first, cold store)",
                              value=timings[0], unit="s"))
        figures.append(Figure(area="models", name="submit + register MLflow model (median of next 3)",
                              value=statistics.median(timings[1:]), unit="s", target="a few seconds",
                              note="card, sha256, pickle scan, isolated smoke test, MLflow run+version+alias, DB"))
        data = Path(tmp) / "audit.csv"
        big = _data(100_000, seed=9)
        big.to_csv(data, index=False, encoding="utf-8-sig")
        started = time.perf_counter()
        scored = score_version(actor=reviewer, name=submitted["name"], version=submitted["version"], data=data)
        elapsed = time.perf_counter() - started
        assert len(scored) == 100_000
        figures.append(Figure(area="models", name="batch-score 100k rows (CSV → isolated child → stored)",
                              value=elapsed, unit="s", target="seconds"))
        started = time.perf_counter()
        predict_isolated(model_dir, big[FEATURES])
        figures.append(Figure(area="models", name="isolated child alone: 100k rows (spawn, load, predict)",
                              value=time.perf_counter() - started, unit="s"))
        started = time.perf_counter()
        reference = model.predict_proba(big[FEATURES])
        figures.append(Figure(area="models", name="same prediction in-process (reference, trusted model)",
                              value=time.perf_counter() - started, unit="s", note=f"{len(reference):,} rows"))
    return figures
