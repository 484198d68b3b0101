"""The four demo scenarios: keys, names, columns — so no area hard-codes them.

``SCENARIOS`` holds the static description of each scenario (in build
order); ``load_scenario`` reads the ``scenario.json`` written beside a built
dataset, which adds the model's feature columns and file paths.

Examples
--------
>>> from sandbox.demo.scenarios import SCENARIOS, load_scenario
>>> list(SCENARIOS)
['social_assistance', 'pension', 'hotline', 'risk_warning']
>>> meta = load_scenario("pension")            # doctest: +SKIP
>>> meta["label"], meta["features"][:2]        # doctest: +SKIP
('核验通过', ['年龄', '性别'])
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.errors import NotFoundError
from sandbox.settings import get_settings

__all__ = ["SCENARIOS", "VENDOR_A", "VENDOR_B", "load_scenario", "scenario_dir"]

VENDOR_A = "智联政务科技有限公司"
VENDOR_B = "数安城市科技有限公司"

_COMMON: dict[str, Any] = {"id": "编号", "age": "年龄", "district": "街道镇", "prediction": "预测"}

SCENARIOS: dict[str, dict[str, Any]] = {
    "social_assistance": {
        **_COMMON,
        "key": "social_assistance",
        "name_zh": "社会救助精准识别",
        "name_en": "Social assistance targeting",
        "kind": "binary",
        "label": "符合救助",
        "score": "评分",
        "positive_label": 1,
        "vendor": VENDOR_A,
        "service_domain": "社会救助",
        "model_name": "social-assistance-eligibility",
        "id_prefix": "SA",
        "rows": 20_000,
        "seed": 20260101,
    },
    "pension": {
        **_COMMON,
        "key": "pension",
        "name_zh": "养老资格无感核验",
        "name_en": "Pension eligibility verification",
        "kind": "binary",
        "label": "核验通过",
        "score": "评分",
        "positive_label": 1,
        "vendor": VENDOR_A,
        "service_domain": "养老",
        "model_name": "pension-eligibility-verification",
        "id_prefix": "PE",
        "rows": 20_000,
        "seed": 20260102,
    },
    "hotline": {
        **_COMMON,
        "key": "hotline",
        "name_zh": "12345 热线工单智能分派",
        "name_en": "12345 hotline ticket routing",
        "kind": "multiclass",
        "label": "承办部门",
        "score": None,
        "confidence": "评分",
        "text": "工单内容",
        "positive_label": None,
        "vendor": VENDOR_A,
        "service_domain": "12345热线",
        "model_name": "hotline-ticket-routing",
        "id_prefix": "HL",
        "rows": 10_000,
        "seed": 20260103,
    },
    "risk_warning": {
        **_COMMON,
        "key": "risk_warning",
        "name_zh": "基层治理风险预警",
        "name_en": "Grassroots risk early warning",
        "kind": "binary",
        "label": "发生风险事件",
        "score": "评分",
        "positive_label": 1,
        "vendor": VENDOR_B,
        "service_domain": "基层治理",
        "model_name": "grassroots-risk-warning",
        "id_prefix": "RW",
        "rows": 20_000,
        "seed": 20260104,
    },
}


def scenario_dir(key: str, demo_dir: Path | None = None) -> Path:
    """Folder of a scenario under the demo directory (default: the data home's)."""
    if key not in SCENARIOS:
        raise NotFoundError("demo.scenario_unknown", key=key, known=", ".join(SCENARIOS))
    base = Path(demo_dir) if demo_dir is not None else get_settings().demo_dir
    return base / key


def load_scenario(key: str, demo_dir: Path | None = None) -> dict[str, Any]:
    """Read a built scenario's ``scenario.json``.

    Parameters
    ----------
    key : str
        One of :data:`SCENARIOS`.
    demo_dir : pathlib.Path, optional
        The demo directory; defaults to ``$SANDBOX_HOME/demo``.

    Returns
    -------
    dict
        The scenario description plus ``dir``, ``data``, ``predictions``,
        ``model`` and ``card`` (absolute paths as strings).

    Raises
    ------
    sandbox.errors.NotFoundError
        ``demo.scenario_unknown`` for an unknown key, ``demo.scenario_missing``
        when the demo world has not been built.
    """
    folder = scenario_dir(key, demo_dir)
    path = folder / "scenario.json"
    if not path.exists():
        raise NotFoundError("demo.scenario_missing", key=key, path=str(path))
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    meta.update(
        dir=str(folder),
        data=str(folder / "data.csv"),
        predictions=str(folder / "predictions.csv"),
        model=str(folder / "model"),
        card=str(folder / "card.yaml"),
    )
    return meta
