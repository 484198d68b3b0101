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
