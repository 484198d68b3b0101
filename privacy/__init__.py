"""privacy: personal-information detection, de-identification, risk, DP releases.

Re-exports of the public API; each area appends its own names.
"""

from privacy.scanning import (
    ENTITIES,
    ColumnSummary,
    Finding,
    ScanReport,
    TableScan,
    scan_file,
    scan_table,
    scan_text,
)

__all__ = [
    "ENTITIES",
    "ColumnSummary",
    "Finding",
    "ScanReport",
    "TableScan",
    "scan_file",
    "scan_table",
    "scan_text",
]

# Privacy release area (de-identification, risk, DP, budget ledger, releases):
# loaded on first use so that importing ``privacy`` does not pull in diffprivlib.
_RELEASE_API = {
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
__all__ += list(_RELEASE_API)


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    module = _RELEASE_API.get(name)
    if module is None:
        raise AttributeError(f"module 'privacy' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
