"""Service: de-identify a file with a policy (the CLI's ``sandbox deid``, the 数据发布 page's step 3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privacy.deid._apply import DeidResult, Progress, deidentify_frame
from privacy.deid._policy import DeidPolicy, load_policy
from sandbox.activity import log_activity
from sandbox.errors import InputError
from sandbox.files import (
    atomic_dir,
    atomic_path,
    atomic_write_text,
    require_sheet_fits,
    sha256_file,
    write_table_safe,
)
from sandbox.roles import Actor, authorize
from sandbox.store import session_scope
from sandbox.tabular import read_table

__all__ = ["OUT_FILE_SUFFIXES", "deidentify_file", "deidentify_source", "out_target"]

LABEL = "去标识化"
LABEL_EN = "de-identified"


# ``--out`` ending in one of these (and not an existing folder) is the output file itself
OUT_FILE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")


def out_target(source: Path, out: str | Path, *, force: bool = False) -> tuple[Path, Path, bool]:
    """(data file, report file, whether ``out`` names the file) for a run; refuses what it must not overwrite.

    ``out`` ending in .csv/.xlsx/.parquet (not an existing folder) is the data file, the report
    ``<stem>.deid.json`` beside it; an existing file there is replaced only with ``force``. Anything
    else is a folder receiving ``<source stem>.deid.csv`` (.xlsx for an Excel source) and the report.
    """
    out = Path(out)
    if out.suffix.lower() in OUT_FILE_SUFFIXES and not out.is_dir():
        report = out.with_name(f"{out.stem}.deid.json")
        taken = next((p for p in (out, report) if p.exists() or p.is_symlink()), None)
        if taken is not None and (not force or taken.is_dir()):
            raise InputError("privacy.err.out_file_exists", path=str(taken))
        return out, report, True
    if out.exists() and not out.is_dir():
        raise InputError("privacy.err.out_exists", path=str(out))
    suffix = ".xlsx" if source.suffix.lower() in (".xlsx", ".xlsm", ".xls") else ".csv"
    return out / f"{source.stem}.deid{suffix}", out / f"{source.stem}.deid.json", False


def _write_file(frame: Any, data_path: Path, report_path: Path, report: dict[str, Any], *, force: bool) -> None:
    """Data file and report staged beside their targets, then renamed: both appear, or neither changes."""
    import os
    import secrets

    from sandbox.files import sweep_stale

    token = f"{os.getpid()}-{secrets.token_hex(4)}"  # a killed run's leftovers are swept by the next (sweep_stale)
    for target in (data_path, report_path):
        sweep_stale(target)
    staged = data_path.with_name(f".{data_path.name}.{token}{data_path.suffix}")
    staged_report = report_path.with_name(f".{report_path.name}.{token}.partial")
    try:
        if data_path.suffix.lower() == ".parquet":
            with atomic_path(staged) as tmp:
                frame.to_parquet(tmp, index=False)
        else:
            write_table_safe(frame, staged)
        report["output_sha256"] = sha256_file(staged)
        atomic_write_text(staged_report, json.dumps(report, ensure_ascii=False, indent=2))
        if not force and (taken := next((p for p in (data_path, report_path) if p.exists()), None)) is not None:
            raise InputError("privacy.err.out_file_exists", path=str(taken))  # appeared while this run worked
        os.replace(staged, data_path)
        os.replace(staged_report, report_path)
    finally:
        staged.unlink(missing_ok=True)
        staged_report.unlink(missing_ok=True)


def deidentify_source(*, actor: Actor, source: str | Path, policy: str | Path | DeidPolicy = "default",
                      out: str | Path, project: str = "default", suppress: bool = True,
                      display_name: str | None = None, progress: Progress | None = None,
                      head: int = 0, force: bool = False) -> tuple[dict[str, Any], DeidResult]:
    """:func:`deidentify_file` that also returns the :class:`~privacy.deid.DeidResult` (``head``: preview rows)."""
    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    source = Path(source)
    name = display_name or source.name
    data_path, report_path, as_file = out_target(source, out, force=force)
    out_dir = Path(out)
    frame, info = read_table(source, display_name=name, work="deid")
    require_sheet_fits(data_path, rows=len(frame), columns=len(frame.columns))  # now, not after the whole run
    # Classification, rules, replacement and the re-scan all happen before anything is written:
    # a refusal (no rule, keep over PII, PII left after de-identification) leaves no file and no folder.
    result = deidentify_frame(frame, rules, project=project, suppress=suppress, progress=progress, file=name,
                              head=head)
    report: dict[str, Any] = {
        "source": name, "source_sha256": sha256_file(source), "rows_in": len(frame),
        "rows_out": len(result.frame), "policy": rules.ref, "label": LABEL, "label_en": LABEL_EN,
        "operations": result.operations, "text_entities": result.text_entities, "headers": result.headers,
        "suppressed_rows": result.suppressed_rows, "suppressed_cells": result.suppressed_cells,
        "identifying_columns": result.identifying_columns,
        "columns": result.columns, "pii_before": result.pii_before, "pii_after": result.pii_after,
        "rescan": {"rows_scanned": len(result.frame), "clean": not result.pii_after},
        "output": str(data_path), "encoding": info.encoding, "read_notes": info.note_dicts(),
    }

    def write(folder: Path) -> None:
        write_table_safe(result.frame, folder / data_path.name)
        report["output_sha256"] = sha256_file(folder / data_path.name)
        atomic_write_text(folder / report_path.name, json.dumps(report, ensure_ascii=False, indent=2))

    if as_file:
        _write_file(result.frame, data_path, report_path, report, force=force)
    elif out_dir.exists():
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
                    display_name: str | None = None, progress: Progress | None = None,
                    force: bool = False) -> dict[str, Any]:
    """Read ``source``, de-identify it under ``policy`` and write ``<out>/<stem>.deid.csv`` plus a report.

    ``out`` ending in .csv/.xlsx/.parquet (and not an existing folder) is the data file itself, in that
    format, with the report ``<stem>.deid.json`` beside it; an existing one is replaced only with
    ``force`` (``privacy.err.out_file_exists``). See :func:`out_target`.

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
                                        suppress=suppress, display_name=display_name, progress=progress,
                                        force=force)
    return report
