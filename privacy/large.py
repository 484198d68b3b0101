"""Services for large sources on Apache Spark (``--engine spark``): scan and de-identify.

A large source is a Parquet/CSV file or folder or a table name
(:func:`sandbox.engines.read_source`). Results are folders written under a
temporary name and renamed when complete (:func:`sandbox.files.atomic_dir`):
a failed or cancelled Spark job leaves nothing behind and records nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sandbox.errors import InputError
from sandbox.roles import Actor, authorize

__all__ = ["deidentify_large", "scan_large"]

Progress = Callable[[float, str], None]


def scan_large(*, actor: Actor, source: str | Path, out: str | Path, columns: Iterable[str] | None = None,
               entities: Iterable[str] | None = None, key: str | None = None, progress: Progress | None = None,
               job_group: str | None = None) -> dict[str, Any]:
    """Scan a large source on Spark; findings Parquet in ``out/findings``, summary in ``out/summary.json``.

    Same recognizers, name model and column profiles as
    :func:`privacy.scanning.scan_file` (:mod:`privacy._spark_scan`). Returns
    the summary: ``rows``, ``has_pii``, ``entity_types``, ``columns`` (one
    summary each), ``findings`` (how many) and ``findings_path``.
    """
    from privacy._detect import DEFAULT_THRESHOLD, resolve_entities
    from privacy._spark_scan import spark_scan
    from sandbox.activity import log_activity
    from sandbox.engines import source_label, spark_job, spark_session
    from sandbox.files import atomic_dir
    from sandbox.store import session_scope

    authorize(actor, "privacy.scan")
    name = source_label(source)
    target = Path(out)
    if target.exists():
        raise InputError("engines.errors.out_exists", path=str(target))
    session = spark_session()
    with atomic_dir(target) as tmp, spark_job(session, description=f"PII scan {name}", progress=progress,
                                              group=job_group):
        rows, summaries, n_findings = spark_scan(session=session, source=source, out=tmp,
                                                 columns=list(columns) if columns else None, key=key,
                                                 entities=resolve_entities(entities), threshold=DEFAULT_THRESHOLD,
                                                 source_name=name)
        counts: dict[str, int] = {}
        for summary in summaries:
            for entity, n in summary.entity_types.items():
                counts[entity] = counts.get(entity, 0) + n
        report = {"file": name, "kind": "table", "engine": "spark", "rows": rows, "has_pii": n_findings > 0,
                  "entity_types": dict(sorted(counts.items(), key=lambda item: -item[1])),
                  "columns": [s.to_dict() for s in summaries], "findings": n_findings,
                  "findings_path": str(target / "findings")}
        (tmp / "summary.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    with session_scope() as db:
        log_activity(db, actor, "privacy.scan", name, rows=rows, findings=n_findings, engine="spark",
                     entity_types=report["entity_types"], pii_columns=[s.column for s in summaries if s.has_pii])
    return report


def deidentify_large(*, actor: Actor, source: str | Path, out: str | Path, policy: Any = "default",
                     project: str = "default", suppress: bool = True, progress: Progress | None = None,
                     job_group: str | None = None) -> dict[str, Any]:
    """De-identify a large source on Spark: ``out/<name>.deid.parquet/`` plus the report ``out/<name>.deid.json``.

    The same classification, plans, operators, keyed pseudonyms (the project's
    key, read here and shipped to the executors), rare-combination suppression
    and re-scan as :func:`privacy.deid.deidentify_file`
    (:mod:`privacy.deid._spark`); the report has the same fields plus
    ``engine``. A refusal (no rule, ``keep`` over personal information,
    personal information left) or a failed job leaves no ``out`` folder.
    """
    from privacy.deid._operators import pseudonym_key
    from privacy.deid._policy import load_policy
    from privacy.deid._service import LABEL, LABEL_EN
    from privacy.deid._spark import spark_deidentify
    from sandbox.activity import log_activity
    from sandbox.engines import source_fingerprint, source_label, spark_job, spark_session
    from sandbox.files import atomic_dir
    from sandbox.store import session_scope

    authorize(actor, "privacy.deid")
    rules = load_policy(policy)
    name = source_label(source)
    target = Path(out)
    if target.exists():
        raise InputError("engines.errors.out_exists", path=str(target))
    key = pseudonym_key(project)
    stem = Path(name).stem if Path(name).suffix else name
    data_name = f"{stem}.deid.parquet"
    session = spark_session()
    with atomic_dir(target) as tmp, spark_job(session, description=f"de-identify {name}", progress=progress,
                                              group=job_group):
        result, rows_in, rows_out = spark_deidentify(session=session, source=source, policy=rules, key=key,
                                                     out=tmp / data_name, suppress=suppress, source_name=name)
        report: dict[str, Any] = {
            "source": name, "source_sha256": source_fingerprint(source), "engine": "spark", "rows_in": rows_in,
            "rows_out": rows_out, "policy": rules.ref, "label": LABEL, "label_en": LABEL_EN,
            "operations": result.operations, "text_entities": result.text_entities,
            "suppressed_rows": result.suppressed_rows, "suppressed_cells": result.suppressed_cells,
            "identifying_columns": result.identifying_columns, "columns": result.columns,
            "pii_before": result.pii_before, "pii_after": result.pii_after,
            "rescan": {"rows_scanned": rows_out, "clean": not result.pii_after},
            "output": str(target / data_name),
        }
        (tmp / f"{stem}.deid.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    with session_scope() as db:
        log_activity(db, actor, "privacy.deid", name, policy=rules.ref, rows=rows_out, engine="spark",
                     pii_before=result.pii_before, pii_after=result.pii_after)
    return report
