"""Service: de-identify a file with a policy (the CLI's ``sandbox deid``, the 数据发布 page's step 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privacy.deid._apply import DeidResult, Progress, deidentify_frame
from privacy.deid._policy import DeidPolicy, load_policy
from sandbox.activity import log_activity
from sandbox.errors import InputError
from sandbox.files import atomic_dir, atomic_write_text, sha256_file, write_table_safe
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.tabular import read_table

__all__ = ["deidentify_file", "deidentify_source"]

LABEL = "去标识化"
LABEL_EN = "de-identified"


def deidentify_source(*, actor: Actor, source: str | Path, policy: str | Path | DeidPolicy = "default",
                      out: str | Path, project: str = "default", suppress: bool = True,
                      display_name: str | None = None, progress: Progress | None = None,
                      head: int = 0) -> tuple[dict[str, Any], DeidResult]:
    """:func:`deidentify_file` that also returns the :class:`~privacy.deid.DeidResult` (``head``: preview rows)."""
    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    source = Path(source)
    name = display_name or source.name
    out_dir = Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("privacy.err.out_exists", path=str(out_dir))
    frame, info = read_table(source, display_name=name)
    # Classification, rules, replacement and the re-scan all happen before anything is written:
    # a refusal (no rule, keep over PII, PII left after de-identification) leaves no file and no folder.
    result = deidentify_frame(frame, rules, project=project, suppress=suppress, progress=progress, file=name,
                              head=head)
    stem = source.stem
    suffix = ".xlsx" if source.suffix.lower() in (".xlsx", ".xlsm", ".xls") else ".csv"
    data_path = out_dir / f"{stem}.deid{suffix}"
    report: dict[str, Any] = {
        "source": name, "source_sha256": sha256_file(source), "rows_in": len(frame),
        "rows_out": len(result.frame), "policy": rules.ref, "label": LABEL, "label_en": LABEL_EN,
        "operations": result.operations, "text_entities": result.text_entities,
        "suppressed_rows": result.suppressed_rows, "suppressed_cells": result.suppressed_cells,
        "identifying_columns": result.identifying_columns,
        "columns": result.columns, "pii_before": result.pii_before, "pii_after": result.pii_after,
        "rescan": {"rows_scanned": len(result.frame), "clean": not result.pii_after},
        "output": str(data_path), "encoding": info.encoding,
    }

    def write(folder: Path) -> None:
        write_table_safe(result.frame, folder / data_path.name)
        report["output_sha256"] = sha256_file(folder / data_path.name)
        atomic_write_text(folder / f"{stem}.deid.json", json.dumps(report, ensure_ascii=False, indent=2))

    if out_dir.exists():
        write(out_dir)
    else:
        with atomic_dir(out_dir) as tmp:  # data and report appear together, or not at all
            write(tmp)
    with session_scope() as session:
        log_activity(session, actor, "privacy.deid", name, policy=rules.ref, rows=len(result.frame),
                     pii_before=result.pii_before, pii_after=result.pii_after)
    return report, result


def deidentify_file(*, actor: Actor, source: str | Path, policy: str | Path | DeidPolicy = "default",
                    out: str | Path, project: str = "default", suppress: bool = True,
                    display_name: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Read ``source``, de-identify it under ``policy`` and write ``<out>/<stem>.deid.csv`` plus a report.

    Every column is classified by its content; the report's ``columns`` give
    per column the kind, the rule and operator used, and the personal
    information found ``before`` and, by a re-scan of the output, ``after``
    (always empty: anything left refuses the run). The output is 去标识化
    (de-identified) data — still personal information under PIPL art. 73 —
    and is labelled so. Files are written atomically with spreadsheet
    formulas neutralised; a refused run writes nothing.

    Raises
    ------
    RuleViolation
        ``privacy.err.no_rule`` / ``privacy.err.keep_pii`` (a column with
        personal information has no applicable rule) or
        ``privacy.err.pii_remains`` (the re-scan still finds some).
    """
    report, _result = deidentify_source(actor=actor, source=source, policy=policy, out=out, project=project,
                                        suppress=suppress, display_name=display_name, progress=progress)
    return report
