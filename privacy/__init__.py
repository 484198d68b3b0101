"""privacy: personal-information detection, de-identification, risk, DP releases.

Re-exports of the public API, loaded on first use: importing ``privacy`` (or
any of its light submodules such as ``privacy.ledger``) must not pull in
Presidio, jieba or diffprivlib, so that a workbench page renders at once and
the heavy engines load only when a scan or a release actually runs.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# onnxruntime (the name model) writes a device id under ~/.cache/Microsoft at import unless told not to: as root
# with HOME=/nonexistent that made a root-only /nonexistent, the home of every system account (their workbench
# crashed). Set here, before any privacy module can import onnxruntime (get_settings() sets it too).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

# name → module that defines it; each area appends its own names.
_LAZY_API = {
    # PII detection area
    "ENTITIES": "privacy.scanning",
    "ColumnSummary": "privacy.scanning",
    "Finding": "privacy.scanning",
    "ScanReport": "privacy.scanning",
    "TableScan": "privacy.scanning",
    "scan_file": "privacy.scanning",
    "scan_table": "privacy.scanning",
    "scan_text": "privacy.scanning",
    # Privacy release area (de-identification, risk, DP, budget ledger, releases)
    "load_policy": "privacy.deid",
    "deidentify_frame": "privacy.deid",
    "deidentify_file": "privacy.deid",
    "risk_report": "privacy.risk",
    "suggest_generalisation": "privacy.risk",
    "dp_histogram": "privacy.dp",
    "dp_sum": "privacy.dp",
    "dp_mean": "privacy.dp",
    "BudgetLedger": "privacy.ledger",
    "budget_status": "privacy.ledger",
    "create_release": "privacy.release",
    "release_histogram": "privacy.release",
    "privacy_evidence": "privacy.evidence",
}
__all__ = list(_LAZY_API)


def __getattr__(name: str) -> Any:
    module = _LAZY_API.get(name)
    if module is None:
        raise AttributeError(f"module 'privacy' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
