"""Demo datasets for the four seed scenarios, with their baseline models.

``build_datasets(demo_dir)`` writes, for every key of
:data:`sandbox.demo.scenarios.SCENARIOS`, a folder ``demo_dir/<key>/`` with
``data.csv`` (UTF-8 with BOM), ``predictions.csv``, ``model/`` (MLflow
model directory), ``card.yaml`` and ``scenario.json`` — the contract in
DEVELOPING.md. Everything is derived from fixed seeds: building twice gives
byte-identical files.

The baseline models carry a planted disparity: lower approval (pension,
social assistance), more false alarms (risk warning) and more mis-routing
(hotline) for people aged 75+ in rural 镇.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from threadpoolctl import threadpool_limits

from sandbox.demo import _features
from sandbox.demo._baseline import PIP_REQUIREMENTS, fit_tabular, fit_text, save_model
from sandbox.demo._cards import model_card
from sandbox.demo._geography import AS_OF, COUNTY_CODE, DISTRICTS
from sandbox.demo._hotline import DEPARTMENTS, hotline
from sandbox.demo._population import COMMON_COLUMNS, build_population
from sandbox.demo.scenarios import SCENARIOS
from sandbox.files import atomic_dir, atomic_write_text, write_table_safe

__all__ = ["build_datasets", "build_scenario"]

#: Model inputs every tabular scenario shares (sensitive attributes included,
#: as the vendors' models use them — which is how the disparity is learnt).
_BASE_FEATURES: tuple[str, ...] = ("年龄", "性别", "街道镇", "城乡")
_BASE_CATEGORICAL: tuple[str, ...] = ("性别", "街道镇", "城乡")
_THRESHOLDS = {"social_assistance": 0.5, "pension": 0.5, "risk_warning": 0.5}
_TABULAR = {
    "social_assistance": _features.social_assistance,
    "pension": _features.pension,
    "risk_warning": _features.risk_warning,
}
_ELDERLY_BOOST = {"pension": 1.8}


def _tabular(key: str, people: pd.DataFrame, rng: np.random.Generator) -> dict[str, Any]:
    meta = SCENARIOS[key]
    cols = _TABULAR[key](people, rng)
    data = pd.concat([people, cols.features], axis=1)
    data[meta["label"]] = cols.label
    categorical = [*_BASE_CATEGORICAL, *cols.categorical]
    features = [*_BASE_FEATURES, *cols.features.columns]
    numeric = [c for c in features if c not in categorical]
    model = fit_tabular(data, cols.train_label, categorical=categorical, numeric=numeric)
    score = model.predict_proba(data[categorical + numeric])[:, 1]
    threshold = _THRESHOLDS[key]
    predictions = pd.DataFrame(
        {"编号": data["编号"], "预测": (score >= threshold).astype(np.int64), "评分": np.round(score, 6)}
    )
    return {
        "data": data,
        "predictions": predictions,
        "model": model,
        "features": features,
        "model_input": categorical + numeric,
        "extra": {"threshold": threshold, "categorical": categorical},
    }


def _hotline(people: pd.DataFrame, rng: np.random.Generator) -> dict[str, Any]:
    meta = SCENARIOS["hotline"]
    cols = hotline(people, rng)
    data = pd.concat([people, cols.features], axis=1)
    data[meta["label"]] = cols.label
    text = meta["text"]
    model = fit_text(data, cols.train_label, text=text)
    proba = model.predict_proba(data[[text]])
    classes = np.asarray(model.classes_, dtype=object)
    predictions = pd.DataFrame(
        {"编号": data["编号"], "预测": classes[proba.argmax(axis=1)], "评分": np.round(proba.max(axis=1), 6)}
    )
    return {
        "data": data,
        "predictions": predictions,
        "model": model,
        "features": [text],
        "model_input": [text],
        "extra": {"classes": list(DEPARTMENTS), "channel": "受理渠道"},
    }


def _scenario_json(key: str, built: dict[str, Any]) -> dict[str, Any]:
    meta = SCENARIOS[key]
    out: dict[str, Any] = {
        "key": key,
        "name_zh": meta["name_zh"],
        "name_en": meta["name_en"],
        "kind": meta["kind"],
        "label": meta["label"],
        "prediction": meta["prediction"],
        "score": meta["score"],
        "id": meta["id"],
        "age": meta["age"],
        "district": meta["district"],
        "district_code": "街道镇代码",
        "urban_rural": "城乡",
        "county": "区县",
        "id_card": "身份证号",
        "birth_date": "出生日期",
        "sex": "性别",
        "features": built["features"],
        "vendor": meta["vendor"],
        "model_name": meta["model_name"],
        "service_domain": meta["service_domain"],
        "positive_label": meta["positive_label"],
        "rows": len(built["data"]),
        "as_of": AS_OF.isoformat(),
        "county_code": COUNTY_CODE,
        "districts": [{"name": d.name, "code": d.code, "kind": d.kind} for d in DISTRICTS],
        "planted_disparity": {"min_age": _features.DISPARITY_AGE, "district_kind": "镇"},
        "pip_requirements": list(PIP_REQUIREMENTS),
        "columns": list(built["data"].columns),
    }
    for extra in ("confidence", "text"):
        if extra in meta:
            out[extra] = meta[extra]
    out.update(built["extra"])
    return out


def build_scenario(key: str, demo_dir: Path) -> dict[str, Any]:
    """Build one scenario's folder under ``demo_dir`` (replacing an old one).

    Parameters
    ----------
    key : str
        A key of :data:`sandbox.demo.scenarios.SCENARIOS`.
    demo_dir : pathlib.Path
        The demo directory (``$SANDBOX_HOME/demo``).

    Returns
    -------
    dict
        Summary: ``key``, ``name_zh``, ``rows``, ``path``, ``label``, ``model_name``.
    """
    meta = SCENARIOS[key]
    people, rng = build_population(
        n=meta["rows"], seed=meta["seed"], id_prefix=meta["id_prefix"],
        elderly_boost=_ELDERLY_BOOST.get(key, 1.0),
    )
    # One thread: OpenMP/BLAS spin-waiting on a busy 2-core machine costs 30× more than it saves.
    with threadpool_limits(limits=1):
        built = _hotline(people, rng) if key == "hotline" else _tabular(key, people, rng)
    data: pd.DataFrame = built["data"]
    assert list(data.columns[: len(COMMON_COLUMNS)]) == list(COMMON_COLUMNS)
    target = Path(demo_dir) / key
    if target.exists():
        shutil.rmtree(target)
    with atomic_dir(target) as tmp:
        write_table_safe(data, tmp / "data.csv")
        write_table_safe(built["predictions"], tmp / "predictions.csv")
        example = data[built["model_input"]].head(5)
        save_model(built["model"], tmp / "model", input_example=example, seed=meta["seed"])
        card = model_card(meta, input_features=built["features"])
        atomic_write_text(tmp / "card.yaml", yaml.safe_dump(card, allow_unicode=True, sort_keys=False))
        atomic_write_text(
            tmp / "scenario.json", json.dumps(_scenario_json(key, built), ensure_ascii=False, indent=2) + "\n"
        )
    return {
        "key": key,
        "name_zh": meta["name_zh"],
        "rows": len(data),
        "path": str(target),
        "label": meta["label"],
        "model_name": meta["model_name"],
    }


def build_datasets(demo_dir: Path) -> list[dict[str, Any]]:
    """Build all four scenario folders under ``demo_dir``; return their summaries."""
    demo_dir = Path(demo_dir)
    demo_dir.mkdir(parents=True, exist_ok=True)
    return [build_scenario(key, demo_dir) for key in SCENARIOS]
