"""Model cards of the demo baselines (fields as in DEVELOPING.md).

One builder, :func:`model_card`; what differs between the scenarios (intended
use, data sources, limitations, vendor contacts) is data, in
``card_texts.yaml`` beside this module.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from sandbox.demo.people import DEMO_VENDORS

__all__ = ["model_card"]

_USCC = {v["name"]: v["uscc"] for v in DEMO_VENDORS}
_LISTS = ("out_of_scope_uses", "personal_information_sources", "known_limitations")


@functools.cache
def _texts() -> dict[str, Any]:
    """``{"contacts": vendor → contact, "scenarios": key → card texts}``."""
    source = resources.files("sandbox.demo") / "card_texts.yaml"
    return yaml.safe_load(source.read_text(encoding="utf-8"))


def model_card(meta: dict[str, Any], *, input_features: list[str]) -> dict[str, Any]:
    """The model card of a scenario's baseline model.

    Parameters
    ----------
    meta : dict
        Entry of :data:`sandbox.demo.scenarios.SCENARIOS`.
    input_features : list of str
        The model's input columns.
    """
    vendor = meta["vendor"]
    text = _texts()["scenarios"][meta["key"]]
    lists = {name: list(text[name]) for name in _LISTS}
    return {
        "vendor_name": vendor,
        "vendor_uscc": _USCC[vendor],
        "model_name": meta["model_name"],
        "model_version": "1.0.0",
        "service_domain": meta["service_domain"],
        "intended_use": text["intended_use"],
        "out_of_scope_uses": lists["out_of_scope_uses"],
        "automated_decision": bool(text["automated_decision"]),
        "human_in_the_loop": bool(text["human_in_the_loop"]),
        "algorithm_type": "调度决策类",
        "filing_number": None,
        "training_data": text["training_data"],
        "personal_information_sources": lists["personal_information_sources"],
        "input_features": list(input_features),
        "sensitive_attributes": ["年龄", "街道镇"],
        "known_limitations": lists["known_limitations"],
        "contact": dict(_texts()["contacts"][vendor]),
        "risk_tier": str(text["risk_tier"]),
    }
