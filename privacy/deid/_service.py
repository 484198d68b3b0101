"""Service: de-identify a file with a policy (the CLI's ``sandbox deid``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privacy.deid._apply import deidentify_frame
from privacy.deid._policy import DeidPolicy, load_policy
from sandbox.activity import log_activity
from sandbox.errors import InputError
from sandbox.files import atomic_write_text, sha256_file, write_table_safe
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.tabular import read_table

__all__ = ["deidentify_file"]


def deidentify_file(*, actor: Actor, source: str | Path, policy: str | Path | DeidPolicy = "default",
                    out: str | Path, project: str = "default", suppress: bool = True) -> dict[str, Any]:
    """Read ``source``, apply ``policy`` and write ``<out>/<stem>.deid.csv`` plus a report.

    The output is 去标识化 (de-identified) data — still personal information
    under PIPL — and is labelled so in the report. Files are written
    atomically with spreadsheet formulas neutralised.
    """
    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    source = Path(source)
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("privacy.err.out_exists", path=str(out_dir))
    frame, info = read_table(source)
    result = deidentify_frame(frame, rules, project=project, suppress=suppress)
    data_path = out_dir / f"{source.stem}.deid{'.xlsx' if source.suffix.lower() in ('.xlsx', '.xls') else '.csv'}"
    write_table_safe(result.frame, data_path)
    report = {
        "source": source.name, "source_sha256": sha256_file(source), "rows_in": len(frame),
        "rows_out": len(result.frame), "policy": rules.ref, "label": "去标识化", "label_en": "de-identified",
        "operations": result.operations, "text_entities": result.text_entities,
        "suppressed_rows": result.suppressed_rows, "suppressed_cells": result.suppressed_cells,
        "identifying_columns": result.identifying_columns, "output": str(data_path),
        "output_sha256": sha256_file(data_path), "encoding": info.encoding,
    }
    atomic_write_text(out_dir / f"{source.stem}.deid.json", json.dumps(report, ensure_ascii=False, indent=2))
    with session_scope() as session:
        log_activity(session, actor, "privacy.deid", source.name, policy=rules.ref, rows=len(result.frame))
    return report
